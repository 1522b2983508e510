"""Large exports run as background jobs: the request records the job and answers with its
page; the job writes exactly the file the request would have streamed, for its requester
alone, and the file is deleted when it expires."""

import csv
import datetime
import io
import stat
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases import exports
from cases.export_jobs import build_export, purge_expired_exports
from cases.models import ExportJob, ExportLog
from imports.services import import_run_create
from tests.factories import ExportJobFactory, MemberFactory, UserFactory
from tests.support import AS_OF_PARAMS, build_records, export, production_settings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


@pytest.fixture
def members_a(county_a):
    """Five members in county A, one with a name Excel would run as a formula."""
    household = MemberFactory(household__village__township__county=county_a).household
    MemberFactory.create_batch(3, household=household)
    return [*household.members.all(), MemberFactory(household=household, name="=1+2")]


@pytest.fixture
def background_past_two_rows(settings):
    settings.EXPORT_BACKGROUND_ROWS = 2


def get_and_commit(client, django_capture_on_commit_callbacks, url, data):
    # The view queues the job once the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        return export(client, url, data)


def streamed(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def download(client, job):
    response = client.get(reverse("cases:export_job_download", args=[job.pk]))
    assert response.status_code == 200
    return streamed(response)


def test_a_small_export_streams_at_once(client, county_a_clerk, members_a):
    client.force_login(county_a_clerk)
    response = export(client, reverse("cases:member_list"), {"export": "csv"})
    assert response.status_code == 200
    assert len(csv_rows(streamed(response))) == len(members_a) + 1
    assert not ExportJob.objects.exists()


@pytest.mark.usefixtures("background_past_two_rows")
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_large_export_is_made_in_the_background_and_equals_the_streamed_file(
    client, county_a_clerk, members_a, settings, django_capture_on_commit_callbacks,
    file_format,
):
    client.force_login(county_a_clerk)
    url = reverse("cases:member_list")
    query = {"export": file_format, "sort": "name"}

    response = get_and_commit(client, django_capture_on_commit_callbacks, url, query)

    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert job.rows_written == len(members_a)
    assert job.log.row_count == len(members_a) and job.log.completed
    assert job.log.query == "sort=name"
    page = client.get(job.get_absolute_url()).content.decode()
    assert reverse("cases:export_job_download", args=[job.pk]) in page

    settings.EXPORT_BACKGROUND_ROWS = 1000
    direct = streamed(export(client, url, query))
    made = download(client, job)
    if file_format == "csv":
        assert csv_rows(made) == csv_rows(direct)
        assert [cell for row in csv_rows(made) for cell in row if "1+2" in cell] == ["'=1+2"]
    else:
        assert list(load_workbook(io.BytesIO(made)).active.values) == list(
            load_workbook(io.BytesIO(direct)).active.values
        )


@pytest.mark.usefixtures("background_past_two_rows")
def test_the_job_is_scoped_like_the_request(
    client, county_a_clerk, county_b, members_a, django_capture_on_commit_callbacks
):
    outside = MemberFactory.create_batch(3, household__village__township__county=county_b)
    client.force_login(county_a_clerk)
    get_and_commit(
        client, django_capture_on_commit_callbacks, reverse("cases:member_list"),
        {"export": "csv"},
    )
    names = {row[0] for row in csv_rows(download(client, ExportJob.objects.get()))}
    assert {member.name for member in outside}.isdisjoint(names)
    assert len(names) == len(members_a) + 1


@pytest.mark.usefixtures("background_past_two_rows")
def test_only_the_requester_sees_or_downloads_the_file(
    client, county_a, county_a_clerk, city_reviewer, members_a,
    django_capture_on_commit_callbacks,
):
    client.force_login(county_a_clerk)
    get_and_commit(
        client, django_capture_on_commit_callbacks, reverse("cases:member_list"),
        {"export": "csv"},
    )
    job = ExportJob.objects.get()
    colleague = UserFactory(username="clerk_a2", county=county_a)
    for user in (colleague, city_reviewer):
        client.force_login(user)
        for name in ("export_job_detail", "export_job_progress", "export_job_download"):
            assert client.get(reverse(f"cases:{name}", args=[job.pk])).status_code == 404
        assert job.file_name not in client.get(reverse("cases:export_job_list")).content.decode()
    client.force_login(county_a_clerk)
    assert job.file_name in client.get(reverse("cases:export_job_list")).content.decode()


@pytest.mark.usefixtures("background_past_two_rows")
def test_a_user_deactivated_before_the_job_runs_gets_no_file(
    client, county_a_clerk, members_a, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(county_a_clerk)
    get_and_commit(
        client, django_capture_on_commit_callbacks, reverse("cases:member_list"),
        {"export": "csv"},
    )
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED
    county_a_clerk.is_active = False
    county_a_clerk.save()

    build_export.call(job.pk)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file
    assert not job.log.completed


def test_a_search_by_a_whole_id_number_always_streams(
    client, county_a_clerk, members_a, settings
):
    """Its log keeps the number masked, so a job could not rebuild the filter; such a search
    finds a handful of rows at most."""
    settings.EXPORT_BACKGROUND_ROWS = 0
    client.force_login(county_a_clerk)
    number = members_a[0].id_number
    response = export(client, reverse("cases:member_list"), {"export": "csv", "q": number})
    assert response.status_code == 200 and response.streaming
    assert not ExportJob.objects.exists()
    assert number not in ExportLog.objects.get().query


@pytest.mark.usefixtures("background_past_two_rows")
def test_expired_files_are_deleted(
    client, county_a_clerk, members_a, settings, django_capture_on_commit_callbacks
):
    client.force_login(county_a_clerk)
    get_and_commit(
        client, django_capture_on_commit_callbacks, reverse("cases:member_list"),
        {"export": "csv"},
    )
    job = ExportJob.objects.get()
    path = job.file.path
    assert purge_expired_exports() == 0
    ExportJob.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - datetime.timedelta(hours=settings.EXPORT_FILE_HOURS + 1)
    )

    out = io.StringIO()
    call_command("purge_expired_exports", stdout=out)  # as the hourly timer runs it

    assert out.getvalue().startswith("1 ")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED
    assert not job.file
    with pytest.raises(FileNotFoundError):
        open(path, "rb")  # noqa: SIM115
    response = client.get(reverse("cases:export_job_download", args=[job.pk]))
    assert response.status_code == 404


@pytest.mark.usefixtures("background_past_two_rows")
def test_the_register_export_of_a_large_county_is_made_in_the_background(
    client, county_a_clerk, members_a, django_capture_on_commit_callbacks
):
    client.force_login(county_a_clerk)
    get_and_commit(
        client, django_capture_on_commit_callbacks, reverse("imports:register_export"),
        {"format": "xlsx"},
    )
    job = ExportJob.objects.get()
    rows = list(load_workbook(io.BytesIO(download(client, job))).active.values)
    header = list(rows[0])
    numbers = {row[header.index("身份证号")] for row in rows[1:]}
    assert numbers == {member.id_number for member in members_a}
    assert job.rows_written == len(members_a)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("background_past_two_rows")
def test_a_large_export_goes_through_the_queue_and_the_worker(
    client, county_a_clerk, members_a, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(county_a_clerk)
    get_and_commit(
        client, django_capture_on_commit_callbacks, reverse("cases:member_list"),
        {"export": "csv"},
    )
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'data-busy="true"' in page
    progress = client.get(reverse("cases:export_job_progress", args=[job.pk])).json()
    assert progress["busy"] and progress["total"] == len(members_a)

    call_command("db_worker", batch=True, no_startup_delay=True, interval=0)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert len(csv_rows(download(client, job))) == len(members_a) + 1


def test_a_job_lost_by_its_worker_is_marked_failed_when_files_expire(
    county_a_clerk, settings
):
    job = ExportJobFactory(log__user=county_a_clerk, status=ExportJob.Status.RUNNING)
    waiting = ExportJobFactory(log__user=county_a_clerk, status=ExportJob.Status.QUEUED)
    purge_expired_exports()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.RUNNING
    ExportLog.objects.filter(pk=job.log.pk).update(
        exported_at=timezone.now() - datetime.timedelta(hours=settings.EXPORT_FILE_HOURS + 1)
    )

    purge_expired_exports()

    job.refresh_from_db()
    waiting.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.is_busy
    assert waiting.status == ExportJob.Status.QUEUED


@pytest.mark.usefixtures("background_past_two_rows")
def test_a_job_whose_rows_do_not_fit_excel_says_why_on_its_page(
    client, county_a_clerk, members_a, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(exports, "XLSX_MAX_TEXT", 3)  # the members' names are longer
    client.force_login(county_a_clerk)

    get_and_commit(
        client, django_capture_on_commit_callbacks, reverse("cases:member_list"),
        {"export": "xlsx"},
    )

    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED and not job.file
    assert not job.log.completed
    page = client.get(job.get_absolute_url()).content.decode()
    assert "超过了 Excel 一个单元格的上限" in page
    assert "请改用 CSV 导出" in page


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_large_drill_down_export_is_made_in_the_background_like_the_streamed_one(
    client, county_a, city_reviewer, settings, django_capture_on_commit_callbacks, file_format
):
    """Issue 20, finding 8: a dashboard drill-down (a function view) past the background
    threshold failed with "'function' object has no attribute 'view_class'"."""
    build_records(county_a, 2)
    client.force_login(city_reviewer)
    url = reverse("cases:indicator_list", args=["people_trained"])
    query = {**AS_OF_PARAMS, "export": file_format}
    streamed_file = streamed(export(client, url, query))
    settings.EXPORT_BACKGROUND_ROWS = 1

    response = get_and_commit(client, django_capture_on_commit_callbacks, url, query)

    job = ExportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert (job.status, job.failure) == (ExportJob.Status.DONE, "")
    if file_format == "csv":
        assert download(client, job) == streamed_file
    else:
        sheet_rows = [list(load_workbook(io.BytesIO(data)).active.values)
                      for data in (download(client, job), streamed_file)]
        assert sheet_rows[0] == sheet_rows[1] and len(sheet_rows[0]) > 2


@pytest.mark.usefixtures("background_past_two_rows")
def test_a_job_that_fails_says_so_with_its_number_on_its_page(
    client, county_a_clerk, members_a, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(log):
        raise RuntimeError("database went away")

    monkeypatch.setattr("cases.export_jobs.content_for", broken)
    client.force_login(county_a_clerk)
    get_and_commit(client, django_capture_on_commit_callbacks, reverse("cases:member_list"),
                   {"export": "csv"})

    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED
    page = client.get(job.get_absolute_url()).content.decode()
    assert job.failure and job.failure in page and str(job.pk) in job.failure
    assert "database went away" not in page


def test_a_lost_job_says_why_it_failed(client, county_a_clerk, settings):
    job = ExportJobFactory(log__user=county_a_clerk, status=ExportJob.Status.RUNNING)
    ExportLog.objects.filter(pk=job.log.pk).update(
        exported_at=timezone.now() - datetime.timedelta(hours=settings.EXPORT_FILE_HOURS + 1)
    )
    purge_expired_exports()
    job.refresh_from_db()
    client.force_login(county_a_clerk)
    assert job.failure and job.failure in client.get(job.get_absolute_url()).content.decode()


@pytest.mark.usefixtures("background_past_two_rows")
def test_export_and_upload_files_are_written_for_the_owner_alone(
    client, county_a_clerk, members_a, django_capture_on_commit_callbacks, settings
):
    """Issue 20, finding 4: background exports (thousands of whole ID numbers) were written
    0644."""
    client.force_login(county_a_clerk)
    get_and_commit(client, django_capture_on_commit_callbacks, reverse("cases:member_list"),
                   {"export": "csv"})
    job = ExportJob.objects.get()
    job.refresh_from_db()
    run = import_run_create(
        user=county_a_clerk, kind="households",
        uploaded_file=SimpleUploadedFile("register.csv", b"411727197506150011"),
    )

    for path in (Path(job.file.path), Path(run.file.path)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700, path.parent


def test_files_cannot_be_kept_where_they_would_be_served(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="MEDIA_ROOT"):
        production_settings(
            monkeypatch, SECRET_KEY="x", FIELD_ENCRYPTION_KEY="k", FIELD_HASH_KEY="h",
            STATIC_ROOT=str(tmp_path), MEDIA_ROOT=str(tmp_path / "media"),
        )


@pytest.mark.parametrize("url_name", ["cases:member_list", "imports:register_export"])
def test_an_export_is_started_by_post_and_a_get_starts_none(
    client, county_a_clerk, members_a, url_name
):
    """Issue 20: ``GET ?export=`` wrote the export log (a change of state on a GET)."""
    client.force_login(county_a_clerk)
    url = reverse(url_name)
    response = client.get(url, {"export": "csv", "format": "csv"})
    assert response.status_code in {200, 405}
    assert not response.streaming
    assert not ExportLog.objects.exists()

    response = export(client, url, {"export": "csv"} if url_name.startswith("cases") else
                      {"format": "csv"})
    assert response.status_code == 200 and response.streaming
    assert ExportLog.objects.count() == 1
