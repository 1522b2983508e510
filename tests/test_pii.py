"""Personal information: ID numbers encrypted at rest with keyed hashes beside them, the logged
"显示完整号码", and exports as their own, logged permission with formula-safe cells."""

import base64
import csv
import datetime
import importlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models.signals import post_save
from django.test import override_settings
from django.urls import resolve, reverse
from django.utils import timezone
from factory.django import mute_signals
from openpyxl import load_workbook

from cases.crypto import (
    RESIDENT_ID_COLUMNS,
    decrypt_resident_id,
    encrypt_resident_id,
    fill_resident_id_columns,
    resident_id_digest,
    resident_id_tail_digest,
)
from cases.models import ExportLog, LaborModel, Member, RevealLog
from cases.privacy import counted_rows, start_export
from cases.uniqueness import duplicate_message
from cases.validators import build_resident_id, mask_id_number, mask_phone
from tests.factories import (
    HouseholdFactory,
    LaborModelFactory,
    MemberFactory,
    next_resident_id,
)
from tests.support import LIST_IDS, LISTS, export, household_in, sign_in

PROJECT = Path(__file__).resolve().parent.parent
ID_ENDING_IN_X = "11010519491231002X"


def raw_row(table, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} WHERE id = %s", [pk])
        return cursor.fetchone()


