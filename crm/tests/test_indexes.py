"""The database's indexes: each one earns its writes."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

from crm.tests.helpers import project_apps

pytestmark = pytest.mark.django_db


def test_no_index_is_the_leading_part_of_another():
    # Every insert and every update that is not HOT writes an entry in each index of the table:
    # an index whose columns lead another full b-tree index of the same table (Django's index
    # of a foreign key, beside a composite index that starts with that key) serves no query the
    # other cannot, and costs every write of a table that holds millions of rows.
    ours = set(project_apps())
    tables = {model._meta.db_table for model in apps.get_models() if model._meta.app_label in ours}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, a.relname, b.relname
            FROM pg_index ia
            JOIN pg_index ib ON ib.indrelid = ia.indrelid AND ib.indexrelid <> ia.indexrelid
            JOIN pg_class t ON t.oid = ia.indrelid
            JOIN pg_class a ON a.oid = ia.indexrelid
            JOIN pg_class b ON b.oid = ib.indexrelid
            JOIN pg_am am ON am.oid = a.relam AND am.amname = 'btree'
            JOIN pg_am bm ON bm.oid = b.relam AND bm.amname = 'btree'
            WHERE NOT ia.indisunique
              AND ia.indpred IS NULL AND ib.indpred IS NULL
              AND ia.indexprs IS NULL AND ib.indexprs IS NULL
              AND ia.indnkeyatts <= ib.indnkeyatts
              AND (ia.indkey::int2[])[0:ia.indnkeyatts - 1] = (ib.indkey::int2[])[0:ia.indnkeyatts - 1]
              -- with the same operator classes (not a LIKE index beside an equality one)
              AND (ia.indclass::oid[])[0:ia.indnkeyatts - 1] = (ib.indclass::oid[])[0:ia.indnkeyatts - 1]
              -- and, beyond one column (read either way), in the same directions
              AND (ia.indnkeyatts = 1
                   OR (ia.indoption::int2[])[0:ia.indnkeyatts - 1] = (ib.indoption::int2[])[0:ia.indnkeyatts - 1])
              -- of two identical indexes, the one made later is the extra one
              AND (ia.indnkeyatts < ib.indnkeyatts OR ib.indisunique OR ia.indexrelid > ib.indexrelid)
            ORDER BY 1, 2
            """
        )
        redundant = [
            f"{table}.{index} (led by the columns of {other})"
            for table, index, other in cursor.fetchall()
            if table in tables
        ]
    assert redundant == [], "\n".join(redundant)


def test_every_foreign_key_leads_an_index():
    # The other side of the test above: a foreign key whose own index was dropped for a
    # composite one (`db_index=False`, the composite named beside the field) must keep an index
    # that starts with it — deleting the record it points to, or reading a record's rows, would
    # otherwise scan the whole table.
    ours = set(project_apps())
    keys = {
        (model._meta.db_table, field.column)
        for model in apps.get_models()
        if model._meta.app_label in ours and not model._meta.proxy and model._meta.managed
        for field in model._meta.local_fields
        if field.many_to_one or field.one_to_one
    }
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, a.attname
            FROM pg_index i
            JOIN pg_class t ON t.oid = i.indrelid
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE i.indpred IS NULL AND i.indkey[0] <> 0
            """
        )
        led = set(cursor.fetchall())
    assert sorted(keys - led) == []
