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
    cache.set("warm", 1)  # the first write of a process may count and cull
    for n in range(50):
        cache.set(f"k{n}", n)
    with CaptureQueriesContext(connection) as context:
        cache.set("k1", "x")
        cache.add("new", "y")
    statements = [q["sql"] for q in context.captured_queries]
    assert len(statements) == 2
    assert not any("COUNT(" in sql for sql in statements)
