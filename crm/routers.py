"""Reads of the dashboard and the reports go to a streaming replica when one is
configured (REPLICA_DATABASE_URL): aggregates over millions of rows then load the
replica, not the primary the agents write to. Everything else, every write and
every migration use the primary ("default")."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps

from django.db import connections

REPLICA = "replica"
_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar("crm_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within the block, reads go to the replica (if there is one)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reads_from_replica(view):
    """A view whose reads go to the replica (reports: a few seconds of lag do not matter)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        # The shared cache stays on the primary: it is written right after being read.
        if (
            _replica_reads.get()
            and REPLICA in connections.settings
            and model._meta.app_label != "django_cache"
        ):
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the very same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
