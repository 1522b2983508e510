"""List exports written by PostgreSQL (``cases.sql_exports``) are byte for byte the files the
Python path writes, masks, labels, dates and formula escaping included; a mask that does not
open stops the export with a message, never a file of garbage."""

import base64
import datetime
import importlib
import io

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from cases import crypto, kinds, sql_exports
from cases.crypto import RESIDENT_ID_COLUMNS, fill_resident_id_columns
from cases.models import ExportLog, Household, Member
from cases.tables import HouseholdTable, MemberTable
from cases.validators import mask_id_number
from tests.factories import (
    HouseholdFactory,
    MemberFactory,
    VillageFactory,
    next_resident_id,
    poverty_cause,
)
from tests.support import export

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL writes these files"
)

# Each begins with a character Excel would take for a formula, or needs quoting in CSV.
AWKWARD_TEXTS = [
    "=1+2", "+8613812345678", "-负数", "@某人", "\t制表", "\r回车", '引"号', "逗,号",
    "换\n行", "回车\r\n换行", " 前后空格 ", "普通",
]


@pytest.fixture
def awkward_lists(county_a):
    """Households and members whose every text column holds something awkward."""
    for index, text in enumerate(AWKWARD_TEXTS):
        household = HouseholdFactory(
            village__township__county=county_a, head_name=text,
            phone=["13812345678", "0396-1234567", "", "12345"][index % 4],
            exit_date=datetime.date(2019, 12, 31) if index % 2 else None,
            status="exited" if index % 2 else "not_exited",
        )
        MemberFactory(
            household=household, name=text,
            phone=["", "13812345678", "=12345678", "0396-1234567"][index % 4],
            education="" if index % 3 else "junior",
        )
    Member.objects.filter(name="普通").update(birth_date=None)


def files(client, url, file_format, monkeypatch):
    """The export of ``url`` written by PostgreSQL, then the same written by Python."""
    compiled = []
    with monkeypatch.context() as patched:
        compile_export = sql_exports.compile_export
        patched.setattr(sql_exports, "compile_export", lambda *args, **kwargs: compiled.append(
            compile_export(*args, **kwargs)) or compiled[-1])
        by_sql = b"".join(export(client, url, {"export": file_format}).streaming_content)
    assert compiled and compiled[-1] is not None
    with monkeypatch.context() as patched:
        patched.setattr(sql_exports, "compile_export", lambda *args, **kwargs: None)
        by_python = b"".join(export(client, url, {"export": file_format}).streaming_content)
    return by_sql, by_python


@on_postgresql
@pytest.mark.parametrize("url_name", ["cases:member_list", "cases:household_list"])
def test_the_csv_postgresql_writes_is_the_python_one(
    client, county_a_clerk, awkward_lists, monkeypatch, url_name
):
    client.force_login(county_a_clerk)
    by_sql, by_python = files(client, reverse(url_name), "csv", monkeypatch)
    assert by_sql == by_python
    text = by_sql.decode("utf-8")
    assert text.startswith("\ufeff")
    assert "'=1+2" in text and "'@某人" in text
    if url_name == "cases:member_list":
        # Masked: region and last four characters only; the phone's middle hidden.
        member = Member.objects.get(name="普通")
        assert f"{member.id_number[:6]}********{member.id_number[-4:]}" in text
        assert member.id_number not in text
        assert "138****5678" in text and "'=12**5678" in text


@on_postgresql
@pytest.mark.parametrize("url_name", ["cases:member_list", "cases:household_list"])
def test_the_workbook_from_postgresql_holds_the_python_ones_cells(
    client, county_a_clerk, awkward_lists, monkeypatch, url_name
):
    client.force_login(county_a_clerk)
    by_sql, by_python = files(client, reverse(url_name), "xlsx", monkeypatch)

    def cells(content):
        sheet = load_workbook(io.BytesIO(content)).active
        return [list(row) for row in sheet.iter_rows(values_only=True)]

    assert cells(by_sql) == cells(by_python)


@on_postgresql
def test_both_lists_compile_and_a_table_method_falls_back(county_a, county_a_clerk):
    queryset = Member.objects.for_user(county_a_clerk)
    assert sql_exports.compile_export(MemberTable(queryset), queryset, for_csv=True)
    households = HouseholdTable(
        kinds.by_model(Household).list_rows(Household.objects.for_user(county_a_clerk))
    )
    assert sql_exports.compile_export(households, households.data.data, for_csv=True)

    class RenderedName(MemberTable):
        def render_name(self, value):
            return value.upper()

    assert sql_exports.compile_export(RenderedName(queryset), queryset, for_csv=True) is None


