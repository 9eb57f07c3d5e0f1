"""Django's database cache, for PostgreSQL, without a count of the whole table on every write.

Django's ``DatabaseCache`` counts its table (``SELECT COUNT(*)``) before every write to decide
whether to cull, then reads the key, then inserts or updates it. Every API call writes its
rate-limit counter: under load each one counted the whole cache table. Here a write is one
``INSERT … ON CONFLICT`` (``add`` only over an expired row), and the table is counted, and
culled when over ``MAX_ENTRIES``, on one write in ``CULL_EVERY`` of a process.
"""

from __future__ import annotations

import base64
import itertools
import pickle
from datetime import UTC, datetime

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import DatabaseError, connections, router
from django.utils.timezone import now as tz_now

CULL_EVERY = 100


class DatabaseCache(DjangoDatabaseCache):
    _writes = itertools.count()

    def _base_set(self, mode, key, value, timeout=DEFAULT_TIMEOUT):
        if mode == "touch":
            return super()._base_set(mode, key, value, timeout)
        timeout = self.get_backend_timeout(timeout)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        now = tz_now().replace(microsecond=0)
        expires = (
            datetime.max.replace(tzinfo=UTC) if timeout is None else datetime.fromtimestamp(timeout, tz=UTC)
        )
        expires = expires.replace(microsecond=0)
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        update = "" if mode == "set" else f" WHERE {table}.expires < %s"
        params = [key, encoded, expires] + ([] if mode == "set" else [now])
        try:
            with connection.cursor() as cursor:
                if next(self._writes) % CULL_EVERY == 0:
                    cursor.execute(f"SELECT COUNT(*) FROM {table}")
                    count = cursor.fetchone()[0]
                    if count > self._max_entries:
                        self._cull(db, cursor, now, count)
                cursor.execute(
                    f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "
                    f"ON CONFLICT (cache_key) DO UPDATE SET value = EXCLUDED.value, expires = EXCLUDED.expires"
                    f"{update}",
                    params,
                )
                return cursor.rowcount == 1
        except DatabaseError:
            return False  # as Django's: a write that fails is not an error of the page
