"""Running an import: the preview (validate, write nothing) and the import (validate and write
in one transaction), each recording its counts, errors and progress on the ImportRun."""

import datetime
import logging
import time
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.backends.immediate import ImmediateBackend

from cases import filecrypt
from cases.models import Township, Village
from cases.summaries import data_changed
from imports.engine import ImportInvalid, run_pass
from imports.kinds import get_kind
from imports.models import ImportPreset, ImportRun, ImportStatus
from imports.readers import FileProblem

logger = logging.getLogger(__name__)

# Progress is written at most this often (rows), so a big file is not slowed by it.
PROGRESS_EVERY = 5000


# The county's most recently saved mapping for the kind of file, applied unless the clerk
# picks another preset (or none) on upload.
LATEST_PRESET = "latest"


def import_run_create(*, user, kind, uploaded_file, preset=LATEST_PRESET):
    """Keep the uploaded file, encrypted (it holds whole ID numbers; ``cases.filecrypt``), and
    record the run; the county is the uploader's. ``preset``: the ImportPreset to check the
    file through, None for none, or ``LATEST_PRESET``."""
    if preset == LATEST_PRESET:
        preset = ImportPreset.objects.for_user(user, "change").filter(kind=kind).first()
    run = ImportRun(
        kind=kind, file_name=uploaded_file.name[:255], county_id=user.county_id, created_by=user,
        preset=preset,
    )
    # Stored under a random name: the clerk's file name may name a village or a person.
    with filecrypt.encrypted_into(run.file, f"{uuid.uuid4().hex}.enc") as stored:
        for chunk in uploaded_file.chunks():
            stored.write(chunk)
    run.save()
    return run


@contextmanager
def _plaintext(run):
    """The run's file decrypted into a seekable copy (``cases.filecrypt.decrypted_copy``: in
    memory up to the upload limit, so no accepted upload's plaintext reaches the disk). A file
    that does not decrypt (damaged, or stored before uploads were encrypted) is a
    ``FileProblem`` asking for the file again."""
    try:
        copy = filecrypt.decrypted_copy(run.file, settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024)
    except (filecrypt.FileDecryptionError, FileNotFoundError) as problem:
        logger.error("Import run %s: its stored file cannot be read: %s", run.pk, problem)
        raise FileProblem(
            _("服务器上保存的文件已损坏或无法解密,未写入任何数据:请重新上传文件。")
        ) from problem
    with copy:
        yield copy


def import_preset_rename(*, preset, name, user):
    preset.name = name
    preset.updated_by = user
    preset.save(update_fields=["name", "updated_by", "updated_at"])
    return preset


def villages_add_from_run(*, run, user):
    """Add the villages the run's file names and the county lacks (and their townships),
    in one transaction, then check the file again."""
    with transaction.atomic():
        for township_name, village_name, _households in run.file_columns.get("villages", []):
            township, _created = Township.objects.get_or_create(
                county_id=user.county_id, name=township_name
            )
            Village.objects.get_or_create(township=township, name=village_name)
        ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.PENDING, processed_rows=0)
    run.refresh_from_db()


def import_preset_save(*, run, user, name, columns, constants, values):
    """Save (or update, by name) the county's mapping for the run's kind, with what the
    clerk chose for this file added to what the preset already held, and check the file
    again through it."""
    preset, _created = ImportPreset.objects.get_or_create(
        county_id=user.county_id, kind=run.kind, name=name,
        defaults={"updated_by": user},
    )
    preset.columns = {**preset.columns, **columns}
    preset.constants = {**preset.constants, **constants}
    merged_values = {header: dict(by_value) for header, by_value in preset.values.items()}
    for header, by_value in values.items():
        merged_values.setdefault(header, {}).update(by_value)
    preset.values = merged_values
    preset.updated_by = user
    preset.save()
    ImportRun.objects.filter(pk=run.pk).update(
        preset=preset, status=ImportStatus.PENDING, processed_rows=0
    )
    run.refresh_from_db()
    return preset


def _progress_writer(run):
    last = [0]

    def progress(processed, total):
        if processed - last[0] >= PROGRESS_EVERY or processed >= total:
            last[0] = processed
            # An update of two columns outside the import's transaction when previewing; during
            # the import itself it is only visible once committed, so the page shows the phase.
            ImportRun.objects.filter(pk=run.pk).update(processed_rows=processed, total_rows=total)

    return progress


def _record(run, report, status):
    run.status = status
    run.total_rows = report.rows
    run.processed_rows = report.rows
    run.created_count = report.total("created")
    run.updated_count = report.total("updated")
    run.unchanged_count = report.total("unchanged")
    run.error_count = report.error_count
    run.errors = report.errors
    run.warnings = [str(warning) for warning in report.warnings] + [
        _("“%(column)s”列共有 %(count)s 处错误,下面只列出前 %(shown)s 处。")
        % {"column": column or _("整个文件"), "count": count, "shown": report.ERRORS_PER_COLUMN}
        for column, count in report.columns_cut_short()
    ]
    run.summary = {label: dict(counts) for label, counts in report.counts.items()}
    run.changes = report.changes
    run.flags = dict(report.flags)
    run.file_columns = report.file_columns
    run.finished_at = timezone.now()
    run.save()


def _fail(run, message):
    run.status = ImportStatus.FAILED if run.confirmed_at else ImportStatus.INVALID
    run.error_count = max(run.error_count, 1)
    run.errors = [{"row": "", "column": "", "message": str(message)}]
    run.finished_at = timezone.now()
    run.save()