def stored_token(member_pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM cases_member WHERE id = %s", [member_pk])
        return cursor.fetchone()[0]


def raw_history_rows(table, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} WHERE id = %s", [pk])
        return cursor.fetchall()


#
# Encryption at rest
#


@pytest.mark.django_db
class TestEncryptionAtRest:
    def test_no_column_of_the_row_or_its_history_holds_the_number(self):
        member = MemberFactory(id_number=ID_ENDING_IN_X)
        member.name = "改名"
        member.save()
        rows = [raw_row("cases_member", member.pk),
                *raw_history_rows("cases_historicalmember", member.pk)]
        assert len(rows) == 3
        for row in rows:
            text = " ".join(str(value) for value in row)
            assert ID_ENDING_IN_X not in text
            # Nor its masked form: with the stored birth date it would give the number back.
            assert mask_id_number(ID_ENDING_IN_X) not in text

    def test_the_column_is_an_aes_gcm_token_of_the_configured_key(self):
        member = MemberFactory(id_number=ID_ENDING_IN_X)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id_number, id_number_digest FROM cases_member WHERE id = %s", [member.pk]
            )
            token, digest = cursor.fetchone()
        # The documented format, opened without the application's code (as a recovery tool
        # reading a backup would).
        key = HKDF(algorithm=SHA256(), length=32, salt=None,
                   info=b"reliefportal resident ID AES-256-GCM").derive(
            base64.urlsafe_b64decode(os.environ["FIELD_ENCRYPTION_KEY"]))
        assert token.startswith("v2.")
        data = base64.urlsafe_b64decode(token.removeprefix("v2."))
        plaintext = AESGCM(key).decrypt(data[:12], data[12:], b"reliefportal:resident-id")
        assert plaintext.decode() == ID_ENDING_IN_X
        assert digest == resident_id_digest(ID_ENDING_IN_X) != ID_ENDING_IN_X
        # Python code keeps reading the plain number.
        assert Member.objects.get(pk=member.pk).id_number == ID_ENDING_IN_X
        assert Member.objects.values_list("id_number", flat=True).get() == ID_ENDING_IN_X

    def test_rows_written_as_fernet_tokens_are_read_and_rewritten_by_reencrypt(self):
        member = MemberFactory(id_number=ID_ENDING_IN_X)
        legacy = Fernet(os.environ["FIELD_ENCRYPTION_KEY"].encode()).encrypt(
            ID_ENDING_IN_X.encode()).decode()
        with connection.cursor() as cursor:
            cursor.execute("UPDATE cases_member SET id_number = %s WHERE id = %s",
                           [legacy, member.pk])
        assert stored_token(member.pk) == legacy
        assert Member.objects.get(pk=member.pk).id_number == ID_ENDING_IN_X
        call_command("reencrypt_resident_ids", stdout=io.StringIO())
        assert stored_token(member.pk).startswith("v2.")
        assert Member.objects.get(pk=member.pk).id_number == ID_ENDING_IN_X

    @pytest.mark.parametrize("broken", ["v2.not-base64!", "v2.", "gAAAAAnonsense"])
    def test_a_damaged_token_is_refused_not_misread(self, broken):
        with pytest.raises(InvalidToken):
            decrypt_resident_id(broken)

    def test_a_token_with_a_changed_byte_is_refused(self):
        data = bytearray(base64.urlsafe_b64decode(
            encrypt_resident_id(ID_ENDING_IN_X).removeprefix("v2.")))
        data[-1] ^= 1
        with pytest.raises(InvalidToken):
            decrypt_resident_id("v2." + base64.urlsafe_b64encode(bytes(data)).decode())

    def test_the_same_number_encrypts_differently_each_time(self):
        assert encrypt_resident_id(ID_ENDING_IN_X) != encrypt_resident_id(ID_ENDING_IN_X)

    def test_another_key_cannot_decrypt_and_another_hash_key_gives_other_digests(self):
        token = encrypt_resident_id(ID_ENDING_IN_X)
        digest = resident_id_digest(ID_ENDING_IN_X)
        with override_settings(FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
                               FIELD_HASH_KEY="another-hash-key"):
            with pytest.raises(InvalidToken):
                decrypt_resident_id(token)
            assert resident_id_digest(ID_ENDING_IN_X) != digest

    def test_a_rotated_key_list_still_reads_rows_written_with_the_old_key(self):
        member = MemberFactory(id_number=ID_ENDING_IN_X)
        old_key = os.environ["FIELD_ENCRYPTION_KEY"]
        with override_settings(FIELD_ENCRYPTION_KEY=f"{Fernet.generate_key().decode()},{old_key}"):
            assert Member.objects.get(pk=member.pk).id_number == ID_ENDING_IN_X

    def test_lookups_go_through_the_hashes(self):
        member = MemberFactory(id_number=ID_ENDING_IN_X)
        MemberFactory()
        assert list(Member.objects.filter(id_number=ID_ENDING_IN_X.lower())) == [member]
        assert list(Member.objects.filter(id_number__iendswith="002x")) == [member]
        assert list(Member.objects.filter(id_number__iendswith=ID_ENDING_IN_X)) == [member]
        # Only the last four characters or the whole number can be searched: nothing in
        # between is stored in a comparable form.
        assert not Member.objects.filter(id_number__iendswith="1002X").exists()
        assert list(HouseholdFactory._meta.model.objects.filter(
            members__id_number=ID_ENDING_IN_X)) == [member.household]

    def test_bulk_create_fills_the_hashes_and_bulk_update_with_the_helper(self):
        household = HouseholdFactory()
        first, second = next_resident_id(), next_resident_id()
        [member] = Member.objects.bulk_create([Member(
            household=household, county=household.county, name="甲", id_number=first,
            relation="head",
        )])
        assert Member.objects.get(id_number=first).pk == member.pk
        member.id_number = second
        fill_resident_id_columns(member)
        Member.objects.bulk_update([member], RESIDENT_ID_COLUMNS)
        assert Member.objects.get(id_number=second).pk == member.pk
        assert Member.objects.filter(id_number__iendswith=second[-4:]).get().pk == member.pk
        assert not Member.objects.filter(id_number=first).exists()

    def test_the_database_refuses_a_duplicate_number(self):
        existing = MemberFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Member.objects.bulk_create([Member(
                household=existing.household, county=existing.county, name="重复",
                id_number=existing.id_number, relation="son",
            )])

    def test_a_duplicate_labor_model_number_is_a_field_error_and_blank_ones_are_fine(self):
        existing = LaborModelFactory(id_number=ID_ENDING_IN_X)
        duplicate = LaborModelFactory.build(county=existing.county, id_number=ID_ENDING_IN_X)
        with pytest.raises(Exception) as caught:
            duplicate.full_clean()
        assert caught.value.message_dict["id_number"] == [duplicate_message("身份证号")]
        LaborModelFactory(id_number="")
        LaborModelFactory(id_number="")
        assert LaborModel.objects.filter(id_number="").count() == 2


