from django.db import models
from django.utils.translation import gettext_lazy as _


class CountyDataVersion(models.Model):
    """A counter per county, bumped in the same transaction as any change to the county's
    records (``cases.summaries``): an indicator snapshot is current while its version is."""

    county = models.OneToOneField(
        "cases.County", on_delete=models.CASCADE, primary_key=True, related_name="+",
        verbose_name=_("县区"),
    )
    version = models.PositiveBigIntegerField(_("数据版本"), default=0)

    class Meta:
        verbose_name = _("县区数据版本")
        verbose_name_plural = _("县区数据版本")

    def __str__(self):
        return f"{self.county_id} v{self.version}"


class IndicatorSnapshot(models.Model):
    """One county's dashboard figures, monthly trend and breakdowns for one period and review
    rule, as computed from the records at ``computed_at`` when the county's data was at
    ``version``. Derived data: dropped and recomputed, never edited."""

    county = models.ForeignKey(
        "cases.County", on_delete=models.CASCADE, related_name="+", verbose_name=_("县区")
    )
    period_key = models.CharField(_("统计区间"), max_length=40)
    version = models.PositiveBigIntegerField(_("数据版本"))
    data = models.JSONField(_("数据"))
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("指标快照")
        verbose_name_plural = _("指标快照")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "period_key"], name="indicator_snapshot_once_per_period"
            ),
        ]

    def __str__(self):
        return f"{self.county_id} {self.period_key} v{self.version}"
