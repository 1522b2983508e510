from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import PairingMode
from cases.querysets import ScopedQuerySet
from cases.validators import validate_not_in_future

from .base import ReviewedRecord, exactly_one


class PairingQuerySet(ScopedQuerySet):
    def active_on(self, day):
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gt=day), start_date__lte=day)


class Pairing(ReviewedRecord):
    """结对帮扶: one helper (labor model, collective or enterprise) paired with one household or
    one whole village, in one of the "6+1" modes, with the plan agreed with the household."""

    HELPER_FIELDS = ("labor_model", "collective", "enterprise")
    TARGET_FIELDS = ("household", "village")

    labor_model = models.ForeignKey(
        "cases.LaborModel", on_delete=models.PROTECT, null=True, blank=True,
        related_name="pairings", verbose_name=_("劳模"),
    )
    collective = models.ForeignKey(
        "cases.AdvancedCollective", on_delete=models.PROTECT, null=True, blank=True,
        related_name="pairings", verbose_name=_("先进集体"),
    )
    enterprise = models.ForeignKey(
        "cases.Enterprise", on_delete=models.PROTECT, null=True, blank=True,
        related_name="pairings", verbose_name=_("劳模企业/合作社"),
    )
    household = models.ForeignKey(
        "cases.Household", on_delete=models.PROTECT, null=True, blank=True,
        related_name="pairings", verbose_name=_("贫困户"),
    )
    village = models.ForeignKey(
        "cases.Village", on_delete=models.PROTECT, null=True, blank=True,
        related_name="pairings", verbose_name=_("贫困村"),
    )
    mode = models.CharField(_("帮扶方式"), max_length=12, choices=PairingMode.choices)
    start_date = models.DateField(_("开始日期"), validators=[validate_not_in_future])
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    plan = models.TextField(_("帮扶措施"), help_text=_("与贫困户共同商定的帮扶措施。"))
    end_reason = models.CharField(_("结束原因"), max_length=200, blank=True)

    objects = PairingQuerySet.as_manager()

    # The pairing belongs to the county of the household or village it helps.
    county_source = "target"
    # A helper may come from another county.
    county_independent_of = ("labor_model", "collective", "enterprise")

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        # The review queue (per county, of one status) and the county home page (of one
        # county and status) count records from this index alone.
        indexes = [
            models.Index(
                fields=["review_status", "county"], name="pairing_status_county_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=exactly_one("labor_model", "collective", "enterprise"),
                name="pairing_has_exactly_one_helper",
                violation_error_message=_("请选择且只选择一个帮扶方:劳模、先进集体或企业。"),
            ),
            models.CheckConstraint(
                condition=exactly_one("household", "village"),
                name="pairing_has_exactly_one_target",
                violation_error_message=_("请选择且只选择一个帮扶对象:贫困户或贫困村。"),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="pairing_end_not_before_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.helper} → {self.target}"

    @property
    def helper(self):
        return self.labor_model or self.collective or self.enterprise

    @property
    def target(self):
        return self.household or self.village

    @classmethod
    def county_source_fields(cls):
        return cls.TARGET_FIELDS

    @property
    def is_active(self):
        return self.end_date is None or self.end_date > timezone.localdate()

    def clean(self):
        errors = {}
        helpers = [name for name in self.HELPER_FIELDS if getattr(self, f"{name}_id")]
        if len(helpers) != 1:
            errors["labor_model"] = _("请选择且只选择一个帮扶方:劳模、先进集体或企业。")
        targets = [name for name in self.TARGET_FIELDS if getattr(self, f"{name}_id")]
        if len(targets) != 1:
            errors["household"] = _("请选择且只选择一个帮扶对象:贫困户或贫困村。")
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("结束日期不能早于开始日期。")
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        """The household's page; a village pairing is shown on its helper's page."""
        if self.household_id:
            return reverse("cases:household_detail", args=[self.household_id])
        for name in self.HELPER_FIELDS:
            helper_id = getattr(self, f"{name}_id")
            if helper_id:
                helper_model = self._meta.get_field(name).related_model._meta.model_name
                return reverse(f"cases:{helper_model}_detail", args=[helper_id])
        return reverse("cases:pairing_edit", args=[self.pk])