@pytest.mark.parametrize("debug", ["false", "true"])
def test_the_keys_are_required_in_production_and_have_a_development_default(debug):
    env = {key: value for key, value in os.environ.items()
           if key not in {"FIELD_ENCRYPTION_KEY", "FIELD_HASH_KEY", "DJANGO_SETTINGS_MODULE"}}
    env.update(DEBUG=debug, SECRET_KEY="x" * 50)
    result = subprocess.run(
        [sys.executable, "-c", "import reliefportal.settings"],
        cwd=PROJECT, env=env, capture_output=True, text=True, check=False,
    )
    if debug == "false":
        assert result.returncode != 0
        assert "FIELD_ENCRYPTION_KEY and FIELD_HASH_KEY must be set" in result.stderr
    else:
        assert result.returncode == 0, result.stderr


def test_neither_key_is_in_the_repository():
    tracked = subprocess.run(
        ["git", "grep", "-l", "-e", os.environ["FIELD_ENCRYPTION_KEY"], "--", ":!tests/"],
        cwd=PROJECT, capture_output=True, text=True, check=False,
    )
    assert tracked.stdout == ""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_encrypts_existing_numbers_and_reverses():
    """0006 turns clear numbers (rows and history) into ciphertext and hashes, and back."""
    executor = MigrationExecutor(connection)
    before, after = ("cases", "0005_indicator_targets"), ("cases", "0006_encrypt_resident_ids")
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([before])
    # Receivers of today's models (e.g. cases.summaries) must not run against the tables of
    # 0005, which lack what they write to.
    muted = mute_signals(post_save)
    muted.__enter__()
    try:
        old = MigrationExecutor(connection).loader.project_state(before).apps
        County, Household, Member_ = (old.get_model("cases", name)
                                      for name in ("County", "Household", "Member"))
        county = County.objects.create(code="419901", name="迁移县")
        township = old.get_model("cases", "Township").objects.create(county=county, name="乡")
        village = old.get_model("cases", "Village").objects.create(
            township=township, county=county, name="村")
        cause = old.get_model("cases", "PovertyCause").objects.create(code="m", name="迁移")
        household = Household.objects.create(
            register_number="M1", head_name="甲", village=village, county=county,
            identified_on="2016-01-01", main_cause=cause)
        number = build_resident_id("419901", __import__("datetime").date(1970, 1, 2), 123)
        member = Member_.objects.create(household=household, county=county, name="甲",
                                        id_number=number, relation="head")
        old.get_model("cases", "LaborModel").objects.create(
            county=county, name="无号", id_number="", honour_level="city",
            honour_title="labor_model", year_awarded=2010)

        executor = MigrationExecutor(connection)
        executor.migrate([after])
        token = raw_row("cases_member", member.pk)
        assert number not in " ".join(map(str, token))
        new = MigrationExecutor(connection).loader.project_state(after).apps
        migrated = new.get_model("cases", "Member").objects.get(pk=member.pk)
        assert migrated.id_number == number
        assert migrated.id_number_digest == resident_id_digest(number)
        assert migrated.id_number_tail == resident_id_tail_digest(number)
        blank = new.get_model("cases", "LaborModel").objects.get(name="无号")
        assert (blank.id_number, blank.id_number_digest) == ("", "")

        executor = MigrationExecutor(connection)
        executor.migrate([before])
        old = MigrationExecutor(connection).loader.project_state(before).apps
        assert old.get_model("cases", "Member").objects.get(pk=member.pk).id_number == number
    finally:
        muted.__exit__(None, None, None)
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)


#
# The logged reveal
#


@pytest.fixture
def member_a(county_a):
    return MemberFactory(household=household_in(county_a, phone="13812345678"),
                         id_number=ID_ENDING_IN_X)


def reveal_url(record, field):
    return reverse("cases:reveal", args=[record._meta.model_name, record.pk, field])


