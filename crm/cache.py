"""Django's database cache, for PostgreSQL, without a count of the whole table on every write.

Django's ``DatabaseCache`` counts its table (``SELECT COUNT(*)``) before every write to decide
whether to cull, then reads the key, then inserts or updates it. Every API call writes its
rate-limit counter: under load each one counted the whole cache table. Here a write is one
``INSERT … ON CONFLICT`` (``add`` only over an expired row); expired rows are deleted, and the
table culled when over ``MAX_ENTRIES``, by the task worker every few minutes
(:meth:`DatabaseCache.cull`, crm.tasks.cull_cache), never by a request.
"""

from __future__ import annotations

import base64
import pickle
from datetime import UTC, datetime

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import DatabaseError, connections, router
from django.utils.timezone import now as tz_now


class DatabaseCache(DjangoDatabaseCache):
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
                cursor.execute(
                    f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "
                    f"ON CONFLICT (cache_key) DO UPDATE SET value = EXCLUDED.value, expires = EXCLUDED.expires"
                    f"{update}",
                    params,
                )
                return cursor.rowcount == 1
        except DatabaseError:
            return False  # as Django's: a write that fails is not an error of the page

    def cull(self) -> int:
        """Delete the expired rows, and cull (as Django does) if still over MAX_ENTRIES; returns
        how many rows are left."""
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        now = tz_now().replace(microsecond=0)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [now])
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            count = cursor.fetchone()[0]
            if count > self._max_entries:
                self._cull(db, cursor, now, count)
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                count = cursor.fetchone()[0]
        return count


# Figures kept per user ------------------------------------------------------------------------
# The navigation's counts are drawn on every page; computing them is one of a page's costliest
# queries. They are kept per user for USER_FIGURES_SECONDS, in one cache entry per user, and
# forgotten as soon as the user changes something (crm.middleware.UserFiguresMiddleware: any
# request that is not a read) or someone tells them something (activities.notifications).


def _user_key(user_id: int) -> str:
    return f"user-figures:{user_id}"


def user_figure(name: str, user_id: int, compute):
    """``compute()``'s value for the user, kept for USER_FIGURES_SECONDS (0: not kept)."""
    from django.conf import settings
    from django.core.cache import cache

    seconds = settings.USER_FIGURES_SECONDS
    if seconds <= 0:
        return compute()
    kept = cache.get(_user_key(user_id)) or {}
    if name not in kept:
        kept = {**kept, name: compute()}
        cache.set(_user_key(user_id), kept, seconds)
    return kept[name]


def forget_user_figures(user_ids) -> None:
    """The users' kept figures forgotten: their next page computes them."""
    from django.conf import settings
    from django.core.cache import cache

    if settings.USER_FIGURES_SECONDS > 0:
        cache.delete_many([_user_key(user_id) for user_id in user_ids])
