"""Exports made in the background: the requester's list of them, one job's page with its
progress, and the download. Another user's job answers 404, like one that does not exist."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cases import exports
from cases.models import ExportJob

JOBS_PER_PAGE = 20


@login_required
@require_GET
def export_job_list(request):
    jobs = Paginator(
        ExportJob.objects.for_user(request.user).select_related("log"), JOBS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(request, "cases/export_job_list.html", {
        "jobs": jobs, "file_hours": settings.EXPORT_FILE_HOURS,
    })


@login_required
@require_GET
def export_job_detail(request, pk):
    job = get_object_or_404(ExportJob.objects.for_user(request.user).select_related("log"), pk=pk)
    return render(request, "cases/export_job_detail.html", {
        "job": job, "file_hours": settings.EXPORT_FILE_HOURS,
    })


@login_required
@require_GET
def export_job_progress(request, pk):
    """For the page's progress bar (static/js/progress.js)."""
    job = get_object_or_404(ExportJob.objects.for_user(request.user), pk=pk)
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
        ExportJob.objects.for_user(request.user).select_related("log"),
        pk=pk, status=ExportJob.Status.DONE,
    )
    if not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.file_name,
        content_type=exports.CONTENT_TYPES[job.log.file_format],
    )
