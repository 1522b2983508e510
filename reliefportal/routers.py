"""Reads from the read replica, only where a view asked for it.

A replica lags the primary by a moment, so reading from it everywhere would show a user a
page without the record they just saved. Only code inside ``use_read_replica`` (dashboards
and exports, which summarise and may be a second old) reads from it; writes, and everything
outside that context, use the primary. Without ``DATABASE_REPLICA_URL`` nothing changes.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections, router

REPLICA = "replica"
_reading_from_replica = ContextVar("reading_from_replica", default=False)


@contextmanager
def use_read_replica():
    """Send this block's reads to the replica, if one is configured. Usable as a decorator
    (``@use_read_replica()``) on a view."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def pinned_to_read_database(queryset):
    """``queryset`` bound to the database a read made here would use: for rows read after the
    view has returned (a streamed export), when the context above has already ended."""
    return queryset.using(router.db_for_read(queryset.model))


class ReadReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading_from_replica.get() and REPLICA in connections:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        if {obj1._state.db, obj2._state.db} <= {"default", REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica receives the primary's schema by replication.
        return db != REPLICA
