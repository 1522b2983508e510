"""Inserting many new rows, with their history rows, as fast as the database allows.

On PostgreSQL new rows and their "+" history rows are sent with COPY, after their primary keys
have been drawn from the table's sequence in one query (so members can point at households
inserted a moment before). Each value is prepared the way ``Model.save`` would prepare it
(``pre_save`` and ``get_db_prep_save``), except for plain columns, which are passed as they
are; a value is prepared once and written to both the table and its history table, so an
encrypted ID number is encrypted once per row. Other databases get ``bulk_create`` and
simple-history's ``bulk_create_with_history``, which do the same more slowly.

Inside ``copying_in_background()`` each COPY is sent from a thread of its own on the import's
connection (and in its transaction), so PostgreSQL stores one chunk while Python checks the
next: storing a row (its indexes, its history row's indexes) costs the server about as long as
checking it costs Python. The COPYs run one after another in the order they were asked for;
any other statement on the connection first waits for the COPY under way, and a failed COPY
is raised in the import's own thread at its next statement.
"""

import contextlib
import contextvars
import queue
import threading
from operator import itemgetter

from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

# Field classes whose Python value is what the column stores (psycopg adapts it itself). Exact
# classes only: a subclass may transform its value (the encrypted ID number does).
PLAIN_FIELDS = {
    models.BigAutoField, models.AutoField, models.BigIntegerField, models.IntegerField,
    models.PositiveIntegerField, models.PositiveSmallIntegerField, models.BooleanField,
    models.CharField, models.TextField, models.SlugField, models.DateField, models.ForeignKey,
}


def _preparer(fields, now):
    """A function giving an instance's column values in the order of ``fields``, prepared as
    ``Model.save`` would prepare them. Which fields are plain is decided once per insert."""
    stamped = [
        field.attname for field in fields
        if type(field) is models.DateTimeField and (field.auto_now or field.auto_now_add)
    ]
    prepared = [
        None if type(field) in PLAIN_FIELDS or type(field) is models.DateTimeField else field
        for field in fields
    ]
    attnames = [field.attname for field in fields]

    def prepare(obj):
        # One timestamp for the whole import, as one save() would give one row.
        for attname in stamped:
            setattr(obj, attname, now)
        return [
            getattr(obj, attname) if field is None
            else field.get_db_prep_save(field.pre_save(obj, True), connection=connection)
            for attname, field in zip(attnames, prepared, strict=True)
        ]

    return prepare


def _allocate_ids(model, count):
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), column, count],
        )
        return [row[0] for row in cursor.fetchall()]


class BackgroundCopy:
    """COPYs sent in turn by one thread on the import's own psycopg connection."""

    def __init__(self):
        connection.ensure_connection()
        self.raw = connection.connection
        self.queue = queue.SimpleQueue()
        self.pending = 0
        self.done = threading.Condition()
        self.error = None
        self.thread = threading.Thread(target=self._send_each, name="import-copy", daemon=True)
        self.thread.start()

    def copy(self, statement, rows):
        with self.done:
            self.pending += 1
        self.queue.put((statement, rows))

    def _send_each(self):
        while (item := self.queue.get()) is not None:
            statement, rows = item
            # After a failure the transaction is lost: the COPYs still queued are dropped.
            if self.error is None:
                try:
                    with self.raw.cursor() as cursor, cursor.copy(statement) as copy:
                        for row in rows:
                            copy.write_row(row)
                except BaseException as error:  # raised in the import's thread by wait()
                    self.error = error
            with self.done:
                self.pending -= 1
                self.done.notify_all()

    def wait(self):
        """Until every COPY asked for has ended; raises the first that failed."""
        with self.done:
            self.done.wait_for(lambda: self.pending == 0)
        if self.error is not None:
            error, self.error = self.error, None
            # As Django raises it (an IntegrityError for a conflict), not as psycopg's own.
            with connection.wrap_database_errors:
                raise error

    def stop(self):
        self.queue.put(None)
        self.thread.join()

    def before_statement(self, execute, sql, params, many, context):
        self.wait()
        return execute(sql, params, many, context)


_background = contextvars.ContextVar("background_copy", default=None)


@contextlib.contextmanager
def copying_in_background():
    """Send the COPYs of ``insert_with_history`` and ``insert_rows`` from a thread while the
    caller goes on (PostgreSQL only; elsewhere nothing changes). Inside a transaction: the
    foreign keys are checked as each COPY ends, in that thread, instead of all at commit."""
    if connection.vendor != "postgresql":
        yield
        return
    background = BackgroundCopy()
    token = _background.set(background)
    try:
        with connection.execute_wrapper(background.before_statement):
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            yield
            background.wait()
    finally:
        _background.reset(token)
        # Also when the caller failed: the COPYs under way end before the rollback.
        background.stop()


def _copy(table, columns, rows):
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    statement = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
    background = _background.get()
    if background is not None:
        background.copy(statement, rows)
        return
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def insert_with_history(model, objs, *, user, reason, batch_size=1000):
    """Insert the new instances ``objs`` of ``model`` and one "+" history row each, attributed
    to ``user`` with the change reason ``reason``. Sets each instance's primary key."""
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return bulk_create_with_history(
            objs, model, batch_size=batch_size, default_user=user, default_change_reason=reason
        )
    pk_name = model._meta.pk.attname
    for obj, pk in zip(objs, _allocate_ids(model, len(objs)), strict=True):
        setattr(obj, pk_name, pk)
        obj._state.adding = False
        obj._state.db = connection.alias
    now = timezone.now()
    fields = model._meta.concrete_fields
    prepare = _preparer(fields, now)
    prepared = [prepare(obj) for obj in objs]
    _copy(model._meta.db_table, [field.column for field in fields], prepared)

    history_model = model.history.model
    extra = {
        "history_date": now, "history_change_reason": reason, "history_type": "+",
        "history_user_id": user.pk if user else None,
    }
    history_fields = [
        field for field in history_model._meta.concrete_fields if field.name != "history_id"
    ]
    # Each history row is the row's values followed by the history columns, picked in the
    # history table's order.
    sources = [field.attname for field in fields] + list(extra)
    pick = itemgetter(*(sources.index(field.attname) for field in history_fields))
    extra_values = list(extra.values())
    _copy(
        history_model._meta.db_table, [field.column for field in history_fields],
        (pick(values + extra_values) for values in prepared),
    )
    return objs


def insert_rows(model, attnames, rows):
    """Insert ``rows`` (sequences of values for ``attnames``, stored as they are) into the
    table of ``model``, which has no history (a link table): COPY on PostgreSQL."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(attnames, row, strict=True))) for row in rows], batch_size=1000
        )
        return
    _copy(model._meta.db_table, [model._meta.get_field(name).column for name in attnames], rows)
