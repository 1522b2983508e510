from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.querysets import ScopedQuerySet


class TransferRequest(models.Model):
    """A county clerk's request that the city office move a record into the clerk's county,
    filed from the neutral "already registered" error (``cases.transfers``). It keeps the
    keyed digest of the number the clerk typed, never the number, so the clerk learns nothing
    of where the record is; the city finds the holding county through the digest."""

    class Kind(models.TextChoices):
        HOUSEHOLD = "household", _("贫困户(户编号)")
        MEMBER = "member", _("家庭成员(身份证号)")
        LABOR_MODEL = "labormodel", _("劳模(身份证号)")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        HANDLED = "handled", _("已处理")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("申请人"),
    )
    county = models.ForeignKey(
        "cases.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("申请县区")
    )
    kind = models.CharField(_("记录类型"), max_length=20, choices=Kind.choices)
    field_name = models.CharField(_("字段"), max_length=30)
    number_digest = models.CharField(_("号码摘要"), max_length=64, db_index=True)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("处理人"),
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    reply = models.TextField(_("答复"), blank=True)

    objects = ScopedQuerySet.as_manager()
    county_lookup = "county"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("转移申请")
        verbose_name_plural = _("转移申请")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self):
        return reverse("cases:transfer_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status == self.Status.OPEN
