"""Inserting many new rows, with their history rows, as fast as the database allows.

On PostgreSQL new rows and their "+" history rows are sent with COPY, after their primary keys
have been drawn from the table's sequence in one query (so members can point at households
inserted a moment before). Each value is prepared the way ``Model.save`` would prepare it
(``pre_save`` and ``get_db_prep_save``), except for plain columns, which are passed as they
are; a value is prepared once and written to both the table and its history table, so an
encrypted ID number is encrypted once per row. Other databases get ``bulk_create`` and
simple-history's ``bulk_create_with_history``, which do the same more slowly.
"""

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


def _prepare(fields, obj, now):
    values = {}
    for field in fields:
        if type(field) in PLAIN_FIELDS:
            values[field.attname] = getattr(obj, field.attname)
        elif type(field) is models.DateTimeField:
            # One timestamp for the whole import, as one save() would give one row.
            if field.auto_now or field.auto_now_add:
                setattr(obj, field.attname, now)
            values[field.attname] = getattr(obj, field.attname)
        else:
            values[field.attname] = field.get_db_prep_save(
                field.pre_save(obj, True), connection=connection
            )
    return values


def _allocate_ids(model, count):
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(table, columns, rows):
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        statement = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
        with cursor.cursor.copy(statement) as copy:
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
    prepared = [_prepare(fields, obj, now) for obj in objs]
    _copy(
        model._meta.db_table, [field.column for field in fields],
        ([values[field.attname] for field in fields] for values in prepared),
    )

    history_model = model.history.model
    extra = {
        "history_date": now, "history_change_reason": reason, "history_type": "+",
        "history_user_id": user.pk if user else None,
    }
    history_fields = [
        field for field in history_model._meta.concrete_fields if field.name != "history_id"
    ]
    _copy(
        history_model._meta.db_table, [field.column for field in history_fields],
        (
            [extra[field.attname] if field.attname in extra else values[field.attname]
             for field in history_fields]
            for values in prepared
        ),
    )
    return objs
