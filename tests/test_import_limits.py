"""Findings 2 and 3 of the attack run: a 365 KB .xlsx whose 行政村 cell unpacked to 300 MB took
a worker to 5.4 GB and the run stayed "正在检查" for ever; a 79 KB file stored a 21 MB error;
imports past the web server's timeout were left "validating". Now the limits are checked while
the upload and the file stream, before any row is read; the error list is capped per column
with messages cut short and the totals kept; a run whose task died or ran out of time is
failed with its reason; uploaded files are deleted after their run ends plus a retention."""

import datetime
import io
import logging
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from imports import readers
from imports.models import ImportRun, ImportStatus
from tests.import_files import (
    as_table,
    csv_bytes,
    household_values,
    member_values,
    register_row,
    xlsx_bytes,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("media_root", "run_jobs_on_commit", "village_a"),
]


@pytest.fixture
def openpyxl_must_not_run(monkeypatch):
    """Proves a limit was applied before the workbook was parsed."""
    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was parsed before the limits were checked")

    monkeypatch.setattr(readers, "load_workbook", refuse)


def households(count, **overrides):
    return [
        register_row(household_values(f"4117270010{n:05d}", **overrides), member_values(n))
        for n in range(1, count + 1)
    ]


def upload(client, data, name):
    response = client.post(
        reverse("imports:index"), {"kind": "households", "file": SimpleUploadedFile(name, data)}
    )
    return response, ImportRun.objects.order_by("pk").last()


def only_message(run):
    assert run.status == ImportStatus.INVALID
    assert run.error_count == 1
    return run.errors[0]["message"]


@pytest.mark.usefixtures("openpyxl_must_not_run")
def test_an_xlsx_cell_past_the_limit_is_refused_before_the_workbook_is_read(
    clerk_client, settings
):
    settings.IMPORT_MAX_CELL_CHARS = 100
    data = xlsx_bytes(as_table(households(1, 行政村="后" * 20_000)))
    assert len(data) < 20_000  # it compresses: the size limit alone does not stop it

    _response, run = upload(clerk_client, data, "register.xlsx")

    message = only_message(run)
    assert "超过 100 个字符" in message and len(message) < 200


@pytest.mark.usefixtures("openpyxl_must_not_run")
def test_an_xlsx_past_the_row_limit_is_refused_before_the_workbook_is_read(
    clerk_client, settings
):
    settings.IMPORT_MAX_ROWS = 3
    _response, run = upload(
        clerk_client, xlsx_bytes(as_table(households(14))), "register.xlsx"
    )
    assert "超过 3 行" in only_message(run)


def test_a_csv_past_the_row_or_cell_limit_is_refused(clerk_client, settings):
    settings.IMPORT_MAX_ROWS = 3
    _response, run = upload(clerk_client, csv_bytes(as_table(households(14))), "r.csv")
    assert "超过 3 行" in only_message(run)

    settings.IMPORT_MAX_ROWS = 100
    settings.IMPORT_MAX_CELL_CHARS = 100
    _response, run = upload(
        clerk_client, csv_bytes(as_table(households(2, 行政村="后" * 5000))), "r.csv"
    )
    message = only_message(run)
    assert "第 2 行" in message and "超过 100 个字符" in message


