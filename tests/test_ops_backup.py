"""Backups: `make backup` and `make restore`, and the restore drill.

The drill backs up the test database, changes it, restores the backup into a fresh database
and compares every table's row count and every money column's sum with the state backed up.
"""

import os
import sqlite3
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.db import connection, models
from psycopg import sql

from cases.models import DividendPayment, FinanceAgreement, MaterialAid
from tests.factories import (
    DividendPaymentFactory,
    FinanceAgreementFactory,
    HouseholdFactory,
    MaterialAidFactory,
    MemberFactory,
    PairingFactory,
)

ROOT = Path(__file__).resolve().parent.parent


def run_script(name, *args, **environ):
    result = subprocess.run(
        [str(ROOT / "scripts" / name), *args],
        env={**os.environ, **environ},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def tables_and_money_columns():
    """Every table the portal's models own, with the money (decimal) columns of each."""
    shape = {}
    for model in apps.get_models(include_auto_created=True):
        money = [
            field.column for field in model._meta.concrete_fields
            if isinstance(field, models.DecimalField)
        ]
        shape[model._meta.db_table] = money
    return shape


def snapshot(cursor, shape):
    """{table: (row count, {money column: sum})}, read through a DB-API cursor."""
    figures = {}
    for table, money in sorted(shape.items()):
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (names from the models)
        count = cursor.fetchone()[0]
        sums = {}
        for column in money:
            cursor.execute(f'SELECT coalesce(sum("{column}"), 0) FROM "{table}"')  # noqa: S608
            sums[column] = Decimal(str(cursor.fetchone()[0]))
        figures[table] = (count, sums)
    return figures


def seed():
    for _ in range(3):
        household = HouseholdFactory()
        MemberFactory.create_batch(2, household=household)
        PairingFactory(household=household)
        MaterialAidFactory(household=household, value="1234.56")
        agreement = FinanceAgreementFactory(household=household, funds="50000.00")
        DividendPaymentFactory(agreement=agreement, amount="3000.10")


def change_everything():
    """What the restore must undo: rows deleted, rows added, money changed."""
    MaterialAid.objects.update(value=Decimal("1.00"))
    DividendPayment.objects.all().delete()
    FinanceAgreement.objects.filter(pk=FinanceAgreement.objects.first().pk).delete()
    HouseholdFactory()


def postgres_url(settings_dict, name):
    user = settings_dict["USER"]
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{user}{password}@{settings_dict['HOST'] or 'localhost'}{port}/{name}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump drill (PostgreSQL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_drill_on_postgresql(tmp_path):
    seed()
    shape = tables_and_money_columns()
    with connection.cursor() as cursor:
        original = snapshot(cursor, shape)
    assert original["cases_dividendpayment"] == (3, {"amount": Decimal("9000.30")})

    source_url = postgres_url(connection.settings_dict, connection.settings_dict["NAME"])
    backup = run_script("backup.sh", DATABASE_URL=source_url, BACKUP_DIR=str(tmp_path))
    assert backup.endswith(".dump")
    assert Path(backup).read_bytes().startswith(b"PGDMP")  # pg_dump's custom format

    change_everything()
    with connection.cursor() as cursor:
        changed = snapshot(cursor, shape)
    assert changed != original

    fresh = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    fresh_url = postgres_url(connection.settings_dict, fresh)
    try:
        run_script("restore.sh", backup, RESTORE_DATABASE_URL=fresh_url)
        with psycopg.connect(fresh_url) as restored, restored.cursor() as cursor:
            assert snapshot(cursor, shape) == original
        # A second restore into the now non-empty database is refused.
        again = subprocess.run(
            [str(ROOT / "scripts" / "restore.sh"), backup],
            env={**os.environ, "RESTORE_DATABASE_URL": fresh_url},
            capture_output=True, text=True, timeout=120,
        )
        assert again.returncode != 0
        assert "not empty" in again.stderr
    finally:
        admin_url = postgres_url(connection.settings_dict, "postgres")
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(fresh))
            )


def test_sqlite_backup_is_a_consistent_copy_and_restores_into_a_fresh_file(tmp_path):
    """The embedded default: a copy taken while a transaction is open elsewhere holds the
    committed rows only, and restores into a new file that passes SQLite's integrity check."""
    source = tmp_path / "portal.sqlite3"
    with sqlite3.connect(source) as db:
        db.execute("CREATE TABLE payment (id INTEGER PRIMARY KEY, amount NUMERIC)")
        db.executemany("INSERT INTO payment (amount) VALUES (?)", [("10.50",), ("20.25",)])
    writer = sqlite3.connect(source)
    writer.execute("BEGIN")
    writer.execute("INSERT INTO payment (amount) VALUES ('999')")  # not committed
    try:
        backup = run_script(
            "backup.sh", DATABASE_URL=f"sqlite:///{source}", BACKUP_DIR=str(tmp_path / "b")
        )
    finally:
        writer.rollback()
        writer.close()

    restored_file = tmp_path / "restored.sqlite3"
    run_script("restore.sh", backup, RESTORE_DATABASE_URL=f"sqlite:///{restored_file}")
    with sqlite3.connect(restored_file) as db:
        assert db.execute("SELECT count(*), sum(amount) FROM payment").fetchone() == (2, 30.75)

    refused = subprocess.run(
        [str(ROOT / "scripts" / "restore.sh"), backup],
        env={**os.environ, "RESTORE_DATABASE_URL": f"sqlite:///{restored_file}"},
        capture_output=True, text=True, timeout=60,
    )
    assert refused.returncode != 0
    assert "exists" in refused.stderr


def test_the_drill_covers_every_money_column():
    """The comparison is only as good as its list of money columns."""
    shape = tables_and_money_columns()
    assert shape[MaterialAid._meta.db_table] == ["value"]
    assert "funds" in shape[FinanceAgreement._meta.db_table]
    assert shape[DividendPayment._meta.db_table] == ["amount"]
    assert shape["cases_historicalmaterialaid"] == ["value"]
