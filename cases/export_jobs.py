"""Exports that stream at once when small and run as a background job when large.

A view that can export implements ``ExportView.export_content``: the rows (header first), the
file's name and a bounded row count. ``export_response`` logs the export, then either streams
the file in the response or, past ``EXPORT_BACKGROUND_ROWS`` rows, records an ``ExportJob``
and queues ``build_export``, which writes the file to storage, encrypted
(``cases.filecrypt``), and lets only its requester download it (``cases.views.exports``)
until it expires.

The job rebuilds the content from the export's log (the view's path and query, and the user),
with the same view and the same scoping and permission checks as the request, so it cannot
export anything the request could not. A filter naming a whole ID or phone number is kept
masked in the log; such an export (a handful of rows at most) always streams.

A ``zip`` export (the household list's 含附件) is always a job: the workbook and each
household's evidence files (``evidence.archives``), written to the job's file like the others.
"""

import datetime
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.shortcuts import redirect
from django.urls import resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from cases import exports, filecrypt, privacy, sql_exports
from cases.models import ExportJob
from evidence import archives
from evidence.services import attachments_exported
from reliefportal.routers import use_read_replica

logger = logging.getLogger("cases.exports")
# Progress is written every this many rows: often enough for the page, rarely enough to cost
# nothing.
PROGRESS_EVERY = 5000
# An export's rows are counted no further than this: the count decides between streaming and
# a job, and gives the job's progress bar its end.
COUNT_LIMIT = 10_000_000


@dataclass
class ExportContent:
    rows: Iterable  # the header row, then the data rows
    filename: str  # without extension
    sheet_title: str
    count_up_to: Callable[[int], int]  # the number of data rows, counting no further than n
    text_columns: frozenset = frozenset()
    # The exported records, when a ZIP of their evidence files may go with them.
    records: QuerySet | None = None
    # A CSV file PostgreSQL writes itself (cases.sql_exports), in place of ``rows``.
    csv_export: sql_exports.SqlExport | None = None


class ExportView:
    """A view whose data may leave as a file. It defines ``export_content(file_format)``, which
    checks that the view's user may export and returns an ``ExportContent``; it runs in the
    request and again in the background job."""

    def export_response(self, file_format):
        return export_response(self.request, self, file_format)

    def export_refused_url(self):
        """Where the user is sent back to when an export is refused: the page, without the
        export parameter."""
        query = self.request.GET.copy()
        query.pop("export", None)
        return f"{self.request.path}?{query.urlencode()}" if query else self.request.path


def export_response(request, view, file_format):
    log = privacy.start_export(request, file_format)
    content = view.export_content(file_format)
    rows = content.count_up_to(COUNT_LIMIT)
    try:
        if file_format in ("xlsx", "zip"):
            exports.check_fits_excel(rows)
        if file_format == "zip":
            check_zip_can_run(request)
        if file_format == "zip" or runs_in_background(request, rows):
            job = ExportJob.objects.create(
                log=log, file_name=exports.file_name(content.filename, file_format),
                estimated_rows=rows,
            )
            # Queued once the job is committed, so a worker always finds it.
            transaction.on_commit(lambda: build_export.enqueue(job.pk))
            return redirect(job)
        if file_format == "csv" and content.csv_export is not None:
            return sql_exports.csv_response(content.csv_export, content.filename, log)
        if file_format == "csv":
            return exports.csv_response(privacy.counted_rows(content.rows, log), content.filename)
        return exports.xlsx_response(privacy.counted_rows(content.rows, log), content.filename,
                                     content.sheet_title, content.text_columns)
    except exports.ExportRefused as problem:
        _close_rows(content)
        # Nothing was sent: the log says so (after the rows' own count, closed by now).
        privacy.finish_export(log, 0, completed=False)
        messages.error(request, str(problem))
        return redirect(view.export_refused_url())


def runs_in_background(request, rows):
    """Whether an export of ``rows`` rows is made by a job: past ``EXPORT_BACKGROUND_ROWS``,
    unless its filter names a whole ID or phone number, which the log (and so the job) keeps
    masked."""
    if privacy.names_personal_number(request.GET.urlencode()):
        return False
    return rows > settings.EXPORT_BACKGROUND_ROWS


def check_zip_can_run(request):
    """A ZIP (the workbook and evidence files) is always made by a job, which reads the filter
    from the log: one naming a whole ID or phone number, kept masked there, is refused."""
    if privacy.names_personal_number(request.GET.urlencode()):
        raise exports.ExportRefused(_(
            "按完整身份证号或电话号码筛选时不能导出含附件的 ZIP:请改用户编号、姓名等"
            "其他条件筛选。"
        ))