@pytest.mark.django_db
class TestReveal:
    def test_county_staff_see_a_button_and_the_full_number_once_logged(
        self, client, county_a_clerk, member_a
    ):
        client.force_login(county_a_clerk)
        page = client.get(member_a.household.get_absolute_url()).content.decode()
        assert reveal_url(member_a, "id_number") in page
        assert reveal_url(member_a.household, "phone") in page
        assert ID_ENDING_IN_X not in page and "13812345678" not in page
        assert not RevealLog.objects.exists()

        response = client.post(reveal_url(member_a, "id_number"))
        assert response.status_code == 200
        assert ID_ENDING_IN_X in response.content.decode()
        assert "no-store" in response["Cache-Control"]
        log = RevealLog.objects.get()
        assert (log.user, log.object_id, log.field_name, log.county) == (
            county_a_clerk, member_a.pk, "id_number", member_a.county)
        assert log.content_type.model_class() is Member

        response = client.post(reveal_url(member_a.household, "phone"))
        assert "13812345678" in response.content.decode()
        assert RevealLog.objects.count() == 2

    def test_a_labor_model_number_and_phone(self, client, county_a, county_a_clerk):
        labor_model = LaborModelFactory(county=county_a, id_number=ID_ENDING_IN_X,
                                        phone="13912345678")
        client.force_login(county_a_clerk)
        page = client.get(labor_model.get_absolute_url()).content.decode()
        assert reveal_url(labor_model, "id_number") in page
        assert ID_ENDING_IN_X not in page and mask_phone("13912345678") in page
        assert "13912345678" in client.post(reveal_url(labor_model, "phone")).content.decode()
        assert RevealLog.objects.get().field_name == "phone"

    @pytest.mark.parametrize(("who", "status"), [
        ("county_b_clerk", 404), ("city_reviewer", 403), ("administrator", 403),
        ("no_role_user", 404),
    ])
    def test_nobody_else_sees_it_or_leaves_a_log(self, client, member_a, request, who, status):
        sign_in(client, request.getfixturevalue(who))
        response = client.post(reveal_url(member_a, "id_number"))
        assert response.status_code == status
        assert ID_ENDING_IN_X not in response.content.decode()
        assert not RevealLog.objects.exists()

    def test_reviewers_pages_show_no_button(self, client, city_reviewer, member_a):
        client.force_login(city_reviewer)
        page = client.get(member_a.household.get_absolute_url()).content.decode()
        assert reveal_url(member_a, "id_number") not in page
        assert mask_id_number(ID_ENDING_IN_X) in page

    def test_anonymous_users_go_to_the_login_and_get_is_refused(
        self, client, county_a_clerk, member_a
    ):
        response = client.post(reveal_url(member_a, "id_number"))
        assert response.status_code == 302 and "login" in response["Location"]
        client.force_login(county_a_clerk)
        assert client.get(reveal_url(member_a, "id_number")).status_code == 405
        assert not RevealLog.objects.exists()

    def test_only_masked_fields_can_be_revealed(self, client, county_a_clerk, member_a):
        client.force_login(county_a_clerk)
        assert client.post(reveal_url(member_a, "name")).status_code == 404
        assert client.post(
            reverse("cases:reveal", args=["pairing", member_a.pk, "phone"])
        ).status_code == 404


#
# Exports: a permission of their own, logged, formula-safe
#


