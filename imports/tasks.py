"""Background jobs: a big file is validated and imported outside the request (with the
database backend), while the page shows the run's progress."""

from django_tasks import task

from imports.models import ImportRun, ImportStatus
from imports.services import import_run_apply, import_run_preview


@task()
def preview_import(run_id):
    run = ImportRun.objects.filter(pk=run_id, status=ImportStatus.PENDING).first()
    if run is not None:
        import_run_preview(run)


@task()
def apply_import(run_id):
    run = ImportRun.objects.filter(pk=run_id, status=ImportStatus.QUEUED).first()
    if run is not None:
        import_run_apply(run)
