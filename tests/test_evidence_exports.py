"""Evidence files in exports and imports (issue #19): every list and register export counts
each record's files (附件数) in one query however many; an export imported back skips that
column; the household export 含附件（ZIP）is a background job with the workbook and a folder
of files per household, scoped like the list, size-guarded and logged."""

import csv
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import ExportJob, ExportLog
from evidence.models import Attachment, AttachmentDownload
from imports.models import ImportRun, ImportStatus
from tests.factories import (
    HouseholdFactory,
    HouseholdVisitFactory,
    MemberFactory,
    PairingFactory,
    stored_attachment,
)
from tests.support import export

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def content_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def table_of(response, file_format):
    """The rows of an exported file, header first, every cell as text."""
    content = content_of(response)
    if file_format == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    rows = load_workbook(io.BytesIO(content)).active.values
    return [["" if cell is None else str(cell) for cell in row] for row in rows]


def counts_by(rows, key_header):
    header = rows[0]
    return {row[header.index(key_header)]: row[header.index("附件数")] for row in rows[1:]}


@pytest.fixture
def households_a(county_a, county_a_clerk):
    """Two households of county A: the first with two files and a visit with one, the second
    with none."""
    first = HouseholdFactory(village__township__county=county_a, register_number="4117270001",
                             head_name="刘建国")
    second = HouseholdFactory(village__township__county=county_a, register_number="4117270002",
                              head_name="王秀兰")
    stored_attachment(first, county_a_clerk, "门前.png")
    stored_attachment(first, county_a_clerk, "门前.png")
    visit = HouseholdVisitFactory(household=first)
    stored_attachment(visit, county_a_clerk, "走访.png")
    return first, second, visit


#
# 附件数 in the list and register exports
#


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_list_exports_count_each_records_own_files(
    client, county_a_clerk, households_a, file_format
):
    first, second, visit = households_a
    HouseholdVisitFactory(household=second)
    client.force_login(county_a_clerk)

    households = table_of(
        export(client, reverse("cases:household_list"), {"export": file_format}), file_format
    )
    visits = table_of(
        export(client, reverse("cases:householdvisit_list"), {"export": file_format}),
        file_format,
    )

    assert households[0][-1] == "附件数"
    # The visit's photo is the visit's: the household counts its own two files.
    assert counts_by(households, "户编号") == {"4117270001": "2", "4117270002": "0"}
    assert visits[0][-1] == "附件数"
    assert sorted(row[-1] for row in visits[1:]) == ["0", "1"]


def test_a_list_of_records_without_files_has_no_count(client, county_a_clerk, county_a):
    MemberFactory(household__village__township__county=county_a)
    client.force_login(county_a_clerk)

    rows = table_of(export(client, reverse("cases:member_list"), {"export": "csv"}), "csv")

    assert "附件数" not in rows[0]


def test_the_english_export_heads_the_count_attachments(client, county_a_clerk, households_a):
    client.force_login(county_a_clerk)
    client.cookies["django_language"] = "en"

    rows = table_of(
        export(client, reverse("cases:household_list"), {"export": "csv"},
               HTTP_ACCEPT_LANGUAGE="en"),
        "csv",
    )

    assert rows[0][-1] == "Attachments"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_register_export_counts_each_households_files(
    client, county_a_clerk, households_a, file_format
):
    first, second, _visit = households_a
    MemberFactory.create_batch(2, household=first)
    client.force_login(county_a_clerk)

    rows = table_of(
        export(client, reverse("imports:register_export"), {"format": file_format}),
        file_format,
    )

    header = rows[0]
    assert header[-1] == "附件数"
    by_household = {}
    for row in rows[1:]:
        by_household.setdefault(row[header.index("户编号")], set()).add(row[-1])
    # One row per member (two for the first household), each with the household's count.
    assert by_household == {"4117270001": {"2"}, "4117270002": {"0"}}
    assert len(rows) == 1 + 2 + 1


def export_queries(client, url, data):
    export(client, url, data)  # content types and translations cached first
    with CaptureQueriesContext(connection) as captured:
        content_of(export(client, url, data))
    return len(captured.captured_queries)


@pytest.mark.parametrize("url_name", ["cases:household_list", "cases:householdvisit_list"])
def test_counting_files_costs_the_same_queries_however_many(
    client, county_a, county_a_clerk, url_name
):
    def households_with_files(n):
        for _ in range(n):
            household = HouseholdFactory(village__township__county=county_a)
            visit = HouseholdVisitFactory(household=household)
            for record in (household, visit, visit):
                stored_attachment(record, county_a_clerk)

    client.force_login(county_a_clerk)
    url = reverse(url_name)
    households_with_files(2)
    few = export_queries(client, url, {"export": "xlsx"})
    households_with_files(15)
    many = export_queries(client, url, {"export": "xlsx"})

    assert many == few


