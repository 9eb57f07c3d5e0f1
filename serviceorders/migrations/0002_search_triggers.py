"""The concept search document of a service order: its detail, equipment
and every service registered to it, lower case without accents, with Spanish
and Portuguese stems. Triggers keep it current on every change, whoever
makes it (pages, imports, the admin, SQL)."""

from django.db import migrations

ACCENTED = "áàâãäåéèêëíìîïóòôõöúùûüçñÁÀÂÃÄÅÉÈÊËÍÌÎÏÓÒÔÕÖÚÙÛÜÇÑ"
PLAIN = "aaaaaaeeeeiiiiooooouuuucnAAAAAAEEEEIIIIOOOOOUUUUCN"

FORWARD = f"""
CREATE OR REPLACE FUNCTION serviceorders_vector(txt text) RETURNS tsvector AS $$
  SELECT to_tsvector('spanish', t) || to_tsvector('portuguese', t)
  FROM (SELECT lower(translate(coalesce(txt, ''), '{ACCENTED}', '{PLAIN}')) AS t) AS folded
$$ LANGUAGE sql IMMUTABLE;

CREATE OR REPLACE FUNCTION serviceorders_order_search() RETURNS trigger AS $$
DECLARE services text;
BEGIN
  SELECT string_agg(detail, ' ') INTO services FROM serviceorders_serviceentry WHERE order_id = NEW.id;
  NEW.search := serviceorders_vector(
    coalesce(NEW.detail, '') || ' ' || coalesce(NEW.equipment_received, '') || ' ' || coalesce(services, '')
  );
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER serviceorders_order_search
BEFORE INSERT OR UPDATE OF detail, equipment_received ON serviceorders_serviceorder
FOR EACH ROW EXECUTE FUNCTION serviceorders_order_search();

CREATE OR REPLACE FUNCTION serviceorders_entry_search() RETURNS trigger AS $$
BEGIN
  -- Touching detail makes the order's own trigger recompute its document.
  UPDATE serviceorders_serviceorder SET detail = detail
  WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.order_id ELSE NEW.order_id END;
  RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER serviceorders_entry_search
AFTER INSERT OR UPDATE OR DELETE ON serviceorders_serviceentry
FOR EACH ROW EXECUTE FUNCTION serviceorders_entry_search();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS serviceorders_entry_search ON serviceorders_serviceentry;
DROP TRIGGER IF EXISTS serviceorders_order_search ON serviceorders_serviceorder;
DROP FUNCTION IF EXISTS serviceorders_entry_search();
DROP FUNCTION IF EXISTS serviceorders_order_search();
DROP FUNCTION IF EXISTS serviceorders_vector(text);
"""


class Migration(migrations.Migration):
    dependencies = [("serviceorders", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