@on_postgresql
def test_a_mask_the_key_does_not_open_stops_the_export(
    client, county_a_clerk, awkward_lists, settings
):
    # A key rotated without reencrypt_resident_ids: the masks are still under the old key.
    settings.FIELD_ENCRYPTION_KEY = (
        "bmV3LWtleS1hZnRlci1yb3RhdGlvbi0wMDAwMDAwMDA=," + settings.FIELD_ENCRYPTION_KEY
    )
    client.force_login(county_a_clerk)
    response = export(client, reverse("cases:member_list"), {"export": "csv"})
    assert response.status_code == 302
    messages = [str(message) for message in response.wsgi_request._messages]
    assert any("reencrypt_resident_ids" in message for message in messages)
    assert ExportLog.objects.get().completed is False


def test_the_database_refuses_a_number_without_its_mask(county_a):
    member = MemberFactory(household__village__township__county=county_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=member.pk).update(id_number_mask="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=member.pk).update(id_number_digest="")


def test_the_mask_is_the_masked_number_under_its_own_key(county_a):
    member = MemberFactory(household__village__township__county=county_a)
    stored = Member.objects.values_list("id_number_mask", flat=True).get(pk=member.pk)
    assert member.id_number[6:14] not in stored
    # The mask key is not the key of whole numbers, and derives from the first key alone.
    assert open_mask(stored) == mask_id_number(member.id_number)
    whole_key = HKDF(algorithm=SHA256(), length=32, salt=None,
                     info=b"reliefportal resident ID AES-256-GCM").derive(
        base64.urlsafe_b64decode(settings.FIELD_ENCRYPTION_KEY.split(",")[0]))
    assert crypto.resident_id_mask_key() != whole_key


@on_postgresql
def test_postgresql_opens_a_mask_to_the_masked_number(county_a):
    member = MemberFactory(household__village__township__county=county_a)
    queryset = Member.objects.filter(pk=member.pk)
    compiled = sql_exports.compile_export(MemberTable(queryset), queryset, for_csv=False)
    rows = list(sql_exports.xlsx_rows(compiled))
    assert f"{member.id_number[:6]}********{member.id_number[-4:]}" in rows[1]


def test_the_str_fields_spell_each_objects_str(county_a):
    VillageFactory(township__county=county_a)
    poverty_cause()
    for model, parts in sql_exports.STR_FIELDS.items():
        objects = list(model.objects.all())
        assert objects
        for obj in objects:
            assert "".join(model.objects.values_list(*parts).get(pk=obj.pk)) == str(obj)


def test_crlf_lines_keeps_a_newline_within_a_quoted_field():
    pieces = [b'a,"x\n', b'y",b\nc,"""q""\n', b'"\n']
    assert b"".join(sql_exports.crlf_lines(pieces)) == b'a,"x\ny",b\r\nc,"""q""\n"\r\n'


def open_mask(stored):
    """The documented format, opened without the application's code."""
    data = base64.b64decode(stored)
    key = HKDF(algorithm=SHA256(), length=64, salt=None,
               info=b"reliefportal resident ID mask AES-256-CBC").derive(
        base64.urlsafe_b64decode(settings.FIELD_ENCRYPTION_KEY.split(",")[0]))[:32]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(data[:16])).decryptor()
    padded = decryptor.update(data[16:]) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    plaintext = (unpadder.update(padded) + unpadder.finalize()).decode()
    if not plaintext.startswith("mask:"):
        raise ValueError("not a mask")
    return plaintext.removeprefix("mask:")


def stored_mask(pk):
    return Member.objects.values_list("id_number_mask", flat=True).get(pk=pk)


def test_every_writer_fills_the_mask_and_reencrypt_rewrites_it(county_a):
    household = HouseholdFactory(village__township__county=county_a)
    first, second = next_resident_id(), next_resident_id()
    [member] = Member.objects.bulk_create([Member(
        household=household, county=household.county, name="甲", id_number=first,
        relation="head",
    )])
    assert open_mask(stored_mask(member.pk)) == mask_id_number(first)
    member.id_number = second
    fill_resident_id_columns(member)
    Member.objects.bulk_update([member], RESIDENT_ID_COLUMNS)
    assert open_mask(stored_mask(member.pk)) == mask_id_number(second)
    # The same mask encrypts the same way (a synthetic IV); another mask does not.
    assert crypto.encrypt_resident_id_mask(second) == stored_mask(member.pk)
    assert crypto.encrypt_resident_id_mask(first) != stored_mask(member.pk)

    rotated = f"{Fernet.generate_key().decode()},{settings.FIELD_ENCRYPTION_KEY}"
    with override_settings(FIELD_ENCRYPTION_KEY=rotated):
        call_command("reencrypt_resident_ids", stdout=io.StringIO())
        assert open_mask(stored_mask(member.pk)) == mask_id_number(second)
    with pytest.raises(ValueError):
        open_mask(stored_mask(member.pk))


def test_the_migration_fills_the_masks_of_existing_rows(county_a):
    member = MemberFactory(household__village__township__county=county_a)
    Member.objects.filter(pk=member.pk).update(id_number_mask="c3RhbGU=")
    migration = importlib.import_module("cases.migrations.0019_resident_id_masks")
    migration.fill_masks(django_apps, connection.schema_editor())
    assert open_mask(stored_mask(member.pk)) == mask_id_number(member.id_number)
