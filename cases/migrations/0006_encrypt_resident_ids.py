"""Encrypt resident ID numbers at rest, with keyed hashes for lookups (see cases/crypto.py).

The clear column is renamed, the new columns are filled from it (Members, labor models and
their history rows alike), then it is dropped. Reversible: going back decrypts into the
clear column again.
"""

from django.db import migrations, models

import cases.fields
from cases.crypto import (
    decrypt_resident_id,
    encrypt_resident_id,
    resident_id_digest,
    resident_id_tail_digest,
)

TABLES = ("member", "labormodel", "historicalmember", "historicallabormodel")
BATCH = 2000


def _rows(cursor, table, pk, column):
    cursor.execute(f"SELECT {pk}, {column} FROM {table}")  # noqa: S608 (names from the model)
    while batch := cursor.fetchmany(BATCH):
        yield batch


def encrypt(apps, schema_editor):
    quote = schema_editor.connection.ops.quote_name
    for name in TABLES:
        meta = apps.get_model("cases", name)._meta
        table, pk = quote(meta.db_table), quote(meta.pk.column)
        with schema_editor.connection.cursor() as reader, \
                schema_editor.connection.cursor() as writer:
            for batch in _rows(reader, table, pk, quote("id_number_plain")):
                writer.executemany(
                    f"UPDATE {table} SET {quote('id_number')} = %s, "  # noqa: S608
                    f"{quote('id_number_digest')} = %s, {quote('id_number_tail')} = %s "
                    f"WHERE {pk} = %s",
                    [
                        (encrypt_resident_id(plain), resident_id_digest(plain),
                         resident_id_tail_digest(plain), key)
                        for key, plain in batch
                    ],
                )


def decrypt(apps, schema_editor):
    quote = schema_editor.connection.ops.quote_name
    for name in TABLES:
        meta = apps.get_model("cases", name)._meta
        table, pk = quote(meta.db_table), quote(meta.pk.column)
        with schema_editor.connection.cursor() as reader, \
                schema_editor.connection.cursor() as writer:
            for batch in _rows(reader, table, pk, quote("id_number")):
                writer.executemany(
                    f"UPDATE {table} SET {quote('id_number_plain')} = %s WHERE {pk} = %s",  # noqa: S608
                    [(decrypt_resident_id(token), key) for key, token in batch],
                )


def columns_for(model_name):
    yield migrations.RenameField(model_name, "id_number", "id_number_plain")
    yield migrations.AlterField(
        model_name, "id_number_plain", models.CharField(max_length=18, null=True, blank=True)
    )
    yield migrations.AddField(
        model_name, "id_number",
        cases.fields.EncryptedResidentIDField(blank=True, default="", verbose_name="身份证号"),
    )
    yield migrations.AddField(model_name, "id_number_digest", cases.fields.ResidentIDDigestField())
    yield migrations.AddField(
        model_name, "id_number_tail", cases.fields.ResidentIDDigestField(part="tail", db_index=True)
    )


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0005_indicator_targets"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="labormodel", name="labor_model_id_number_unique"),
        *(operation for name in TABLES for operation in columns_for(name)),
        migrations.RunPython(encrypt, decrypt),
        *(migrations.RemoveField(name, "id_number_plain") for name in TABLES),
        migrations.AlterField(
            "member", "id_number", cases.fields.EncryptedResidentIDField(verbose_name="身份证号")
        ),
        migrations.AlterField(
            "historicalmember", "id_number",
            cases.fields.EncryptedResidentIDField(verbose_name="身份证号"),
        ),
        migrations.AlterField(
            "labormodel", "id_number",
            cases.fields.EncryptedResidentIDField(blank=True, verbose_name="身份证号"),
        ),
        migrations.AlterField(
            "historicallabormodel", "id_number",
            cases.fields.EncryptedResidentIDField(blank=True, verbose_name="身份证号"),
        ),
        migrations.AlterField("member", "id_number_digest", cases.fields.ResidentIDDigestField(unique=True)),
        migrations.AlterField(
            "historicalmember", "id_number_digest", cases.fields.ResidentIDDigestField(db_index=True)
        ),
        migrations.AddConstraint(
            model_name="labormodel",
            constraint=models.UniqueConstraint(
                condition=models.Q(("id_number_digest", ""), _negated=True),
                fields=("id_number_digest",),
                name="labor_model_id_number_unique",
                violation_error_message="已有劳模使用该身份证号。",
            ),
        ),
    ]