def download(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


EXPORT_URLS = [
    ("cases:household_list", {"export": "csv"}),
    ("cases:member_list", {"export": "xlsx"}),
    ("cases:dashboard_export", {}),
    ("cases:indicators_json", {}),
]


@pytest.mark.django_db
class TestExportPermission:
    @pytest.mark.parametrize(("url_name", "params"), EXPORT_URLS)
    def test_without_the_permission_every_export_is_refused_and_not_logged(
        self, client, county_a_clerk, no_role_user, url_name, params
    ):
        county_a_clerk.groups.first().permissions.remove(
            Permission.objects.get(codename="export_records"))
        for user in (county_a_clerk, no_role_user):
            client.force_login(user)
            # Exports are posted; the JSON is a document other systems read.
            start = type(client).get if url_name == "cases:indicators_json" else export
            assert start(client, reverse(url_name), params).status_code == 403
        assert not ExportLog.objects.exists()

    def test_the_roles_that_export_have_the_permission(
        self, county_a_clerk, city_reviewer, no_role_user
    ):
        assert county_a_clerk.has_perm("cases.export_records")
        assert city_reviewer.has_perm("cases.export_records")
        assert not no_role_user.has_perm("cases.export_records")

    def test_the_page_offers_no_export_without_the_permission(self, client, county_a_clerk):
        client.force_login(county_a_clerk)
        url = reverse("cases:household_list")
        assert 'name="export" value="csv"' in client.get(url).content.decode()
        county_a_clerk.groups.first().permissions.remove(
            Permission.objects.get(codename="export_records"))
        client.force_login(county_a_clerk)
        assert 'name="export"' not in client.get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("spec", LISTS, ids=LIST_IDS)
def test_every_list_export_leaves_one_log_row_with_its_count(
    client, spec, county_a, county_b, county_a_clerk, city_reviewer
):
    for label in ("一", "二"):
        spec.make(county_a, label)
    spec.make(county_b, "三")
    client.force_login(county_a_clerk)
    response = export(client, spec.url, {"export": "csv", "sort": "-id"})
    lines = list(csv.reader(io.StringIO(download(response).decode().removeprefix("\ufeff"))))
    log = ExportLog.objects.get()
    assert len(lines) - 1 == log.row_count == 2
    assert log.completed and log.user == county_a_clerk and log.file_format == "csv"
    assert log.list_name == f"cases:{spec.name}_list"
    assert "sort=-id" in log.query

    client.force_login(city_reviewer)
    download(export(client, spec.url, {"export": "xlsx"}))
    assert ExportLog.objects.latest("id").row_count == 3
    assert ExportLog.objects.count() == 2


@pytest.mark.django_db
def test_a_download_broken_off_is_logged_as_incomplete(rf, county_a_clerk):
    """What the server does when the client goes away: it closes the response, which closes
    the row generator; the log keeps the rows sent so far and ``completed`` stays false."""
    request = rf.get("/households/", {"export": "csv"})
    request.user = county_a_clerk
    request.resolver_match = resolve("/households/")
    log = start_export(request, "csv")
    rows = counted_rows(iter([["户编号"], ["1"], ["2"], ["3"]]), log)
    next(rows), next(rows)  # the header and one row
    rows.close()
    log.refresh_from_db()
    assert (log.row_count, log.completed, log.list_name) == (1, False, "cases:household_list")


@pytest.mark.django_db
def test_the_dashboard_workbook_and_the_json_are_logged(client, county_a, county_b, city_reviewer,
                                                        county_a_clerk):
    client.force_login(city_reviewer)
    workbook = export(client, reverse("cases:dashboard_export"), {"end": "2018-08-31"})
    assert workbook.status_code == 200
    document = json.loads(client.get(reverse("cases:indicators_json")).content)
    counties = len(document["indicators"][0]["by_county"])
    workbook_log, json_log = ExportLog.objects.order_by("id")
    assert (workbook_log.list_name, workbook_log.file_format) == ("cases:dashboard_export", "xlsx")
    assert "end=2018-08-31" in workbook_log.query
    assert workbook_log.row_count == counties == 2
    assert (json_log.list_name, json_log.row_count) == ("cases:indicators_json", 2)

    client.force_login(county_a_clerk)
    client.get(reverse("cases:indicators_json"))
    assert ExportLog.objects.latest("id").row_count == 1


FORMULAS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd"]


@pytest.mark.django_db
@pytest.mark.parametrize("spec", LISTS, ids=LIST_IDS)
def test_cells_that_would_be_formulas_are_escaped_in_every_list_export(
    client, spec, county_a, county_a_clerk
):
    for formula in FORMULAS:
        spec.make(county_a, f"{formula}甲")
    client.force_login(county_a_clerk)
    text = download(export(client, spec.url, {"export": "csv"})).decode().removeprefix("\ufeff")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    workbook = load_workbook(io.BytesIO(download(export(client, spec.url, {"export": "xlsx"}))))
    sheet_cells = [cell for row in workbook.active.iter_rows(values_only=True) for cell in row
                   if isinstance(cell, str)]
    for formula in FORMULAS:
        for found in (cells, sheet_cells):
            assert not any(cell.startswith(formula) for cell in found), (formula, found)
            assert any(cell.startswith(f"'{formula}") for cell in found), (formula, found)


@pytest.mark.django_db
def test_the_register_export_with_full_numbers_is_logged(client, county_a, county_a_clerk):
    household = household_in(county_a)
    MemberFactory(household=household)
    MemberFactory(household=household, relation="son")
    client.force_login(county_a_clerk)
    response = export(client, reverse("imports:register_export"), {"format": "csv"})
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(download(response).decode().removeprefix("\ufeff"))))
    log = ExportLog.objects.get()
    assert (log.list_name, log.file_format, log.completed) == (
        "imports:register_export", "csv", True)
    assert log.row_count == len(lines) - 1 == 2


