"""Yearly targets: how far each county is towards the targets the city union set for the
year, and what a target may be."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.indicators.counting import Period
from cases.indicators.definitions import DEFINITIONS, INDICATORS, IndicatorDefinition
from cases.indicators.formatting import round_percent
from cases.models import IndicatorTarget

# Per county and year. Anything above is a typing slip (an extra 0, 万 typed as 元): the article's
# whole city has 27,438 people trained and 4.1亿 of finance funds.
MAX_COUNT_TARGET = Decimal(1_000_000)
MAX_MONEY_TARGET = Decimal(10_000_000_000)


def validate_target_value(indicator, value):
    """A target is a whole number (people, households, sessions, ...) or an amount in yuan for
    the money indicators, never negative and never absurd. Raises ValidationError."""
    if value is None:
        return
    if value < 0:
        raise ValidationError(_("目标值不能为负数。"), code="target_negative")
    definition = DEFINITIONS.get(indicator)
    if definition is not None and definition.money:
        if value > MAX_MONEY_TARGET:
            raise ValidationError(
                _("目标金额 %(value)s 元超出合理范围(不超过 %(limit)s 元),请核对单位是否为元。"),
                code="target_too_large",
                params={"value": value, "limit": MAX_MONEY_TARGET},
            )
        return
    if value != value.to_integral_value():
        raise ValidationError(_("该指标的目标值应为整数。"), code="target_not_integer")
    if value > MAX_COUNT_TARGET:
        raise ValidationError(
            _("目标值 %(value)s 超出合理范围(一个县区一年不超过 %(limit)s),请核对。"),
            code="target_too_large",
            params={"value": value.normalize(), "limit": MAX_COUNT_TARGET},
        )


# A county is behind schedule when its completion is more than this many percentage points
# below the share of the year that has elapsed.
BEHIND_SCHEDULE_MARGIN = Decimal(10)


@dataclass(frozen=True)
class TargetProgress:
    """One county's progress towards its target for one indicator.

    ``percent`` is the value as a percentage of the target (None for a target of 0, which is
    met by definition); ``expected_percent`` the share of the target year elapsed by the end of
    the period (days elapsed / days in the year, as a percentage); ``behind`` whether
    ``percent`` is more than ``BEHIND_SCHEDULE_MARGIN`` points below ``expected_percent``.
    """

    county: object
    definition: IndicatorDefinition
    value: object
    target: Decimal
    percent: Decimal | None
    expected_percent: Decimal
    behind: bool

    @property
    def key(self):
        return self.definition.key


def year_elapsed_share(year, end):
    """The share (0 to 1) of ``year`` elapsed by the end of the day ``end``: 0 before the year,
    1 after it. 2018-07-02 is day 183 of 365."""
    first = datetime.date(year, 1, 1)
    days_in_year = (datetime.date(year + 1, 1, 1) - first).days
    elapsed = min(max((end - first).days + 1, 0), days_in_year)
    return Decimal(elapsed) / Decimal(days_in_year)


def year_to_date(end):
    """The period a yearly target is measured over: from 1 January of ``end``'s year to
    ``end`` (stock figures such as the labor models are counted as of ``end`` anyway)."""
    return Period(start=datetime.date(end.year, 1, 1), end=end)


def target_progress(*, user, year, table):
    """Progress towards the targets of ``year`` that ``user`` may see (county staff their own
    county's, the city every county's), measured by ``table`` (a ``compute_indicators`` result,
    normally for ``year_to_date``). Its period's end decides how much of the year has elapsed,
    but never later than today: nothing can have happened yet in the rest of a year still
    running. One entry per county and indicator with a target, by county code then in the
    order of ``INDICATORS``. One query."""
    order = {definition.key: index for index, definition in enumerate(INDICATORS)}
    measured_to = min(table.period.end, timezone.localdate())
    expected = year_elapsed_share(year, measured_to) * 100
    targets = (
        IndicatorTarget.objects.for_user(user)
        .filter(year=year, indicator__in=order)
        .select_related("county")
    )
    progress = []
    for target in sorted(targets, key=lambda t: (t.county.code, order[t.indicator])):
        value = table.value(target.county_id, target.indicator)
        # Compared unrounded; shown to one decimal.
        share = Decimal(value) * 100 / target.target if target.target > 0 else None
        progress.append(
            TargetProgress(
                county=target.county,
                definition=DEFINITIONS[target.indicator],
                value=value,
                target=target.target,
                percent=None if share is None else round_percent(share),
                expected_percent=round_percent(expected),
                behind=share is not None and share < expected - BEHIND_SCHEDULE_MARGIN,
            )
        )
    return progress