def _deadline():
    """When an inline pass (the immediate task backend, inside the web request) must stop: well
    before the web server kills the request and leaves the run "checking" for ever. A worker
    has no such limit."""
    if isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], ImmediateBackend):
        return time.monotonic() + settings.IMPORT_INLINE_SECONDS
    return None


def import_runs_fail_lost():
    """Marks failed, with the reason, every run waiting or running for longer than
    ``IMPORT_RUN_TIMEOUT_MINUTES``: its task died (a worker killed, a request timed out) and
    nothing else will ever finish it. Returns how many."""
    cutoff = timezone.now() - datetime.timedelta(minutes=settings.IMPORT_RUN_TIMEOUT_MINUTES)
    reason = _("检查或导入没有在 %(minutes)s 分钟内完成(后台任务中断或超时),未写入任何数据:"
               "请重新上传文件。") % {"minutes": settings.IMPORT_RUN_TIMEOUT_MINUTES}
    errors = [{"row": "", "column": "", "message": reason}]
    checking = ImportRun.objects.filter(
        status__in=[ImportStatus.PENDING, ImportStatus.VALIDATING], created_at__lt=cutoff
    ).update(status=ImportStatus.INVALID, errors=errors, error_count=1, finished_at=timezone.now())
    importing = ImportRun.objects.filter(
        status__in=[ImportStatus.QUEUED, ImportStatus.IMPORTING], confirmed_at__lt=cutoff
    ).update(status=ImportStatus.FAILED, errors=errors, error_count=1, finished_at=timezone.now())
    for count, phase in ((checking, "check"), (importing, "import")):
        if count:
            logger.warning("%s import run(s) lost during the %s marked failed", count, phase)
    return checking + importing


def import_files_purge():
    """Deletes the uploaded files of runs that ended (imported, invalid, failed) more than
    ``IMPORT_FILE_DAYS`` ago: they hold whole ID numbers, and the run keeps its counts and
    errors without them. A preview left unconfirmed that long is closed as well. Returns how
    many files were deleted."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.IMPORT_FILE_DAYS)
    ImportRun.objects.filter(status=ImportStatus.VALIDATED, finished_at__lt=cutoff).update(
        status=ImportStatus.INVALID, error_count=1,
        errors=[{"row": "", "column": "", "message": _(
            "检查通过后 %(days)s 天内没有确认导入,文件已按保留期限删除:请重新上传。"
        ) % {"days": settings.IMPORT_FILE_DAYS}}],
    )
    ended = ImportRun.objects.filter(
        status__in=[ImportStatus.DONE, ImportStatus.INVALID, ImportStatus.FAILED],
        finished_at__lt=cutoff,
    ).exclude(file="")
    deleted = 0
    for run in ended.only("pk", "file"):
        run.file.delete(save=False)
        ImportRun.objects.filter(pk=run.pk).update(file="")
        deleted += 1
    return deleted


def import_run_preview(run):
    """Validate the whole file and record what an import would do; writes no records."""
    kind = get_kind(run.kind)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.VALIDATING)
    try:
        with _plaintext(run) as stored:
            report = run_pass(
                kind, stored, run.file_name, run.created_by, write=False, run=run,
                progress=_progress_writer(run), max_errors=ImportRun.MAX_STORED_ERRORS,
                deadline=_deadline(),
                preset=run.preset,
            )
    except FileProblem as problem:
        _fail(run, problem)
        return run
    except Exception:
        # Whatever went wrong, the run must not stay "checking" for ever; the log has the rest.
        logger.exception("Import run %s could not be checked", run.pk)
        _fail(run, _("检查文件时出错,请确认文件内容后重新上传。"))
        raise
    _record(run, report, ImportStatus.INVALID if report.error_count else ImportStatus.VALIDATED)
    return run


def import_run_apply(run):
    """Validate again (the data may have changed since the preview) and write every row in one
    transaction; any invalid row, or a conflict with the database, writes nothing."""
    kind = get_kind(run.kind)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.IMPORTING)
    try:
        with transaction.atomic(), _plaintext(run) as stored:
            report = run_pass(
                kind, stored, run.file_name, run.created_by, write=True, run=run,
                progress=_progress_writer(run), max_errors=ImportRun.MAX_STORED_ERRORS,
                deadline=_deadline(),
                preset=run.preset,
            )
            # Bulk writes send no signals: mark the county's dashboard figures as changed here,
            # in the same transaction.
            data_changed([run.county_id])
    except ImportInvalid as invalid:
        _record(run, invalid.report, ImportStatus.FAILED)
        return run
    except FileProblem as problem:
        _fail(run, problem)
        return run
    except IntegrityError:
        logger.exception("Import run %s conflicted with the database", run.pk)
        _fail(run, _("导入与系统中的数据冲突(例如同时有人修改了这些记录,或户主互换),"
                     "未写入任何数据:请重新上传文件检查后再导入。"))
        return run
    except DatabaseError:
        logger.exception("Import run %s failed", run.pk)
        _fail(run, _("导入时数据库出错,未写入任何数据,请稍后重试。"))
        return run
    except Exception:
        logger.exception("Import run %s failed", run.pk)
        _fail(run, _("导入出错,未写入任何数据,请稍后重试。"))
        raise
    _record(run, report, ImportStatus.DONE)
    return run