def test_an_upload_past_the_size_is_dropped_while_it_streams(clerk_client, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    response, run = upload(clerk_client, b"a,b\n" * 300_000, "register.csv")
    assert response.status_code == 200 and run is None
    assert "文件超过 1 MB" in response.content.decode()


def test_an_xlsx_with_a_dtd_gets_a_clear_message_logged_as_a_warning(clerk_client, caplog):
    """XXE and "billion laughs" files declare entities in a DTD, which no spreadsheet program
    writes."""
    data = io.BytesIO(xlsx_bytes(as_table(households(1))))
    rewritten = io.BytesIO()
    with zipfile.ZipFile(data) as source, zipfile.ZipFile(rewritten, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert not content.startswith(b"<?xml")
                content = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>' + (
                    content.replace(b"<v>", b"<v>&lol2;", 1)
                )
            target.writestr(item, content)

    with caplog.at_level(logging.WARNING):
        _response, run = upload(clerk_client, rewritten.getvalue(), "register.xlsx")

    assert "DTD" in only_message(run)
    assert [record.levelname for record in caplog.records
            if record.name.startswith("imports")] == ["WARNING"]


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def with_sheet(data, rewrite, name="xl/worksheets/sheet1.xml"):
    """``data`` with its first sheet's XML rewritten as ``rewrite(text)`` (bytes) and stored as
    ``name`` (the workbook's relations and content types follow a new name)."""
    rewritten = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(rewritten, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                target.writestr(name, rewrite(content.decode()))
                continue
            target.writestr(item, content.replace(b"worksheets/sheet1.xml", name[3:].encode()))
    return rewritten.getvalue()


def first_cell_with(entity):
    return lambda xml: xml.replace("<t>", f"<t>{entity}", 1)


DISGUISED = {
    # The DTD scan reads bytes: in UTF-16, "<!DOCTYPE" is other bytes, and the entities were
    # expanded into the cells, or an unknown one ended in a server error.
    "billion laughs in UTF-16": lambda data: with_sheet(data, lambda xml: (
        '<?xml version="1.0" encoding="UTF-16"?>' + BILLION_LAUGHS + first_cell_with("&lol3;")(xml)
    ).encode("utf-16")),
    "XXE in UTF-16": lambda data: with_sheet(data, lambda xml: (
        '<?xml version="1.0" encoding="UTF-16"?>' + XXE + first_cell_with("&xxe;")(xml)
    ).encode("utf-16")),
    # Python's XML parser reads any single-byte codec the declaration names.
    "XXE in EBCDIC": lambda data: with_sheet(data, lambda xml: (
        b'<?xml version="1.0" encoding="cp037"?>'
        + (XXE + first_cell_with("&xxe;")(xml)).encode("cp037")
    )),
    # Only the parts named .xml were scanned; openpyxl finds a sheet by the workbook's relations.
    "XXE in a sheet not named .xml": lambda data: with_sheet(
        data, lambda xml: (XXE + first_cell_with("&xxe;")(xml)).encode(),
        name="xl/worksheets/sheet1.bin",
    ),
}


@pytest.mark.parametrize("disguise", DISGUISED.values(), ids=DISGUISED.keys())
def test_a_disguised_dtd_gets_the_same_clear_message_logged_as_a_warning(
    clerk_client, caplog, disguise
):
    data = disguise(xlsx_bytes(as_table(households(1))))

    with caplog.at_level(logging.WARNING):
        _response, run = upload(clerk_client, data, "register.xlsx")

    assert "DTD" in only_message(run) and "UTF-8" in only_message(run)
    assert [record.levelname for record in caplog.records
            if record.name.startswith("imports")] == ["WARNING"]


@pytest.mark.parametrize("broken", [
    lambda xml: xml.replace("<t>", "<t><", 1),  # XML that does not parse, found at the header
    lambda xml: xml[:-200],  # cut short after the rows the header search reads
], ids=["at the header", "after the header"])
def test_an_xlsx_whose_xml_does_not_parse_is_damaged_not_a_server_error(
    clerk_client, caplog, broken
):
    data = with_sheet(xlsx_bytes(as_table(households(20))), lambda xml: broken(xml).encode())

    with caplog.at_level(logging.WARNING):
        _response, run = upload(clerk_client, data, "register.xlsx")

    assert "文件可能已损坏" in only_message(run)
    assert [record.levelname for record in caplog.records
            if record.name.startswith("imports")] == ["WARNING"]


def test_the_error_list_is_capped_per_column_with_messages_cut_and_totals_kept(
    clerk_client, monkeypatch
):
    from imports.engine import Report

    monkeypatch.setattr(Report, "ERRORS_PER_COLUMN", 5)
    rows = households(12, 户主姓名="")
    rows[0]["行政村"] = "不存在的村" * 300  # 1,500 characters, quoted by its message
    rows[1]["识别日期"] = "不是日期"

    _response, run = upload(clerk_client, xlsx_bytes(as_table(rows)), "register.xlsx")

    columns = [error["column"] for error in run.errors]
    assert columns.count("户主姓名") == 5 and "识别日期" in columns and "行政村" in columns
    assert run.error_count > len(run.errors)
    assert max(len(error["message"]) for error in run.errors) <= Report.MESSAGE_CHARS
    assert any("“户主姓名”列共有 12 处错误" in warning for warning in run.warnings)
    page = clerk_client.get(run.get_absolute_url()).content.decode()
    assert "“户主姓名”列共有 12 处错误" in page


def test_a_run_whose_task_died_is_failed_with_its_reason(clerk_client, county_a_clerk, settings):
    long_ago = timezone.now() - datetime.timedelta(minutes=settings.IMPORT_RUN_TIMEOUT_MINUTES + 1)
    checking = ImportRun.objects.create(
        kind="households", file="imports/a.xlsx", file_name="a.xlsx", created_by=county_a_clerk,
        county=county_a_clerk.county, status=ImportStatus.VALIDATING,
    )
    importing = ImportRun.objects.create(
        kind="households", file="imports/b.xlsx", file_name="b.xlsx", created_by=county_a_clerk,
        county=county_a_clerk.county, status=ImportStatus.IMPORTING, confirmed_at=long_ago,
    )
    recent = ImportRun.objects.create(
        kind="households", file="imports/c.xlsx", file_name="c.xlsx", created_by=county_a_clerk,
        county=county_a_clerk.county, status=ImportStatus.VALIDATING,
    )
    ImportRun.objects.filter(pk__in=[checking.pk, importing.pk]).update(created_at=long_ago)

    progress = clerk_client.get(reverse("imports:run_progress", args=[checking.pk])).json()

    assert progress["busy"] is False
    for run, status in ((checking, ImportStatus.INVALID), (importing, ImportStatus.FAILED)):
        run.refresh_from_db()
        assert run.status == status and "后台任务中断或超时" in run.errors[0]["message"]
    recent.refresh_from_db()
    assert recent.status == ImportStatus.VALIDATING
    page = clerk_client.get(checking.get_absolute_url()).content.decode()
    assert "后台任务中断或超时" in page


def test_an_inline_run_stops_under_the_web_server_timeout_and_says_why(clerk_client, settings):
    settings.IMPORT_INLINE_SECONDS = 0
    _response, run = upload(clerk_client, xlsx_bytes(as_table(households(3))), "register.xlsx")
    assert run.status == ImportStatus.INVALID and not run.is_busy
    assert "时限内处理不完" in run.errors[0]["message"]


def test_uploaded_files_are_deleted_after_their_run_ended_plus_the_retention(
    county_a_clerk, settings
):
    def run_with_file(status, days_ago):
        run = ImportRun.objects.create(
            kind="households", file_name="r.xlsx", created_by=county_a_clerk,
            county=county_a_clerk.county, status=status,
            finished_at=timezone.now() - datetime.timedelta(days=days_ago),
        )
        run.file.save("r.xlsx", ContentFile(b"411727197506150011"))
        return run

    old = run_with_file(ImportStatus.DONE, settings.IMPORT_FILE_DAYS + 1)
    unconfirmed = run_with_file(ImportStatus.VALIDATED, settings.IMPORT_FILE_DAYS + 1)
    fresh = run_with_file(ImportStatus.DONE, settings.IMPORT_FILE_DAYS - 1)
    old_path, unconfirmed_path = old.file.path, unconfirmed.file.path

    call_command("purge_import_files", stdout=io.StringIO())

    for run in (old, unconfirmed, fresh):
        run.refresh_from_db()
    assert not old.file and not unconfirmed.file and fresh.file
    assert unconfirmed.status == ImportStatus.INVALID
    import os

    assert not os.path.exists(old_path) and not os.path.exists(unconfirmed_path)
    assert os.path.exists(fresh.file.path)
