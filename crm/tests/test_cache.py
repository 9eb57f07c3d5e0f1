"""The database cache (crm.cache): Django's behaviour, one statement per write."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_set_get_add_and_expiry_behave_as_djangos():
    cache.set("a", {"n": 1}, 60)
    assert cache.get("a") == {"n": 1}
    cache.set("a", {"n": 2}, 60)
    assert cache.get("a") == {"n": 2}
    assert cache.add("a", 3) is False  # present: not replaced
    assert cache.get("a") == {"n": 2}
    assert cache.add("b", 4, 60) is True
    cache.set("old", 5, -1)  # already expired
    assert cache.get("old") is None
    assert cache.add("old", 6, 60) is True  # an expired key is taken
    assert cache.get("old") == 6
    assert cache.incr("b") == 5
    cache.delete("a")
    assert cache.get("a") is None


def test_a_write_does_not_count_the_table():
    with CaptureQueriesContext(connection) as context:
        for n in range(150):  # never, however many writes
            cache.set(f"k{n}", n)
        cache.add("new", "y")
    statements = [q["sql"] for q in context.captured_queries]
    assert len(statements) == 151
    assert not any("COUNT(" in sql for sql in statements)


def test_the_worker_deletes_expired_rows_and_culls():
    from crm.tasks import cull_cache

    cache.set("gone", 1, -1)
    cache.set("kept", 2, 60)

    def rows(key: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM crm_cache WHERE cache_key LIKE %s", [f"%:{key}"])
            return cursor.fetchone()[0]

    assert (rows("gone"), rows("kept")) == (1, 1)  # an expired row stays until the worker comes
    left = cull_cache.call(reschedule=False)
    assert (rows("gone"), rows("kept")) == (0, 1)
    assert left >= 1
    assert cache.get("kept") == 2
