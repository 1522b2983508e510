"""Import pages: upload, preview (counts and every error), confirm, result; templates, help
and the county's full register export. Only county staff import, into their own county."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.export_jobs import ExportContent, ExportView
from cases.exports import XLSX_TYPE
from evidence.services import attachment_count, is_attachable
from imports import exports, tasks
from imports.forms import ImportMappingForm, ImportPresetForm, ImportUploadForm
from imports.kinds import KINDS, get_kind
from imports.models import ImportPreset, ImportRun, ImportStatus
from imports.services import (
    import_preset_rename,
    import_preset_save,
    import_run_create,
    import_runs_fail_lost,
    villages_add_from_run,
)

ERRORS_PER_PAGE = 100
RECORDS_PER_PAGE = 50


def _require_importer(user, kind=None):
    """County staff import, into their own county, the kinds of record they may add and
    change; anyone else gets 403."""
    if not user.is_county_staff:
        raise PermissionDenied
    if kind is not None and not user.has_perms(kind.permissions):
        raise PermissionDenied


def _kind_or_404(slug):
    kind = get_kind(slug)
    if kind is None:
        raise Http404
    return kind


@login_required
@require_http_methods(["GET", "POST"])
def import_index(request):
    """The upload form, the templates and the county's earlier imports."""
    user = request.user
    _require_importer(user)
    import_runs_fail_lost()
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, user=user,
        upload_too_large=getattr(request, "upload_too_large", False),
    )
    if request.method == "POST" and form.is_valid():
        _require_importer(user, get_kind(form.cleaned_data["kind"]))
        run = import_run_create(
            user=user, kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"],
            preset=form.chosen_preset(),
        )
        # Queued once the run is committed, so a worker always finds it.
        transaction.on_commit(lambda: tasks.preview_import.enqueue(run.pk))
        return redirect(run)
    runs = Paginator(
        ImportRun.objects.for_user(user).select_related("created_by"), 20
    ).get_page(request.GET.get("page"))
    return render(request, "imports/index.html", {
        "form": form, "kinds": KINDS.values(), "runs": runs,
        "can_export_register": user.has_perm("imports.export_register"),
        "preset_count": len(form.presets),
    })


#
# The county's mapping presets
#


def _scoped_preset(request, pk):
    """County staff's own county's preset; another county's is not found. City reviewers and
    administrators do not import, so they have no presets to manage (403)."""
    _require_importer(request.user)
    return get_object_or_404(ImportPreset.objects.for_user(request.user, "change"), pk=pk)


@login_required
@require_GET
def preset_list(request):
    _require_importer(request.user)
    presets = ImportPreset.objects.for_user(request.user, "change").select_related("updated_by")
    return render(request, "imports/preset_list.html", {
        "presets": [(preset, get_kind(preset.kind)) for preset in presets],
    })


@login_required
@require_http_methods(["GET", "POST"])
def preset_edit(request, pk):
    """Rename a preset."""
    preset = _scoped_preset(request, pk)
    form = ImportPresetForm(request.POST or None, preset=preset)
    if request.method == "POST" and form.is_valid():
        import_preset_rename(preset=preset, name=form.cleaned_data["name"], user=request.user)
        messages.success(request, _("已将方案改名为“%(name)s”。") % {"name": preset.name})
        return redirect("imports:preset_list")
    return render(request, "imports/preset_form.html", {
        "form": form, "preset": preset, "kind": get_kind(preset.kind),
    })


@login_required
@require_POST
def preset_delete(request, pk):
    """Delete a preset; the imports checked through it keep their results."""
    preset = _scoped_preset(request, pk)
    preset.delete()
    messages.success(request, _("已删除方案“%(name)s”。") % {"name": preset.name})
    return redirect("imports:preset_list")


def _scoped_run(request, pk, action="view"):
    _require_importer(request.user)
    run = get_object_or_404(ImportRun.objects.for_user(request.user, action), pk=pk)
    _require_importer(request.user, get_kind(run.kind))
    return run


@login_required
@require_GET
def run_detail(request, pk):
    """The preview while the run awaits confirmation, the result once imported; the errors
    (with row, column and message) paginated."""
    import_runs_fail_lost()
    run = _scoped_run(request, pk)
    return _render_run(request, run)


def _render_run(request, run, mapping_form=None):
    kind = get_kind(run.kind)
    if mapping_form is None and run.status == ImportStatus.INVALID:
        mapping_form = ImportMappingForm(run=run, kind=kind)
    errors = Paginator(run.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "imports/run_detail.html", {
        "run": run, "kind": kind, "errors": errors,
        "flagged": run.flagged(),
        "mapping_form": mapping_form if mapping_form and mapping_form.has_choices else None,
        "new_villages": run.file_columns.get("villages") if run.status == ImportStatus.INVALID
        else None,
        "can_add_villages": request.user.has_perms(("cases.add_township", "cases.add_village")),
        "statuses": ImportStatus,
        "errors_truncated": run.error_count > len(run.errors),
    })


