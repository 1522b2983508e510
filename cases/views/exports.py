"""Exports made in the background: the requester's list of them, one job's page with its
progress, and the download (the file decrypted as it streams, ``cases.filecrypt``). Another
user's job answers 404, like one that does not exist."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cases import exports, filecrypt
from cases.models import ExportJob

logger = logging.getLogger("cases.exports")

JOBS_PER_PAGE = 20


@login_required
@require_GET
def export_job_list(request):
    jobs = Paginator(
        ExportJob.objects.owned_by(request.user).select_related("log"), JOBS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(request, "cases/export_job_list.html", {
        "jobs": jobs, "file_hours": settings.EXPORT_FILE_HOURS,
    })


@login_required
@require_GET
def export_job_detail(request, pk):
    job = get_object_or_404(ExportJob.objects.owned_by(request.user).select_related("log"), pk=pk)
    return render(request, "cases/export_job_detail.html", {
        "job": job, "file_hours": settings.EXPORT_FILE_HOURS,
    })


@login_required
@require_GET
def export_job_progress(request, pk):
    """For the page's progress bar (static/js/progress.js)."""
    job = get_object_or_404(ExportJob.objects.owned_by(request.user), pk=pk)
    return JsonResponse({
        "status": job.status, "status_label": job.get_status_display(),
        "processed": job.rows_written, "total": job.estimated_rows,
        "percent": job.progress_percent, "busy": job.is_busy,
    })


@never_cache
@login_required
@require_GET
def export_job_download(request, pk):
    job = get_object_or_404(
        ExportJob.objects.owned_by(request.user).select_related("log"),
        pk=pk, status=ExportJob.Status.DONE,
    )
    if not job.file:
        raise Http404
    # The whole file is checked before the response starts: a chunk failing mid-stream could
    # only cut the download short, which the user might not notice.
    try:
        size = filecrypt.verify(job.file)
    except (filecrypt.FileDecryptionError, FileNotFoundError) as problem:
        logger.error("export job %s: its file cannot be read: %s", job.pk, problem)
        messages.error(request, _(
            "导出文件已损坏或无法解密(任务编号 %(job)s),不能下载:请重新导出;如果仍然出现,"
            "请把任务编号告诉系统管理员。"
        ) % {"job": job.pk})
        return redirect(job)
    response = StreamingHttpResponse(
        filecrypt.chunks(job.file), content_type=exports.CONTENT_TYPES[job.log.file_format]
    )
    response["Content-Length"] = size
    response["Content-Disposition"] = content_disposition_header(True, job.file_name)
    return response