@pytest.mark.django_db
def test_rotating_both_keys_with_the_reencrypt_command(capsys):
    member = MemberFactory(id_number=ID_ENDING_IN_X)
    old_key = os.environ["FIELD_ENCRYPTION_KEY"]
    new_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEY=f"{new_key},{old_key}",
                           FIELD_HASH_KEY="rotated-hash-key"):
        call_command("reencrypt_resident_ids")
        # Found by the new hash, and readable with the new key alone.
        assert Member.objects.get(id_number=ID_ENDING_IN_X).pk == member.pk
        assert Member.history.filter(id_number=ID_ENDING_IN_X).exists()
    with override_settings(FIELD_ENCRYPTION_KEY=new_key, FIELD_HASH_KEY="rotated-hash-key"):
        assert Member.objects.get(pk=member.pk).id_number == ID_ENDING_IN_X
    assert "cases_member: 1 rows" in capsys.readouterr().out


@pytest.mark.django_db
def test_an_export_searched_by_a_whole_id_number_logs_it_masked(client, county_a_clerk, member_a):
    client.force_login(county_a_clerk)
    response = export(client, reverse("cases:member_list"),
                      {"q": ID_ENDING_IN_X.lower(), "export": "csv"})
    assert len(download(response).decode().strip().splitlines()) == 2  # header and the member
    log = ExportLog.objects.get()
    assert ID_ENDING_IN_X.lower() not in log.query.lower()
    assert mask_id_number(ID_ENDING_IN_X.lower()) in log.query


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["13002769926", "0396-8123456"])
def test_an_export_searched_by_a_whole_phone_number_logs_it_masked(
    client, county_a_clerk, member_a, phone
):
    """Issue 20, finding 6: the export log (admin's 导出记录) kept ``q=13002769926``."""
    client.force_login(county_a_clerk)
    download(export(client, reverse("cases:member_list"), {"q": phone, "export": "csv"}))
    log = ExportLog.objects.get()
    assert phone not in log.query
    assert mask_phone(phone) in log.query


@pytest.mark.django_db
def test_reveals_are_limited_per_user_and_hour(client, county_a_clerk, member_a, settings):
    settings.REVEAL_LIMIT_PER_HOUR = 2
    client.force_login(county_a_clerk)
    for _attempt in range(2):
        assert client.post(reveal_url(member_a, "id_number")).status_code == 200

    refused = client.post(reveal_url(member_a, "id_number"))

    assert refused.status_code == 429
    assert ID_ENDING_IN_X not in refused.content.decode()
    assert "一小时内最多查看 2 个完整号码" in refused.content.decode()
    assert RevealLog.objects.count() == 2
    RevealLog.objects.update(revealed_at=timezone.now() - datetime.timedelta(hours=2))
    assert client.post(reveal_url(member_a, "id_number")).status_code == 200


@pytest.mark.django_db
def test_the_phone_numbers_logs_kept_before_are_masked_by_a_migration(county_a_clerk):
    from django.apps import apps

    migration = importlib.import_module("cases.migrations.0013_mask_phones_in_export_logs")
    kept = ExportLog.objects.create(
        user=county_a_clerk, list_name="cases:member_list", path="/members/", file_format="csv",
        query="q=13002769926&sort=name",
    )
    other = ExportLog.objects.create(
        user=county_a_clerk, list_name="cases:member_list", path="/members/", file_format="csv",
        query="identified_before=2018-08-31",
    )

    migration.mask_phones_in_export_logs(apps, None)

    kept.refresh_from_db()
    other.refresh_from_db()
    assert kept.query == f"q={mask_phone('13002769926')}&sort=name"
    assert other.query == "identified_before=2018-08-31"
