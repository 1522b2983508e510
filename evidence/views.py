"""Evidence files: adding them to a record, a household's gallery, and the only ways a file's
bytes leave the portal (the download, logged, and the thumbnail). Every view reads through
``for_user``: another county's record or file answers 404, like one that does not exist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.models import Household
from evidence.files import CONTENT_TYPES
from evidence.forms import AttachmentUploadForm
from evidence.models import AttachmentDownload
from evidence.services import (
    attachable_model,
    attachment_download,
    attachment_for_user,
    attachments_add,
)

# The gallery lists the latest downloads; the administrators' log keeps all of them.
DOWNLOAD_LOG_ROWS = 100


def _back(request, record):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(record.get_absolute_url())


@login_required
@require_POST
def attachment_upload(request, model_name: str, pk: int):
    """Add files to a record the user may change; refused files are named with the reason
    and nothing of that upload is stored."""
    model = attachable_model(model_name)
    record = model.objects.get_or_deny(request.user, pk)
    form = AttachmentUploadForm(request.POST, request.FILES, record=record)
    if form.is_valid():
        try:
            added = attachments_add(
                record=record, checked_files=form.cleaned_data["files"], user=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已上传 %(count)s 个文件。") % {"count": len(added)})
    else:
        messages.error(request, " ".join(form.errors["files"]))
    return _back(request, record)


@login_required
@require_GET
def attachment_download_view(request, pk: int):
    """The file itself, always as a download (never shown inline, so a browser never runs
    it), after its log row is written."""
    attachment = attachment_for_user(request.user, pk)
    handle = attachment_download(attachment=attachment, user=request.user)
    extension = attachment.file.name.rsplit(".", 1)[-1]
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name,
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def attachment_thumbnail(request, pk: int):
    """A photo's small JPEG copy (made by Pillow at upload), for pages that show photos.
    Too small to read a document by, so, unlike downloads, not logged."""
    attachment = attachment_for_user(request.user, pk)
    if not attachment.thumbnail:
        raise Http404
    response = FileResponse(attachment.thumbnail.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def household_gallery(request, pk: int):
    """Every evidence file of one household: of the household itself and of its visits,
    pairings, agreements, dividends, jobs and aid."""
    household = Household.objects.get_or_deny(request.user, pk, "view")
    files = (
        household.attachments.for_user(request.user)
        .select_related("content_type", "uploaded_by")
        .order_by("-uploaded_at", "-id")
    )
    downloads = (
        AttachmentDownload.objects.for_user(request.user)
        .filter(household=household)
        .select_related("user", "attachment")[:DOWNLOAD_LOG_ROWS]
    )
    return render(
        request,
        "evidence/household_gallery.html",
        {"household": household, "files": files, "downloads": downloads},
    )
