"""The city's yearly targets page: a grid of counties × the main indicators, saved all at once."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.indicators import DEFINITIONS, TARGETABLE, validate_target_value
from cases.models import IndicatorTarget
from cases.models.targets import FIRST_TARGET_YEAR, last_target_year


class TargetYearForm(forms.Form):
    """The year whose targets are shown (``?year=``); this year when none is chosen."""

    year = forms.TypedChoiceField(
        label=_("年度"), coerce=int, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = range(last_target_year(), FIRST_TARGET_YEAR - 1, -1)
        self.fields["year"].choices = [(year, str(year)) for year in years]

    @classmethod
    def year_from(cls, data):
        form = cls(data)
        if form.is_valid():
            return form.cleaned_data["year"]
        return timezone.localdate().year


def target_field(definition, county):
    money = definition.money
    label = f"{county.name} {definition.label}({definition.unit})"
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=14,
        decimal_places=2 if money else 0,
        error_messages={
            "invalid": _("请输入数字。"),
            "max_digits": _("数值过大,请核对。"),
            "max_whole_digits": _("数值过大,请核对。"),
            "max_decimal_places": _("金额最多保留两位小数(到分)。")
            if money
            else _("该指标的目标值应为整数。"),
        },
        widget=forms.NumberInput(
            attrs={
                "min": 0,
                "step": "0.01" if money else 1,
                "inputmode": "decimal" if money else "numeric",
                "aria-label": label,
                "class": "form-control form-control-sm text-end"
                + (" target-money" if money else ""),
            }
        ),
    )


class CountyTargetsForm(forms.Form):
    """One county's row of the grid: one field per indicator; blank means no target."""

    def __init__(self, *args, county, **kwargs):
        super().__init__(*args, **kwargs)
        self.county = county
        for key in TARGETABLE:
            self.fields[key] = target_field(DEFINITIONS[key], county)

    def clean(self):
        cleaned = super().clean()
        for key in TARGETABLE:
            if cleaned.get(key) is not None:
                try:
                    validate_target_value(key, cleaned[key])
                except ValidationError as error:
                    self.add_error(key, error)
        return cleaned

    def full_clean(self):
        super().full_clean()
        # A cell with an error is marked, and its message tied to it, for screen readers too.
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] += " is-invalid"
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_error"


def format_target(definition, value):
    """How a stored target reads in the grid: whole numbers without decimals."""
    if value is None:
        return None
    return value if definition.money else value.to_integral_value()


class TargetGrid:
    """The rows of every county ``user`` may see for ``year``, bound to ``data`` when posted.
    ``save`` writes all of them or none."""

    def __init__(self, data=None, *, counties, year):
        self.year = year
        self.counties = list(counties)
        self.existing = {
            (target.county_id, target.indicator): target
            for target in IndicatorTarget.objects.filter(
                year=year, county__in=self.counties, indicator__in=TARGETABLE
            )
        }
        self.rows = []
        for county in self.counties:
            initial = {
                key: format_target(DEFINITIONS[key], target.target)
                for (county_id, key), target in self.existing.items()
                if county_id == county.pk
            }
            self.rows.append(
                CountyTargetsForm(data, county=county, initial=initial, prefix=f"c{county.pk}")
            )
        self.columns = [DEFINITIONS[key] for key in TARGETABLE]

    def is_valid(self):
        # Every row is validated (not stopping at the first bad one), so all errors show.
        valid = [row.is_valid() for row in self.rows]
        return all(valid)

    @property
    def error_count(self):
        return sum(len(row.errors) for row in self.rows)

    def save(self, user):
        """Create, change or delete (a cleared cell) the year's targets; unchanged cells are
        left alone, so history records only real changes. Raises ``ValidationError`` when
        someone else saved the same year at the same moment; nothing is then saved."""
        try:
            with transaction.atomic():
                changed = 0
                for row in self.rows:
                    for key in TARGETABLE:
                        changed += self._save_cell(row.county, key, row.cleaned_data[key], user)
        except IntegrityError as error:
            raise ValidationError(
                _("其他人刚刚修改了本年度的目标,请刷新页面后重新填写。")
            ) from error
        return changed

    def _save_cell(self, county, key, value, user):
        current = self.existing.get((county.pk, key))
        if value is None:
            if current is None:
                return 0
            current.delete()
            return 1
        if current is None:
            IndicatorTarget.objects.create(
                county=county, year=self.year, indicator=key, target=value, set_by=user
            )
            return 1
        if current.target == value:
            return 0
        current.target = value
        current.set_by = user
        current.save()
        return 1
