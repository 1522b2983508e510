from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.validators import validate_not_in_future

from .base import ReviewedRecord


class HouseholdVisit(ReviewedRecord):
    """入户走访: a helper's visit to a household, what was talked about or found there and the
    needs the household raised, with photos taken on the spot (evidence files)."""

    household = models.ForeignKey(
        "cases.Household", on_delete=models.PROTECT, related_name="visits",
        verbose_name=_("贫困户"),
    )
    visited_on = models.DateField(_("走访日期"), validators=[validate_not_in_future])
    labor_model = models.ForeignKey(
        "cases.LaborModel", on_delete=models.PROTECT, null=True, blank=True,
        related_name="visits", verbose_name=_("帮扶劳模"),
    )
    visitors = models.CharField(
        _("走访人"), max_length=200, help_text=_("入户的帮扶责任人、工会干部等。")
    )
    findings = models.TextField(_("走访情况"), help_text=_("交谈内容、看到的生产生活情况。"))
    needs = models.TextField(_("提出的诉求"), blank=True)
    # Set by the visit form when it is opened: a form sent twice (an upload retried on a weak
    # connection after the first attempt arrived) saves one visit, not two.
    submission_key = models.UUIDField(_("提交标识"), null=True, blank=True, unique=True,
                                      editable=False)

    county_source = "household"
    # The household's, whichever county's labor model visited.
    county_independent_of = ("labor_model",)

    class Meta:
        ordering = ["-visited_on", "id"]
        verbose_name = _("入户走访")
        verbose_name_plural = _("入户走访")
        indexes = [
            models.Index(fields=["review_status", "county"], name="visit_status_county_idx"),
        ]

    def __str__(self):
        return f"{self.visited_on} {self.household}"

    def get_absolute_url(self):
        return reverse("cases:household_detail", args=[self.household_id])
