"""Issue 20, finding 4: background exports and uploaded import files held thousands of whole ID
numbers in plaintext on disk. They are now stored encrypted (``cases.filecrypt``: chunks of
AES-256-GCM under a key derived from FIELD_ENCRYPTION_KEY), read back as they were written,
and a file that does not open is refused with a message, never a server error."""

import csv
import io
import logging
import os
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cases import filecrypt
from cases.models import ExportJob, Household, Member
from imports.models import ImportRun, ImportStatus
from imports.services import import_run_preview
from tests.factories import MemberFactory, TownshipFactory, VillageFactory
from tests.import_files import (
    as_table,
    csv_bytes,
    household_values,
    member_values,
    register_row,
    resident_id,
    xlsx_bytes,
)
from tests.support import export

CHUNK = filecrypt.CHUNK_BYTES
SEGMENT = filecrypt.SEGMENT_BYTES
HEADER = filecrypt.HEADER_BYTES
ZIP_MAGIC = b"PK\x03\x04"


def sealed(data, pieces=3):
    """``data`` encrypted, written in uneven pieces as a file object would be given them."""
    raw = io.BytesIO()
    with filecrypt.EncryptingWriter(raw) as writer:
        step = max(len(data) // pieces, 1)
        for start in range(0, len(data), step):
            writer.write(data[start:start + step])
    return raw.getvalue()


def opened(raw):
    return b"".join(filecrypt.decrypted_chunks(io.BytesIO(raw)))


#
# The format
#


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5])
def test_what_is_written_opens_to_the_same_bytes_at_every_chunk_boundary(size):
    data = os.urandom(size)
    raw = sealed(data)

    assert opened(raw) == data
    # A header, every whole chunk and one shorter last chunk, each with its tag.
    assert len(raw) == HEADER + size + (size // CHUNK + 1) * filecrypt.TAG_BYTES


def flip(raw, at):
    return raw[:at] + bytes([raw[at] ^ 1]) + raw[at + 1:]


TAMPERINGS = {
    "header changed": lambda raw: flip(raw, HEADER - 1),
    "a byte of a chunk changed": lambda raw: flip(raw, HEADER + 100),
    "a tag changed": lambda raw: flip(raw, len(raw) - 1),
    "cut in a chunk": lambda raw: raw[:-100],
    "cut at a chunk boundary": lambda raw: raw[:HEADER + 2 * SEGMENT],
    "cut after the header": lambda raw: raw[:HEADER],
    "a byte appended": lambda raw: raw + b"\0",
    "chunks swapped": lambda raw: (
        raw[:HEADER] + raw[HEADER + SEGMENT:HEADER + 2 * SEGMENT] + raw[HEADER:HEADER + SEGMENT]
        + raw[HEADER + 2 * SEGMENT:]
    ),
    "a chunk repeated": lambda raw: raw[:HEADER + SEGMENT] + raw[HEADER:],
    "a chunk dropped": lambda raw: raw[:HEADER] + raw[HEADER + SEGMENT:],
    "another file's header": lambda raw: sealed(b"x")[:HEADER] + raw[HEADER:],
    "a plaintext file (stored before encryption)": lambda raw: b"411727197506150011,",
    "an empty file": lambda raw: b"",
}


@pytest.mark.parametrize("tampering", TAMPERINGS.values(), ids=TAMPERINGS.keys())
def test_a_changed_cut_or_reordered_file_is_refused(tampering):
    raw = sealed(os.urandom(3 * CHUNK + 5))

    with pytest.raises(filecrypt.FileDecryptionError):
        opened(tampering(raw))


def test_the_first_key_seals_and_every_listed_key_opens(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = old
    raw = sealed(b"411727197506150011")

    settings.FIELD_ENCRYPTION_KEY = f"{new},{old}"  # rotating: the old key is still listed
    assert opened(raw) == b"411727197506150011"
    assert opened(sealed(b"after")) == b"after"  # sealed with the new key
    settings.FIELD_ENCRYPTION_KEY = new
    with pytest.raises(filecrypt.FileDecryptionError, match="FIELD_ENCRYPTION_KEY"):
        opened(raw)


def test_a_write_broken_off_never_reads_as_a_whole_file():
    raw = io.BytesIO()
    with pytest.raises(RuntimeError), filecrypt.EncryptingWriter(raw) as writer:
        writer.write(b"a" * (CHUNK + 10))
        raise RuntimeError("the export's query failed")

    assert len(raw.getvalue()) == HEADER + SEGMENT  # the whole chunk only, no last one
    with pytest.raises(filecrypt.FileDecryptionError, match="cut short"):
        opened(raw.getvalue())


#
# Background exports
#


@pytest.fixture
def members_a(county_a):
    household = MemberFactory(household__village__township__county=county_a).household
    MemberFactory.create_batch(3, household=household)
    return list(household.members.all())


def stored_bytes(field_file):
    return Path(field_file.path).read_bytes()


def assert_no_plaintext(raw, numbers):
    """No ID number, and nothing of a zip (an .xlsx would compress the numbers): only the
    header's name is readable."""
    assert raw.startswith(filecrypt.MAGIC)
    assert ZIP_MAGIC not in raw
    for number in numbers:
        assert number.encode() not in raw


def register_export(client, file_format):
    response = export(client, reverse("imports:register_export"), {"format": file_format})
    assert response.status_code == 302
    return ExportJob.objects.latest("pk")


def table_of(content, file_format):
    if file_format == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return [list(row) for row in load_workbook(io.BytesIO(content)).active.values]


@pytest.mark.usefixtures("media_root", "run_jobs_on_commit")
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_background_export_is_stored_encrypted_and_downloads_exactly(
    client, county_a_clerk, members_a, settings, file_format
):
    numbers = [member.id_number for member in members_a]
    client.force_login(county_a_clerk)
    streamed = export(client, reverse("imports:register_export"), {"format": file_format})
    streamed = table_of(b"".join(streamed.streaming_content), file_format)
    settings.EXPORT_BACKGROUND_ROWS = 2

    job = register_export(client, file_format)

    assert job.status == ExportJob.Status.DONE and job.file.name.endswith(".enc")
    raw = stored_bytes(job.file)
    assert_no_plaintext(raw, numbers)
    plaintext = opened(raw)
    response = client.get(reverse("cases:export_job_download", args=[job.pk]))
    assert response.status_code == 200
    downloaded = b"".join(response.streaming_content)
    assert downloaded == plaintext
    assert int(response["Content-Length"]) == len(plaintext)
    assert "attachment" in response["Content-Disposition"]
    table = table_of(downloaded, file_format)
    assert table == streamed  # exactly the rows the streamed export gives
    assert {row[table[0].index("身份证号")] for row in table[1:]} == set(numbers)


DAMAGES = {
    "changed": lambda raw: flip(raw, len(raw) // 2),
    "cut short": lambda raw: raw[:-20],
    "stored in plaintext before the upgrade": lambda raw: "\ufeff姓名\r\n".encode(),
}


@pytest.mark.usefixtures("media_root", "run_jobs_on_commit")
@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_export_file_is_refused_with_a_message(
    client, county_a_clerk, members_a, settings, caplog, damage
):
    settings.EXPORT_BACKGROUND_ROWS = 2
    client.force_login(county_a_clerk)
    job = register_export(client, "csv")
    path = Path(job.file.path)
    path.write_bytes(damage(path.read_bytes()))

    with caplog.at_level(logging.ERROR, logger="cases.exports"):
        response = client.get(reverse("cases:export_job_download", args=[job.pk]), follow=True)

    assert response.redirect_chain == [(job.get_absolute_url(), 302)]
    page = response.content.decode()
    assert f"导出文件已损坏或无法解密(任务编号 {job.pk})" in page
    assert [record.getMessage().split(":")[0] for record in caplog.records
            if record.levelno >= logging.WARNING] == [f"export job {job.pk}"]


#
# Uploaded import files
#


@pytest.fixture
def clerk_client(client, county_a_clerk, county_a):
    VillageFactory(township=TownshipFactory(county=county_a, name="老君庙镇"), name="后刘庄村")
    client.force_login(county_a_clerk)
    return client


def register_file(file_format):
    table = as_table([
        register_row(household_values("411727001000001"), member_values(1, "户主", "刘建国")),
        register_row(household_values("411727001000001"), member_values(2, "配偶", "李桂英")),
    ])
    return xlsx_bytes(table) if file_format == "xlsx" else csv_bytes(table)


def upload(client, data, name):
    response = client.post(
        reverse("imports:index"), {"kind": "households", "file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 302
    return ImportRun.objects.latest("pk")


@pytest.mark.usefixtures("media_root", "run_jobs_on_commit")
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_uploaded_file_is_stored_encrypted_and_imports_end_to_end(clerk_client, file_format):
    data = register_file(file_format)

    run = upload(clerk_client, data, f"后刘庄村花名册.{file_format}")

    assert run.status == ImportStatus.VALIDATED, run.errors
    # Stored under a random name: the clerk's name for the file may name a village or person.
    assert "后刘庄村" not in run.file.name and run.file.name.endswith(".enc")
    raw = stored_bytes(run.file)
    assert_no_plaintext(raw, [resident_id(1), resident_id(2)])
    assert opened(raw) == data
    clerk_client.post(reverse("imports:run_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE, run.errors
    assert Household.objects.get().register_number == "411727001000001"
    assert sorted(Member.objects.values_list("id_number", flat=True)) == [
        resident_id(1), resident_id(2)
    ]


@pytest.mark.usefixtures("media_root", "run_jobs_on_commit")
def test_a_damaged_upload_is_refused_with_a_message_and_imports_nothing(clerk_client, caplog):
    run = upload(clerk_client, register_file("xlsx"), "register.xlsx")
    assert run.status == ImportStatus.VALIDATED
    path = Path(run.file.path)
    path.write_bytes(path.read_bytes()[:-1])

    with caplog.at_level(logging.ERROR, logger="imports.services"):
        clerk_client.post(reverse("imports:run_confirm", args=[run.pk]))

    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    assert run.errors[0]["message"] == (
        "服务器上保存的文件已损坏或无法解密,未写入任何数据:请重新上传文件。"
    )
    assert not Household.objects.exists()
    assert [record.levelname for record in caplog.records
            if record.name.startswith("imports")] == ["ERROR"]
    assert "服务器上保存的文件已损坏" in clerk_client.get(run.get_absolute_url()).content.decode()


@pytest.mark.usefixtures("media_root")
def test_an_upload_stored_in_plaintext_before_the_upgrade_asks_for_the_file_again(
    county_a_clerk
):
    run = ImportRun(kind="households", file_name="register.csv", county=county_a_clerk.county,
                    created_by=county_a_clerk)
    run.file.save("register.csv", ContentFile(register_file("csv")))

    import_run_preview(run)

    run.refresh_from_db()
    assert run.status == ImportStatus.INVALID
    assert "请重新上传文件" in run.errors[0]["message"]
