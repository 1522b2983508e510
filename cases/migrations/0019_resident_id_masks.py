"""The encrypted masked form of every resident ID number (``id_number_mask``, see
cases/crypto.py), so that PostgreSQL can write list exports itself (cases/sql_exports.py).

On PostgreSQL: pgcrypto (``decrypt_iv``), and the domain ``reliefportal_resident_id_mask``,
whose check refuses a decrypted mask without its marker: a mask opened with the wrong key
stops the export instead of writing random characters. The masks are filled from the
ciphertext in batches, rows and history rows alike; then a constraint keeps a number and its
mask together (an export reads the mask alone).
"""

from django.contrib.postgres.operations import CryptoExtension
from django.db import migrations, models

import cases.fields
from cases.crypto import decrypt_resident_id, encrypt_resident_id_mask

TABLES = ("member", "labormodel", "historicalmember", "historicallabormodel")
BATCH = 2000
MASK_DOMAIN = "reliefportal_resident_id_mask"


class CryptoExtensionOnPostgreSQL(CryptoExtension):
    """pgcrypto; nothing on another database, either way (Django's own operation queries
    ``pg_extension`` when reversed, whatever the database)."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def create_mask_domain(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE DOMAIN {MASK_DOMAIN} AS text CHECK (VALUE LIKE 'mask:%%')"
        )


def drop_mask_domain(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP DOMAIN IF EXISTS {MASK_DOMAIN}")


def fill_masks(apps, schema_editor):
    quote = schema_editor.connection.ops.quote_name
    for name in TABLES:
        meta = apps.get_model("cases", name)._meta
        table, pk = quote(meta.db_table), quote(meta.pk.column)
        last = None
        with schema_editor.connection.cursor() as cursor:
            while True:
                # Keyset batches: each reads BATCH rows past the last one written.
                after = f"AND {pk} > %s " if last is not None else ""
                cursor.execute(
                    f"SELECT {pk}, {quote('id_number')} FROM {table} "  # noqa: S608
                    f"WHERE {quote('id_number')} <> '' {after}ORDER BY {pk} LIMIT {BATCH}",
                    [last] if last is not None else [],
                )
                batch = cursor.fetchall()
                if not batch:
                    break
                cursor.executemany(
                    f"UPDATE {table} SET {quote('id_number_mask')} = %s WHERE {pk} = %s",  # noqa: S608
                    [(encrypt_resident_id_mask(decrypt_resident_id(token)), key)
                     for key, token in batch],
                )
                last = batch[-1][0]


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0018_transfer_requests'),
    ]

    operations = [
        CryptoExtensionOnPostgreSQL(),
        migrations.RunPython(create_mask_domain, drop_mask_domain),
        migrations.AddField(
            model_name='historicallabormodel',
            name='id_number_mask',
            field=cases.fields.ResidentIDMaskField(),
        ),
        migrations.AddField(
            model_name='historicalmember',
            name='id_number_mask',
            field=cases.fields.ResidentIDMaskField(),
        ),
        migrations.AddField(
            model_name='labormodel',
            name='id_number_mask',
            field=cases.fields.ResidentIDMaskField(),
        ),
        migrations.AddField(
            model_name='member',
            name='id_number_mask',
            field=cases.fields.ResidentIDMaskField(),
        ),
        migrations.RunPython(fill_masks, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='labormodel',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('id_number_digest', ''), ('id_number_mask', '')), models.Q(models.Q(('id_number_digest', ''), _negated=True), models.Q(('id_number_mask', ''), _negated=True)), _connector='OR'), name='labor_model_id_number_has_its_mask'),
        ),
        migrations.AddConstraint(
            model_name='member',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('id_number_digest', ''), ('id_number_mask', '')), models.Q(models.Q(('id_number_digest', ''), _negated=True), models.Q(('id_number_mask', ''), _negated=True)), _connector='OR'), name='member_id_number_has_its_mask'),
        ),
    ]
