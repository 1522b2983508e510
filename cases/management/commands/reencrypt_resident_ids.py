"""Re-encrypt every resident ID number and its mask with the first FIELD_ENCRYPTION_KEY and
recompute its hashes with the current FIELD_HASH_KEY (rows and their history). Run after
rotating a key."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from cases.crypto import (
    decrypt_resident_id,
    encrypt_resident_id,
    encrypt_resident_id_mask,
    resident_id_digest,
    resident_id_tail_digest,
)
from cases.models import LaborModel, Member

BATCH = 2000


class Command(BaseCommand):
    help = (
        "Re-encrypt resident ID numbers and their masks with the first key of "
        "FIELD_ENCRYPTION_KEY and recompute "
        "their hashes with FIELD_HASH_KEY. Keep the old encryption key listed after the new one "
        "until this has run."
    )

    def handle(self, *args, **options):
        quote = connection.ops.quote_name
        tables = [
            (model._meta.db_table, model._meta.pk.column)
            for base in (Member, LaborModel) for model in (base, base.history.model)
        ]
        with transaction.atomic():
            for table, pk in tables:
                with connection.cursor() as reader:
                    reader.execute(f"SELECT {quote(pk)}, {quote('id_number')} "  # noqa: S608
                                   f"FROM {quote(table)}")
                    rows = reader.fetchall()
                with connection.cursor() as writer:
                    for start in range(0, len(rows), BATCH):
                        batch = []
                        for key, token in rows[start:start + BATCH]:
                            plain = decrypt_resident_id(token)
                            batch.append((encrypt_resident_id(plain), resident_id_digest(plain),
                                          resident_id_tail_digest(plain),
                                          encrypt_resident_id_mask(plain), key))
                        writer.executemany(
                            f"UPDATE {quote(table)} SET {quote('id_number')} = %s, "  # noqa: S608
                            f"{quote('id_number_digest')} = %s, {quote('id_number_tail')} = %s, "
                            f"{quote('id_number_mask')} = %s "
                            f"WHERE {quote(pk)} = %s",
                            batch,
                        )
                self.stdout.write(f"{table}: {len(rows)} rows")