#
# Imports: 附件数 is read only
#


@pytest.fixture
def clerk_client(client, county_a_clerk):
    client.force_login(county_a_clerk)
    return client


@pytest.mark.usefixtures("run_jobs_on_commit")
def test_a_register_export_imports_back_without_a_word_about_the_count(
    clerk_client, county_a_clerk, households_a
):
    first, _second, _visit = households_a
    MemberFactory(household=first, name="刘建国")
    data = content_of(export(clerk_client, reverse("imports:register_export"), {"format": "xlsx"}))
    # The count edited in Excel changes nothing: the column is never read.
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    sheet.cell(row=2, column=sheet.max_column, value=99)
    edited = io.BytesIO()
    workbook.save(edited)

    from django.core.files.uploadedfile import SimpleUploadedFile

    clerk_client.post(reverse("imports:index"), {
        "kind": "households", "file": SimpleUploadedFile("register.xlsx", edited.getvalue()),
    })

    run = ImportRun.objects.get()
    assert run.status == ImportStatus.VALIDATED, run.errors
    assert run.error_count == 0
    assert not any("附件数" in str(warning) for warning in run.warnings)
    assert "附件数" not in run.file_columns.get("unknown", [])
    assert (run.created_count, run.updated_count) == (0, 0)
    assert Attachment.objects.filter(household=first).count() == 3


@pytest.mark.usefixtures("run_jobs_on_commit")
def test_the_records_of_an_import_show_their_number_of_files(
    clerk_client, county_a_clerk, households_a
):
    first, second, _visit = households_a
    MemberFactory(household=first)
    MemberFactory(household=second)
    data = content_of(export(clerk_client, reverse("imports:register_export"), {"format": "xlsx"}))
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    demands = header.index("脱贫诉求") + 1
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=demands, value="希望学技术")
    edited = io.BytesIO()
    workbook.save(edited)

    from django.core.files.uploadedfile import SimpleUploadedFile

    clerk_client.post(reverse("imports:index"), {
        "kind": "households", "file": SimpleUploadedFile("register.xlsx", edited.getvalue()),
    })
    run = ImportRun.objects.get()
    clerk_client.post(reverse("imports:run_confirm", args=[run.pk]), {"accept_flagged": "1"})
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and run.updated_count == 2, run.errors

    page = clerk_client.get(reverse("imports:run_records", args=[run.pk])).content.decode()

    assert f'{first.get_absolute_url()}">{first}</a> <span class="badge text-bg-light" ' \
           f'data-attachment-count>2 个附件' in page
    assert f'{second.get_absolute_url()}">{second}</a> <span class="badge text-bg-light" ' \
           f'data-attachment-count>0 个附件' in page


#
# 含附件（ZIP）: the household export with its evidence files
#


def run_zip_export(client, django_capture_on_commit_callbacks, query=None):
    with django_capture_on_commit_callbacks(execute=True):
        response = export(
            client, reverse("cases:household_list"), {"export": "zip", **(query or {})}
        )
    job = ExportJob.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    return job


