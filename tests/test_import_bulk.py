"""The import's writes (``imports.bulk``): COPYs sent from a thread of their own stay in the
import's transaction and order, and a COPY that fails there fails the import as Django reports
a conflict, with nothing written."""

import pytest
from cryptography.fernet import Fernet
from django.db import IntegrityError, connection, transaction
from django.test import override_settings

from cases import crypto
from cases.models import Household
from imports.bulk import copying_in_background, insert_rows
from tests.factories import HouseholdFactory, poverty_cause

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only PostgreSQL's COPY is sent from a thread"
)
CAUSE_LINKS = Household.other_causes.through
LINK_COLUMNS = ["household_id", "povertycause_id"]


@on_postgresql
def test_a_statement_after_a_background_copy_sees_its_rows_in_the_same_transaction():
    households = HouseholdFactory.create_batch(3)
    cause = poverty_cause()
    with transaction.atomic(), copying_in_background():
        insert_rows(CAUSE_LINKS, LINK_COLUMNS, [(h.pk, cause.pk) for h in households])
        insert_rows(CAUSE_LINKS, LINK_COLUMNS, [(households[0].pk, poverty_cause("disability").pk)])
        # The query waits for both COPYs, which are this transaction's.
        assert CAUSE_LINKS.objects.count() == 4


@on_postgresql
def test_a_background_copy_that_fails_is_raised_as_a_conflict_and_nothing_stays():
    household = HouseholdFactory()
    cause = poverty_cause()
    with pytest.raises(IntegrityError), transaction.atomic(), copying_in_background():
        insert_rows(CAUSE_LINKS, LINK_COLUMNS, [(household.pk, cause.pk)])
        insert_rows(CAUSE_LINKS, LINK_COLUMNS, [(household.pk, cause.pk)])  # the same link
    assert not CAUSE_LINKS.objects.exists()


@on_postgresql
def test_foreign_keys_are_checked_as_each_background_copy_ends_not_at_commit():
    cause = poverty_cause()
    with transaction.atomic(), copying_in_background():
        insert_rows(CAUSE_LINKS, LINK_COLUMNS, [(10**9, cause.pk)])  # no such household
        with pytest.raises(IntegrityError):
            # Raised at the next statement, inside the transaction, by the import's thread.
            CAUSE_LINKS.objects.exists()
        transaction.set_rollback(True)


def test_outside_postgresql_or_the_block_links_are_written_at_once():
    household = HouseholdFactory()
    insert_rows(CAUSE_LINKS, LINK_COLUMNS, [(household.pk, poverty_cause().pk)])
    assert CAUSE_LINKS.objects.filter(household=household).count() == 1


def test_remembered_hashes_and_masks_follow_a_change_of_key():
    number = "41172719800101001X"
    tail, mask = crypto.resident_id_tail_digest(number), crypto.encrypt_resident_id_mask(number)
    assert crypto.resident_id_tail_digest(number) == tail
    with override_settings(FIELD_HASH_KEY="another-hash-key"):
        assert crypto.resident_id_tail_digest(number) not in ("", tail)
    with override_settings(FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode()):
        assert crypto.encrypt_resident_id_mask(number) not in ("", mask)
    assert crypto.encrypt_resident_id_mask(number) == mask
