from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.querysets import ScopedQuerySet


class RevealLog(models.Model):
    """One look at a full ID number or phone number (显示完整号码): who, when, which record and
    which field. Written before the value is shown; never changed afterwards."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("用户"),
    )
    revealed_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录类型")
    )
    object_id = models.PositiveBigIntegerField(_("记录编号"))
    field_name = models.CharField(_("字段"), max_length=30)
    county = models.ForeignKey(
        "cases.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-revealed_at", "-id"]
        verbose_name = _("完整号码查看记录")
        verbose_name_plural = _("完整号码查看记录")

    def __str__(self):
        return f"{self.user} {self.content_type.model}#{self.object_id}.{self.field_name}"


class ExportLog(models.Model):
    """One export of a list, the dashboard workbook or the indicators JSON: who, when, which
    list with which filters, and how many rows left. A streamed file's row count is written
    when the stream ends; ``completed`` stays false if the download broke off."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("用户"),
    )
    exported_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    list_name = models.CharField(_("清单"), max_length=100)
    path = models.CharField(_("地址"), max_length=200)
    query = models.TextField(_("筛选条件"), blank=True)
    file_format = models.CharField(_("格式"), max_length=10)
    row_count = models.PositiveIntegerField(_("行数"), null=True, blank=True)
    completed = models.BooleanField(_("已完成"), default=False)

    class Meta:
        ordering = ["-exported_at", "-id"]
        verbose_name = _("导出记录")
        verbose_name_plural = _("导出记录")
        # Exporting takes personal data out of the portal: its own permission, not "view".
        permissions = [("export_records", _("可导出清单和指标"))]

    def __str__(self):
        return f"{self.user} {self.list_name} {self.exported_at:%Y-%m-%d %H:%M}"


class ExportJobQuerySet(models.QuerySet):
    def owned_by(self, user):
        """A file made in the background is its requester's alone: it may hold what only
        their role and county may see. (Not ``for_user``: that name is the county scoping
        of records, a different rule.)"""
        if not user.is_authenticated:
            return self.none()
        return self.filter(log__user=user)


class ExportJob(models.Model):
    """An export too large to stream within one request: written to a file by a background
    job (``cases.export_jobs``), downloaded by its requester, and deleted after a while."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        EXPIRED = "expired", _("已过期")

    log = models.OneToOneField(
        ExportLog, on_delete=models.CASCADE, related_name="job", verbose_name=_("导出记录")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    estimated_rows = models.PositiveIntegerField(_("预计行数"), default=0)
    rows_written = models.PositiveIntegerField(_("已写行数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/%Y/%m/", blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Why the file could not be made, when the user can do something about it.
    failure = models.TextField(_("失败原因"), blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("后台导出")
        verbose_name_plural = _("后台导出")

    def __str__(self):
        return self.file_name

    def get_absolute_url(self):
        return reverse("cases:export_job_detail", args=[self.pk])

    @property
    def is_busy(self):
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    @property
    def progress_percent(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.estimated_rows:
            return 0
        return min(99, self.rows_written * 100 // self.estimated_rows)