def unpack(client, job):
    response = client.get(reverse("cases:export_job_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert job.file_name.endswith(".zip")
    return zipfile.ZipFile(io.BytesIO(content_of(response)))


def stored_bytes(attachment):
    with attachment.file.storage.open(attachment.file.name, "rb") as handle:
        return handle.read()


@pytest.fixture
def households_b(county_b, county_b_clerk):
    household = HouseholdFactory(village__township__county=county_b, register_number="4117240001",
                                 head_name="赵/四")
    pairing = PairingFactory(household=household)
    return household, [
        stored_attachment(household, county_b_clerk, "户.png"),
        stored_attachment(pairing, county_b_clerk, "结对.png"),
    ]


def test_a_clerks_zip_holds_the_workbook_and_their_countys_files_only(
    client, county_a_clerk, households_a, households_b, django_capture_on_commit_callbacks
):
    first, _second, _visit = households_a
    client.force_login(county_a_clerk)

    job = run_zip_export(client, django_capture_on_commit_callbacks)

    assert job.status == ExportJob.Status.DONE, job.failure
    assert job.rows_written == 2 and job.log.row_count == 2 and job.log.file_format == "zip"
    archive = unpack(client, job)
    workbook_name = job.file_name.removesuffix(".zip") + ".xlsx"
    workbook = load_workbook(io.BytesIO(archive.read(workbook_name))).active
    assert [row[0] for row in workbook.values][1:] == ["4117270001", "4117270002"]
    first_photos = first.attachments.filter(object_id=first.pk).order_by("id")
    expected = {
        # Photos are kept as the JPEGs the upload made of them (evidence.files).
        "4117270001-刘建国/贫困户-门前.jpg": first_photos[0],
        "4117270001-刘建国/贫困户-门前 (2).jpg": first_photos[1],
        "4117270001-刘建国/入户走访-走访.jpg": Attachment.objects.get(
            household=first, content_type__model="householdvisit"
        ),
    }
    assert sorted(archive.namelist()) == sorted([workbook_name, *expected])
    for name, attachment in expected.items():
        assert archive.read(name) == stored_bytes(attachment)
    # Each file is logged as the clerk's download, within this export.
    downloads = AttachmentDownload.objects.filter(export=job.log)
    assert sorted(downloads.values_list("attachment_id", flat=True)) == sorted(
        attachment.pk for attachment in expected.values()
    )
    assert {(row.user, row.household) for row in downloads} == {(county_a_clerk, first)}
    gallery = client.get(reverse("evidence:household_gallery", args=[first.pk])).content.decode()
    assert gallery.count("data-within-export>含附件导出") == 3


def test_a_city_reviewers_zip_holds_every_countys_files(
    client, city_reviewer, households_a, households_b, django_capture_on_commit_callbacks
):
    household_b, files_b = households_b
    client.force_login(city_reviewer)

    job = run_zip_export(client, django_capture_on_commit_callbacks)

    assert job.status == ExportJob.Status.DONE, job.failure
    archive = unpack(client, job)
    folders = {name.split("/")[0] for name in archive.namelist() if "/" in name}
    # The "/" of the head's name would make a folder: it is replaced.
    assert folders == {"4117270001-刘建国", "4117240001-赵_四"}
    assert archive.read("4117240001-赵_四/贫困户-户.jpg") == stored_bytes(files_b[0])
    assert archive.read("4117240001-赵_四/结对帮扶-结对.jpg") == stored_bytes(files_b[1])
    assert AttachmentDownload.objects.filter(export=job.log).count() == 5


def test_a_zip_keeps_to_the_lists_filter(
    client, county_a_clerk, households_a, django_capture_on_commit_callbacks
):
    client.force_login(county_a_clerk)

    job = run_zip_export(client, django_capture_on_commit_callbacks, {"q": "王秀兰"})

    archive = unpack(client, job)
    assert job.rows_written == 1
    assert [name for name in archive.namelist() if "/" in name] == []


def test_a_zip_past_the_size_limit_fails_and_says_why(
    client, county_a_clerk, households_a, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_ZIP_MAX_MB = 1
    Attachment.objects.filter(pk=Attachment.objects.first().pk).update(size=2 * 1024 * 1024)
    client.force_login(county_a_clerk)

    job = run_zip_export(client, django_capture_on_commit_callbacks)

    assert job.status == ExportJob.Status.FAILED and not job.file
    assert "超过了含附件导出的上限 1.0\xa0MB" in job.failure
    page = client.get(job.get_absolute_url()).content.decode()
    assert "超过了含附件导出的上限" in page
    assert not AttachmentDownload.objects.exists()
    assert ExportLog.objects.get().completed is False


def test_a_zip_filtered_by_a_whole_id_number_is_refused(
    client, county_a_clerk, households_a
):
    member = MemberFactory(household=households_a[0])
    client.force_login(county_a_clerk)

    response = export(
        client, reverse("cases:household_list"), {"export": "zip", "q": member.id_number},
        follow=True,
    )

    assert "不能导出含附件的 ZIP" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_the_zip_option_is_on_the_household_list_only(client, county_a_clerk, households_a):
    client.force_login(county_a_clerk)

    page = client.get(reverse("cases:household_list")).content.decode()
    members = client.get(reverse("cases:member_list")).content.decode()

    button = page.index('name="export" value="zip"')
    start = page.rindex("<form", 0, button)
    form = page[start:page.index("</form>", start)]
    assert f'method="post" action="{reverse("cases:household_list")}' in form
    assert "含附件（ZIP）" in form
    assert 'value="zip"' not in members
    assert export(client, reverse("cases:member_list"), {"export": "zip"}).status_code == 400
