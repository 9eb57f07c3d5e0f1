from __future__ import annotations

from django.db import connection


def next_number(name: str) -> int:
    """The next consecutive number of ``name``. The counter row stays locked
    until the transaction ends: two creations never get the same number, and
    a rolled-back one leaves no gap."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO crm_counter (name, value) VALUES (%s, 1) "
            "ON CONFLICT (name) DO UPDATE SET value = crm_counter.value + 1 RETURNING value",
            [name],
        )
        return cursor.fetchone()[0]
