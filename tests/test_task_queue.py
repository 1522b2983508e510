"""The job path of a deployment with TASKS_BACKEND=database: a long import is queued in the
database by the request and carried out by `manage.py db_worker`, not by the request."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from cases.models import Household, Member
from imports.models import ImportRun, ImportStatus
from tests.factories import TownshipFactory, VillageFactory, poverty_cause
from tests.import_files import (
    as_table,
    household_values,
    member_values,
    register_row,
    xlsx_bytes,
)

# The worker closes its database connections between jobs, as a long-running process must, so
# the test cannot sit inside one transaction; the reference data is restored afterwards.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

QUEUED_IN_DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def clerk_client(client, county_a_clerk, county_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = QUEUED_IN_DATABASE
    poverty_cause("illness")  # the register's 主要致贫原因
    VillageFactory(township=TownshipFactory(county=county_a, name="老君庙镇"), name="后刘庄村")
    client.force_login(county_a_clerk)
    return client


def post_and_commit(client, django_capture_on_commit_callbacks, url, data=None):
    # The views queue the job once the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url, data or {})


def run_worker():
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0)


def test_an_import_goes_through_the_queue_and_the_worker(
    clerk_client, django_capture_on_commit_callbacks
):
    household = household_values("411727001000001")
    register = xlsx_bytes(as_table([
        register_row(household, member_values(1, "户主", "刘建国")),
        register_row(household, member_values(2, "配偶", "李桂英")),
    ]))

    post_and_commit(
        clerk_client, django_capture_on_commit_callbacks, reverse("imports:index"),
        {"kind": "households", "file": SimpleUploadedFile("register.xlsx", register)},
    )
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.PENDING
    assert DBTaskResult.objects.filter(task_path="imports.tasks.preview_import").count() == 1

    run_worker()
    run.refresh_from_db()
    assert run.status == ImportStatus.VALIDATED, run.errors
    assert not Household.objects.exists()

    post_and_commit(
        clerk_client, django_capture_on_commit_callbacks,
        reverse("imports:run_confirm", args=[run.pk]),
    )
    run.refresh_from_db()
    assert run.status == ImportStatus.QUEUED
    assert not Household.objects.exists()

    run_worker()
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE
    assert Household.objects.get().register_number == "411727001000001"
    assert Member.objects.count() == 2
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