def content_for(log):
    """The content of ``log``'s export, rebuilt by its view for its user, as in the request."""
    user = log.user
    if not user.is_active:
        raise PermissionDenied
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = log.path
    request.GET = QueryDict(log.query)
    request.user = user
    request.resolver_match = match = resolve(log.path)
    # A class-based list view is its own class; a function view that builds its list view
    # from the request (a dashboard drill-down) says how through ``export_view``.
    view_function = match.func
    if not hasattr(view_function, "view_class"):
        view_function = view_function.export_view(request, *match.args, **match.kwargs)
    view = view_function.view_class(**view_function.view_initkwargs)
    view.setup(request, *match.args, **match.kwargs)
    return view.export_content(log.file_format)


def _report_progress(job, count):
    ExportJob.objects.filter(pk=job.pk).update(rows_written=count)


def _with_progress(rows, job):
    count = -1
    for row in rows:
        count += 1
        if count and count % PROGRESS_EVERY == 0:
            _report_progress(job, count)
        yield row
    job.rows_written = max(count, 0)


def _write_file(log, job, output):
    """Write ``log``'s export to ``output``; return the evidence files put in (a ZIP's)."""
    content = content_for(log)
    if log.file_format == "zip":
        # Progress counts households whose files are in (the workbook, first, is quick).
        written = archives.write_household_zip(
            output, content, log.user, progress=lambda count: _report_progress(job, count)
        )
        job.rows_written = written.rows
        return written.files
    if log.file_format == "csv" and content.csv_export is not None:
        job.rows_written = sql_exports.write_csv(content.csv_export, output)
        return []
    rows = _with_progress(content.rows, job)
    try:
        if log.file_format == "csv":
            exports.write_csv(rows, output)
        else:
            exports.write_xlsx(rows, output, content.sheet_title, content.text_columns)
    except BaseException:
        _close_rows(content)
        raise
    return []


def _close_rows(content):
    """Close the rows of an export that stopped before its end: rows read by PostgreSQL
    (``cases.sql_exports.xlsx_rows``) hold a transaction open until then, and the failure
    must be recorded outside it."""
    close = getattr(content.rows, "close", None)
    if close is not None:
        close()


@task()
def build_export(job_id):
    purge_expired_exports()
    started = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING
    )
    if not started:
        return
    job = ExportJob.objects.select_related("log__user").get(pk=job_id)
    log = job.log
    try:
        # The file holds whole ID numbers: it is written encrypted as it is made (an .xlsx
        # or .zip is zipped straight into the encrypting stream), and stored only when complete.
        name = f"{uuid.uuid4().hex}.{log.file_format}.enc"
        with use_read_replica(), filecrypt.encrypted_into(job.file, name) as output:
            evidence_files = _write_file(log, job, output)
    except exports.ExportRefused as problem:
        _fail(job, str(problem))
        return
    except Exception:
        logger.exception("export job %s failed", job.pk)
        _fail(job, _("导出时出错（任务编号 %(job)s），文件没有生成。请稍后重试；如果仍然失败，"
                     "请把任务编号告诉系统管理员。") % {"job": job.pk})
        return
    with transaction.atomic():
        # The files in a ZIP are logged as the requester's downloads as the ZIP becomes
        # theirs to fetch.
        attachments_exported(files=evidence_files, user=log.user, export_log=log)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.DONE, file=job.file.name, rows_written=job.rows_written,
            finished_at=timezone.now(),
        )
    privacy.finish_export(log, job.rows_written)


def _fail(job, reason=""):
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.FAILED, failure=reason, finished_at=timezone.now()
    )
    privacy.finish_export(job.log, job.rows_written, completed=False)


def purge_expired_exports():
    """Delete the files made more than ``EXPORT_FILE_HOURS`` ago: they hold personal data. A
    job still waiting or running after that long was lost (a worker stopped in the middle):
    it is marked failed, so its page stops waiting."""
    cutoff = timezone.now() - datetime.timedelta(hours=settings.EXPORT_FILE_HOURS)
    ExportJob.objects.filter(
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
        log__exported_at__lt=cutoff,
    ).update(
        status=ExportJob.Status.FAILED,
        failure=_("导出任务中断（后台任务停止或超时），文件没有生成。请重新导出。"),
        finished_at=timezone.now(),
    )
    expired = ExportJob.objects.filter(status=ExportJob.Status.DONE, finished_at__lt=cutoff)
    for job in expired:
        job.file.delete(save=False)
    return expired.update(status=ExportJob.Status.EXPIRED, file="")
