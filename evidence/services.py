"""Adding evidence files to records, reading them back (logged), and the rules around them."""

import logging
from collections import defaultdict

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from evidence.models import Attachment, AttachmentDownload

logger = logging.getLogger("evidence")

# The column exports add with each record's number of files. Imports skip it (in either
# language) without a word: it is read, never written back.
ATTACHMENT_COUNT_LABEL = gettext_lazy("附件数")


def attachable_models():
    """Every record the city reviews (households, pairings, helpers and every kind of help)
    may carry evidence files."""
    from cases.models import ReviewedRecord

    return [
        model for model in apps.get_app_config("cases").get_models()
        if issubclass(model, ReviewedRecord)
    ]


def is_attachable(model):
    return model in attachable_models()


def attachment_count(model):
    """The number of evidence files of each row of a ``model`` queryset, as a correlated
    subquery: a whole list or export costs no query more than without it."""
    per_record = (
        Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk")
        )
        .order_by()
        .values("object_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_record, output_field=IntegerField()), 0)


def attachment_count_labels():
    """The count column's header as the exports write it, in every language of the portal."""
    labels = set()
    for language, _name in settings.LANGUAGES:
        with override(language):
            labels.add(str(ATTACHMENT_COUNT_LABEL))
    return labels


def attachable_model(model_name):
    """The attachable model called ``model_name``; any other name answers 404."""
    for model in attachable_models():
        if model._meta.model_name == model_name:
            return model
    raise Http404


def household_id_of(record):
    """The household ``record`` is about, or None when it is about many (a training session,
    a project) or none (a helper, a village pairing)."""
    from cases.models import DividendPayment, Employment, Household

    if isinstance(record, Household):
        return record.pk
    if isinstance(record, DividendPayment):
        return record.agreement.household_id
    if isinstance(record, Employment):
        return record.member.household_id
    return getattr(record, "household_id", None)


def attachments_of(record):
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    )


def check_record_total(record, checked_files):
    """ValidationError when ``checked_files`` would take ``record``'s files past the limit."""
    stored = 0
    if record.pk:
        stored = attachments_of(record).aggregate(total=Sum("size"))["total"] or 0
    if stored + sum(checked.size for checked in checked_files) > settings.EVIDENCE_MAX_RECORD_BYTES:
        raise ValidationError(
            _("一条记录的佐证材料合计不能超过 %(limit)s,已有 %(stored)s。")
            % {
                "limit": filesizeformat(settings.EVIDENCE_MAX_RECORD_BYTES),
                "stored": filesizeformat(stored),
            },
            code="record_too_large",
        )


def attachments_add(*, record, checked_files, user):
    """Store ``checked_files`` (from ``evidence.files.check_upload``) as ``record``'s evidence
    and return the new rows: all of them or, on any error, none (files already written are
    removed again). Only staff of the record's county add files; the files belong to the
    record's county."""
    if not (user.is_county_staff and user.county_id == record.county_id):
        raise PermissionDenied
    check_record_total(record, checked_files)
    content_type = ContentType.objects.get_for_model(record)
    household_id = household_id_of(record)
    stored, created = [], []
    try:
        with transaction.atomic():
            for checked in checked_files:
                attachment = Attachment(
                    content_type=content_type,
                    object_id=record.pk,
                    county=record.county,
                    household_id=household_id,
                    original_name=checked.original_name,
                    kind=checked.kind,
                    size=checked.size,
                    uploaded_by=user,
                )
                attachment.file.save(
                    f"file.{checked.extension}", ContentFile(checked.content), save=False
                )
                stored.append(attachment.file)
                if checked.thumbnail:
                    attachment.thumbnail.save(
                        "thumb.jpg", ContentFile(checked.thumbnail), save=False
                    )
                    stored.append(attachment.thumbnail)
                attachment.save()
                created.append(attachment)
    except BaseException:
        for field_file in stored:
            field_file.storage.delete(field_file.name)
        raise
    for attachment in created:
        logger.info(
            "evidence %s added to %s %s", attachment.pk, record._meta.label_lower, record.pk,
            extra={"object_id": attachment.pk, "model": record._meta.label_lower},
        )
    return created


def attachment_for_user(user, pk):
    """The attachment ``pk`` if ``user`` may see its record (the record's own scope), else
    404: another county's file answers exactly like a file that does not exist."""
    try:
        attachment = Attachment.objects.for_user(user).select_related("content_type").get(pk=pk)
    except Attachment.DoesNotExist:
        raise Http404 from None
    model = attachment.content_type.model_class()
    if not model.objects.for_user(user).filter(pk=attachment.object_id).exists():
        raise Http404
    return attachment


def attachment_download(*, attachment, user):
    """The open file of ``attachment``, its download logged first (who, which file, which
    household): like a reveal of a personal number, nothing leaves unrecorded."""
    AttachmentDownload.objects.create(
        user=user,
        attachment=attachment,
        household_id=attachment.household_id,
        county_id=attachment.county_id,
    )
    return attachment.file.open("rb")


def attachments_exported(*, files, user, export_log):
    """Log ``files`` ((attachment, household, county) ids), put in the ZIP of ``user``'s
    export ``export_log``, as downloads by ``user``: only they may fetch the ZIP, and a
    household's files never leave unrecorded."""
    AttachmentDownload.objects.bulk_create(
        (
            AttachmentDownload(
                user=user, attachment_id=attachment_id, household_id=household_id,
                county_id=county_id, export=export_log,
            )
            for attachment_id, household_id, county_id in files
        ),
        batch_size=1000,
    )


def attachments_by_record(records, user):
    """``{(model, pk): [attachments]}`` of ``records`` (of any models) that ``user`` may see:
    one query per model."""
    pks_by_model = defaultdict(set)
    for record in records:
        pks_by_model[type(record)].add(record.pk)
    found = defaultdict(list)
    for model, pks in pks_by_model.items():
        rows = (
            Attachment.objects.for_user(user)
            .filter(content_type=ContentType.objects.get_for_model(model), object_id__in=pks)
            .order_by("uploaded_at", "id")
        )
        for attachment in rows:
            found[(model, attachment.object_id)].append(attachment)
    return found


def evidence_required(model):
    return model._meta.model_name in settings.EVIDENCE_REQUIRED_FOR


def check_required_evidence(record):
    """ValidationError when ``record``'s kind needs a file before review
    (``EVIDENCE_REQUIRED_FOR``) and it has none."""
    if evidence_required(type(record)) and not attachments_of(record).exists():
        raise ValidationError(
            _("提交审核前须上传佐证材料(如收据、签到表或照片)。"), code="evidence_required"
        )


def attachments_follow_record(sender, record, previous_county_id, **kwargs):
    """A record moved to another county (``cases.counties.record_moved``) takes its files
    along: they belong to the record's county, which scopes who may fetch them."""
    Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(sender), object_id=record.pk
    ).update(county_id=record.county_id)