@login_required
@require_GET
def run_progress(request, pk):
    """For the page's progress bar (static/js/import-progress.js)."""
    import_runs_fail_lost()
    run = _scoped_run(request, pk)
    return JsonResponse({
        "status": run.status, "status_label": run.get_status_display(),
        "processed": run.processed_rows, "total": run.total_rows,
        "percent": run.progress_percent, "busy": run.is_busy,
    })


@login_required
@require_POST
def run_mapping(request, pk):
    """The mapping step: save what the clerk chose as the county's preset and check the file
    again through it."""
    run = _scoped_run(request, pk, "change")
    if run.status != ImportStatus.INVALID:
        return redirect(run)
    form = ImportMappingForm(request.POST, run=run, kind=get_kind(run.kind))
    if not form.is_valid():
        return _render_run(request, run, form)
    columns, constants, values = form.mapping()
    import_preset_save(
        run=run, user=request.user, name=form.cleaned_data["name"], columns=columns,
        constants=constants, values=values,
    )
    transaction.on_commit(lambda: tasks.preview_import.enqueue(run.pk))
    return redirect(run)


@login_required
@require_POST
def run_add_villages(request, pk):
    """Add the villages the file names that the county does not have yet, and check again."""
    run = _scoped_run(request, pk, "change")
    if not request.user.has_perms(("cases.add_township", "cases.add_village")):
        raise PermissionDenied
    if run.status == ImportStatus.INVALID and run.file_columns.get("villages"):
        villages_add_from_run(run=run, user=request.user)
        transaction.on_commit(lambda: tasks.preview_import.enqueue(run.pk))
    return redirect(run)


@login_required
@require_POST
def run_confirm(request, pk):
    """Confirm a previewed import. Compare-and-set on the status, so a double click or two
    clerks confirming at once import the file only once. An import that changes a household's
    poverty status, moves a member or sends reviewed households back to draft needs the
    clerk's explicit tick."""
    run = _scoped_run(request, pk, "change")
    if run.flagged() and not request.POST.get("accept_flagged"):
        messages.error(request, _("本次导入包含需要确认的变更:请核对变更明细,勾选确认后再导入。"))
        return redirect(run)
    confirmed = ImportRun.objects.filter(pk=run.pk, status=ImportStatus.VALIDATED).update(
        status=ImportStatus.QUEUED, confirmed_at=timezone.now()
    )
    if confirmed:
        transaction.on_commit(lambda: tasks.apply_import.enqueue(run.pk))
    return redirect(run)


@login_required
@require_GET
def run_records(request, pk):
    """The records this import created or changed, each linking to its page, with its number
    of evidence files (the import never touches files: they are added on the record's page)."""
    run = _scoped_run(request, pk)
    kind = get_kind(run.kind)
    records = kind.imported_records(run)
    counts_files = is_attachable(records.model)
    if counts_files:
        records = records.annotate(attachment_count=attachment_count(records.model))
    records = Paginator(records.order_by("pk"), RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "imports/run_records.html", {
        "run": run, "kind": kind, "records": records, "counts_files": counts_files,
    })


@login_required
@require_GET
def kind_help(request, kind):
    kind = _kind_or_404(kind)
    return render(request, "imports/kind_help.html", {"kind": kind})


@login_required
@require_GET
def kind_template(request, kind):
    kind = _kind_or_404(kind)
    response = HttpResponse(exports.template_workbook(kind), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, _("导入模板-%(kind)s.xlsx") % {"kind": kind.label}
    )
    return response


class RegisterExportView(LoginRequiredMixin, ExportView, View):
    """The county's full register in the import layout, with complete ID numbers and phones,
    so that it can be corrected in Excel and imported back. County staff of that county only,
    with the ``imports.export_register`` permission; logged like every export."""

    def post(self, request):
        # A POST: an export writes its log (and maybe starts a job).
        file_format = request.POST.get("format", "xlsx")
        if file_format not in {"csv", "xlsx"}:
            raise Http404
        self.require_permission()
        return self.export_response(file_format)

    def export_refused_url(self):
        return reverse("imports:index")

    def require_permission(self):
        user = self.request.user
        if not (user.is_county_staff and user.has_perm("imports.export_register")):
            raise PermissionDenied

    def export_content(self, file_format):
        self.require_permission()
        user = self.request.user
        return ExportContent(
            rows=exports.register_rows(user),
            filename=_("建档立卡登记册-%(county)s-%(date)s") % {
                "county": user.county.name, "date": f"{timezone.localdate():%Y%m%d}",
            },
            sheet_title=_("建档立卡登记册"),
            count_up_to=lambda limit: exports.register_row_count(user, limit),
            text_columns=exports.register_text_columns(),
        )
