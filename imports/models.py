from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.querysets import ScopedQuerySet


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("等待检查")
    VALIDATING = "validating", _("正在检查")
    INVALID = "invalid", _("有错误")
    VALIDATED = "validated", _("检查通过,待确认")
    QUEUED = "queued", _("等待导入")
    IMPORTING = "importing", _("正在导入")
    DONE = "done", _("已导入")
    FAILED = "failed", _("导入失败")


class ChangeFlag(models.TextChoices):
    """Changes an import may make that the clerk must confirm with an explicit tick."""

    STATUS = "status", _("脱贫状态改变")
    MOVED = "moved", _("成员从另一户移入")
    REVIEW = "review", _("已提交或已审核的户退回草稿")


class ImportPreset(models.Model):
    """A county's saved column mapping for one kind of import: which column of its files
    fills which of the portal's columns, constants for columns its files lack, and its own
    values for coded columns. Applied automatically to the county's next files of that kind."""

    county = models.ForeignKey(
        "cases.County", on_delete=models.CASCADE, related_name="+", verbose_name=_("县区")
    )
    kind = models.CharField(_("导入类型"), max_length=30)
    name = models.CharField(_("方案名称"), max_length=50)
    # {portal header: the file's label}
    columns = models.JSONField(_("列对应"), default=dict, blank=True)
    # {portal header: a value for every row}
    constants = models.JSONField(_("固定值"), default=dict, blank=True)
    # {portal header: {the file's value: the portal's label}}
    values = models.JSONField(_("值对应"), default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("修改人"),
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    county_lookup = "county"

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("列对应方案")
        verbose_name_plural = _("列对应方案")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "kind", "name"], name="import_preset_unique_name",
                violation_error_message=_("本县区已有同名的对应方案。"),
            ),
        ]

    def __str__(self):
        return self.name


class ImportRun(models.Model):
    """One uploaded file and what became of it: the preview's counts and errors, then the
    import's. The file is kept, so what was imported can always be looked at again."""

    # How many errors are kept for display; every error is still counted.
    MAX_STORED_ERRORS = 1000

    kind = models.CharField(_("导入类型"), max_length=30)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("文件名"), max_length=255)
    county = models.ForeignKey(
        "cases.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("确认导入时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变"), default=0)
    error_count = models.PositiveIntegerField(_("错误"), default=0)
    # [{"row": 12, "column": "身份证号", "message": "..."}], at most MAX_STORED_ERRORS.
    errors = models.JSONField(_("错误明细"), default=list, blank=True)
    warnings = models.JSONField(_("提示"), default=list, blank=True)
    # Counts per kind of record, e.g. {"贫困户": {"created": 3, ...}, "家庭成员": {...}}.
    summary = models.JSONField(_("分类统计"), default=dict, blank=True)
    # The records an update changes: [{"row", "record", "fields": [[label, old, new]], "flags"}],
    # at most MAX_STORED_ERRORS; and how many updates change something the clerk must tick
    # to confirm: {"status": 2, "moved": 1, "review": 5} (ChangeFlag values).
    changes = models.JSONField(_("变更明细"), default=list, blank=True)
    flags = models.JSONField(_("需确认的变更"), default=dict, blank=True)
    # The mapping applied to the file, and the file's header and unmatched values, from which
    # the mapping step is offered: {"labels": [...], "missing": [...], "unknown": [...],
    # "unmatched": [[portal header, value, rows], ...]}.
    preset = models.ForeignKey(
        ImportPreset, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("列对应方案"),
    )
    file_columns = models.JSONField(_("文件的列"), default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()

    county_lookup = "county"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        permissions = [
            ("export_register", _("导出完整建档立卡登记册(含完整身份证号和电话)")),
        ]

    def __str__(self):
        return f"{self.file_name}({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("imports:run_detail", args=[self.pk])

    @property
    def change_reason(self):
        """Written on every history row the import makes, so the audit history says where a
        change came from and the result page can find the records it touched."""
        return f"批量导入 #{self.pk}"

    def flagged(self):
        """[(label, count)] of the flagged kinds of change this import makes."""
        return [(ChangeFlag(flag).label, count) for flag, count in self.flags.items() if count]

    @property
    def is_busy(self):
        return self.status in {
            ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.QUEUED,
            ImportStatus.IMPORTING,
        }

    @property
    def progress_percent(self):
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
