"""Stem the words as written too: Portuguese and Spanish stemmers need the
accents (instalação / instalações), while the folded words make the search
accent-insensitive. Existing orders get the new document."""

from django.db import migrations

ACCENTED = "áàâãäåéèêëíìîïóòôõöúùûüçñÁÀÂÃÄÅÉÈÊËÍÌÎÏÓÒÔÕÖÚÙÛÜÇÑ"
PLAIN = "aaaaaaeeeeiiiiooooouuuucnAAAAAAEEEEIIIIOOOOOUUUUCN"

FORWARD = f"""
CREATE OR REPLACE FUNCTION serviceorders_vector(txt text) RETURNS tsvector AS $$
  SELECT to_tsvector('spanish', folded) || to_tsvector('portuguese', folded)
      || to_tsvector('spanish', written) || to_tsvector('portuguese', written)
  FROM (
    SELECT lower(translate(coalesce(txt, ''), '{ACCENTED}', '{PLAIN}')) AS folded, lower(coalesce(txt, '')) AS written
  ) AS words
$$ LANGUAGE sql IMMUTABLE;
UPDATE serviceorders_serviceorder SET detail = detail;
"""

BACKWARD = f"""
CREATE OR REPLACE FUNCTION serviceorders_vector(txt text) RETURNS tsvector AS $$
  SELECT to_tsvector('spanish', t) || to_tsvector('portuguese', t)
  FROM (SELECT lower(translate(coalesce(txt, ''), '{ACCENTED}', '{PLAIN}')) AS t) AS folded
$$ LANGUAGE sql IMMUTABLE;
UPDATE serviceorders_serviceorder SET detail = detail;
"""


class Migration(migrations.Migration):
    dependencies = [("serviceorders", "0002_search_triggers")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
