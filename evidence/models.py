import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.querysets import ScopedQuerySet


def evidence_storage():
    """The storage named "evidence" in settings.STORAGES: local files outside every served
    directory by default, an S3-compatible bucket when configured."""
    return storages["evidence"]


def evidence_path(attachment, filename):
    """A random name under the county's code: the name the user gave is kept in the row
    only, so nothing they typed reaches a path."""
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"{attachment.county.code}/{uuid.uuid4().hex}.{extension}"


class FileKind(models.TextChoices):
    IMAGE = "image", _("照片")
    PDF = "pdf", _("PDF")
    XLSX = "xlsx", _("Excel 表格")
    DOCX = "docx", _("Word 文档")


class Attachment(models.Model):
    """One evidence file (a photo of a visit, a dividend receipt, a signed sign-in sheet) of
    one record. It belongs to the record's county, is stored through the "evidence" storage and
    is only ever read through the scoped download view, which logs every download."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录类型")
    )
    object_id = models.PositiveBigIntegerField(_("记录编号"))
    record = GenericForeignKey("content_type", "object_id")
    county = models.ForeignKey(
        "cases.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    # The household the record is about (the household itself, or the household of a visit,
    # pairing, job or dividend): its gallery, and downloads logged against it. Empty for
    # records about many households (a training session, a project).
    household = models.ForeignKey(
        "cases.Household", on_delete=models.PROTECT, null=True, blank=True,
        related_name="attachments", verbose_name=_("贫困户"),
    )
    file = models.FileField(
        _("文件"), storage=evidence_storage, upload_to=evidence_path, max_length=200
    )
    thumbnail = models.FileField(
        _("缩略图"), storage=evidence_storage, upload_to=evidence_path, max_length=200,
        blank=True,
    )
    original_name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("文件类型"), max_length=8, choices=FileKind.choices)
    size = models.PositiveIntegerField(_("大小(字节)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    county_lookup = "county"

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="attachment_record_idx"),
        ]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self):
        return self.kind == FileKind.IMAGE


class AttachmentDownload(models.Model):
    """One download of an evidence file: who fetched which file of which record and household,
    and when, alone or within an export's ZIP (``export``). Written before the file is sent;
    never changed afterwards (like RevealLog)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("用户"),
    )
    downloaded_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    attachment = models.ForeignKey(
        Attachment, on_delete=models.PROTECT, related_name="downloads", verbose_name=_("文件")
    )
    household = models.ForeignKey(
        "cases.Household", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("贫困户"),
    )
    county = models.ForeignKey(
        "cases.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    export = models.ForeignKey(
        "cases.ExportLog", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("所在导出"),
    )

    objects = ScopedQuerySet.as_manager()

    county_lookup = "county"

    class Meta:
        ordering = ["-downloaded_at", "-id"]
        verbose_name = _("佐证材料下载记录")
        verbose_name_plural = _("佐证材料下载记录")

    def __str__(self):
        return f"{self.user} {self.attachment}"
