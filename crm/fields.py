"""Model fields of the core that apps use."""

from __future__ import annotations

import re

from django.db import models
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, LPad


class CounterNumberField(models.PositiveIntegerField):
    """A consecutive number the database gives a row as it is inserted, gapless (a rolled
    back insert gives its number back) whatever inserts it: a page, an import's COPY, a
    bulk INSERT. A trigger takes it from the row's counter in ``crm_counter`` (see
    :func:`numbering`); Django reads it back on save (``db_returning``)."""

    db_returning = True

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("null", True)  # until the trigger fills it, in the same statement
        kwargs.setdefault("editable", False)
        kwargs.setdefault("unique", True)
        super().__init__(*args, **kwargs)


def numbering(table: str, column: str, counter: str, order: str = "created_at, id") -> tuple[list, list]:
    """(forward, reverse) SQL for a migration: number the existing rows in ``order``, set the
    counter, and number every new row on insert.

    The counter row is locked by the first insert of a transaction (so numbers are gapless
    and never repeat across transactions); the transaction then counts in a setting of its
    own (rolled back with it) and writes the counter back once per statement, so an import
    of 100,000 rows updates the counter row 1 time, not 100,000 (a row updated that often in
    one transaction makes each update slower than the last)."""
    trigger = f"{table}_{column}_taken"
    forward = [
        f"""
        CREATE OR REPLACE FUNCTION crm_take_number() RETURNS trigger AS $$
        DECLARE
            counter_name text := TG_ARGV[0];
            setting text := 'crm.counter_' || TG_ARGV[0];
            current bigint;
        BEGIN
            IF NEW.{column} IS NOT NULL THEN
                RETURN NEW;
            END IF;
            current := NULLIF(current_setting(setting, true), '')::bigint;
            IF current IS NULL THEN
                INSERT INTO crm_counter (name, value) VALUES (counter_name, 0) ON CONFLICT DO NOTHING;
                SELECT c.value INTO current FROM crm_counter AS c WHERE c.name = counter_name FOR UPDATE;
            END IF;
            current := current + 1;
            PERFORM set_config(setting, current::text, true);
            NEW.{column} := current;
            RETURN NEW;
        END $$ LANGUAGE plpgsql
        """,
        """
        CREATE OR REPLACE FUNCTION crm_keep_number() RETURNS trigger AS $$
        DECLARE
            current bigint := NULLIF(current_setting('crm.counter_' || TG_ARGV[0], true), '')::bigint;
        BEGIN
            IF current IS NOT NULL THEN
                UPDATE crm_counter SET value = current WHERE name = TG_ARGV[0] AND value <> current;
            END IF;
            RETURN NULL;
        END $$ LANGUAGE plpgsql
        """,
        f"""
        UPDATE {table} AS t SET {column} = n.rn
        FROM (SELECT id, row_number() OVER (ORDER BY {order}) AS rn FROM {table}) AS n
        WHERE n.id = t.id AND t.{column} IS NULL
        """,
        f"""
        INSERT INTO crm_counter (name, value) SELECT '{counter}', COALESCE(MAX({column}), 0) FROM {table}
        ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value
        """,
        f"CREATE TRIGGER {trigger} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION crm_take_number('{counter}')",
        f"CREATE TRIGGER {trigger}_kept AFTER INSERT ON {table} FOR EACH STATEMENT "
        f"EXECUTE FUNCTION crm_keep_number('{counter}')",
    ]
    reverse = [
        f"DROP TRIGGER IF EXISTS {trigger}_kept ON {table}",
        f"DROP TRIGGER IF EXISTS {trigger} ON {table}",
        f"DELETE FROM crm_counter WHERE name = '{counter}'",
    ]
    return forward, reverse


def key_of(prefix: str, number: int | None) -> str:
    """A catalog key as people read it: C-000123."""
    return f"{prefix}-{number:06d}" if number else ""


def key_expression(prefix: str, field: str = "number"):
    """The key computed by the database (exports, which read values)."""
    return Concat(Value(f"{prefix}-"), LPad(Cast(field, output_field=CharField()), 6, Value("0")))


def key_number(term: str, prefix: str) -> int | None:
    """The number a search term names as a key ("C-000123", "c123"), else None."""
    match = re.fullmatch(rf"{prefix}-?0*(\d{{1,9}})", term.strip(), flags=re.IGNORECASE)
    return int(match.group(1)) if match else None
