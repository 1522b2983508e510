from django import template
from django.urls import reverse

from cases.models import Household
from evidence.forms import AttachmentUploadForm
from evidence.services import attachable_models, attachments_of, evidence_required

register = template.Library()


@register.inclusion_tag("evidence/panel.html", takes_context=True)
def evidence_panel(context, record):
    """A record's evidence files as thumbnails, with the upload form for those who may
    change the record. A household's panel is its gallery: its own files and those of the
    help it received."""
    request = context["request"]
    user = request.user
    model = type(record)
    if getattr(record, "pk", None) is None or model not in attachable_models():
        return {"show": False}
    if isinstance(record, Household):
        files = record.attachments.for_user(user)
    else:
        files = attachments_of(record).for_user(user)
    may_upload = (
        user.is_county_staff
        and model.objects.allows(user, record.pk)
    )
    return {
        "show": True,
        "record": record,
        "files": files.select_related("content_type"),
        "is_household": isinstance(record, Household),
        "required": evidence_required(model),
        "form": AttachmentUploadForm(record=record) if may_upload else None,
        "upload_url": reverse(
            "evidence:attachment_upload", args=[model._meta.model_name, record.pk]
        ),
        "next": request.get_full_path(),
    }


@register.inclusion_tag("evidence/thumbnails.html")
def evidence_thumbnails(files):
    """Small thumbnails (photos) and file names (documents), each linking to its download."""
    return {"files": files}
