from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.querysets import ScopedQuerySet

# The programme ran from 2015 (精准扶贫) to 2020; targets may be planned a year ahead.
FIRST_TARGET_YEAR = 2015


def last_target_year():
    return timezone.localdate().year + 1


def validate_target_year(value):
    if value is not None and not FIRST_TARGET_YEAR <= value <= last_target_year():
        raise ValidationError(
            _("目标年度应在%(first)s年到%(last)s年之间。"),
            code="target_year_range",
            params={"first": FIRST_TARGET_YEAR, "last": last_target_year()},
        )


class IndicatorTarget(models.Model):
    """A county's target for one indicator in one year, set by the city union.

    Scoped like every county row (``for_user``): county staff see their own county's targets,
    city reviewers and administrators see every county's. Setting targets is the one thing city
    reviewers change, while ``for_user(action="change")`` is about county records, which city
    reviewers never edit, and so gives them nothing; the target views therefore use their own
    rule, ``may_set_targets``: city reviewers and administrators only. County staff never set
    their own county's targets (they are measured against them). Changes are kept in history.
    """

    county = models.ForeignKey(
        "cases.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=[validate_target_year])
    # An indicator's key (cases.indicators.DEFINITIONS): the forms that write it check it.
    indicator = models.CharField(_("指标"), max_length=40)
    # One field for both kinds: whole numbers for counts, yuan to the fen for money.
    target = models.DecimalField(
        _("目标值"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("设定人"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    county_lookup = "county"

    class Meta:
        ordering = ["year", "county__code", "indicator"]
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year", "indicator"],
                name="indicator_target_unique",
                violation_error_message=_("该县区该年度已设定此指标的目标。"),
            ),
            models.CheckConstraint(
                condition=Q(target__gte=0),
                name="indicator_target_not_negative",
                violation_error_message=_("目标值不能为负数。"),
            ),
        ]

    def __str__(self):
        return f"{self.county} {self.year} {self.indicator}"

    @staticmethod
    def may_set_targets(user):
        """Whether ``user`` may set targets: city reviewers and administrators."""
        return bool(
            user is not None
            and user.is_authenticated
            and user.is_active
            and (user.is_city_reviewer or user.is_administrator)
        )
