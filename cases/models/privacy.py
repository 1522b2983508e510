from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
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
