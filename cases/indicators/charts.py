"""The dashboard's charts: monthly trends and breakdowns, under the same counting rules as the
figures (the row sources of ``counting.py``)."""

import datetime
from collections import defaultdict

from django.db.models import Count, DateField, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth

from cases.choices import HonourLevel, PairingMode
from cases.indicators.counting import IndicatorSources, active_during, figure_aggregate, in_counties
from cases.models import Employment, Household, HouseholdEvent, Pairing, TrainingAttendance

TREND_MONTHS_AS_OF = 24  # an "as of" period has no start: its trend shows the last 24 months


def trend_months(period):
    """The first days of the months a trend over ``period`` shows, oldest first: the months
    of the period, or for an "as of" period the last ``TREND_MONTHS_AS_OF`` months."""
    last = period.end.replace(day=1)
    if period.start:
        first = period.start.replace(day=1)
    else:
        index = last.year * 12 + last.month - 1 - (TREND_MONTHS_AS_OF - 1)
        first = datetime.date(index // 12, index % 12 + 1, 1)
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _per_month(rows, months, date_field, value, county_path):
    """``value`` (an aggregate) of ``rows`` per county (``county_path``: the county of the
    thing counted) and month of ``date_field`` (a field or an annotation), one query;
    ``{county id: list aligned with months}``, 0 for a month without rows."""
    grouped = (
        rows.filter(**{f"{date_field}__gte": months[0]})
        .annotate(month=TruncMonth(date_field, output_field=DateField()))
        .values(county_path, "month")
        .annotate(value=value)
        .order_by()
    )
    found = defaultdict(dict)
    for row in grouped:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        found[row[county_path]][month] = row["value"] or 0
    return {
        county: [by_month.get(month, 0) for month in months]
        for county, by_month in found.items()
    }


TREND_KEYS = (
    "people_trained", "people_employed", "households_exited", "project_funds", "agreement_funds",
)


def sum_trends(months, trends):
    """The trends of several counties (``monthly_trend_by_county`` values) added up. Each
    person, household, project and agreement is counted in one county, so the sums are the
    figures of the counties together."""
    total = {"months": months}
    for key in TREND_KEYS:
        total[key] = [
            sum((trend[key][i] for trend in trends), 0) for i in range(len(months))
        ]
    return total


def monthly_trend(*, user, period, include_submitted=False):
    """Month by month over ``trend_months(period)``, for every county ``user`` may see
    together (see ``monthly_trend_by_county``)."""
    by_county = monthly_trend_by_county(
        user=user, period=period, include_submitted=include_submitted
    )
    return sum_trends(trend_months(period), list(by_county.values()))


def monthly_trend_by_county(*, user, period, include_submitted=False, counties=None):
    """Month by month over ``trend_months(period)``, per county (of those ``user`` may see;
    only ``counties`` when given): people trained for the first time (so over a whole period
    the months add up to the "people trained" figure), people who started a job, households
    that exited poverty, and funds of the projects started and agreements signed (yuan). Each
    is counted in the county of the person, household, project or agreement. Five queries.

    Returns ``{county id: {"people_trained": [...], "people_employed": [...],
    "households_exited": [...], "project_funds": [Decimal, ...], "agreement_funds": [...]}}``
    for the counties with any of them.
    """
    sources = IndicatorSources(user=user, period=period, include_submitted=include_submitted)
    months = trend_months(period)
    # Each counted person's first attendance: one with no earlier attendance of the same
    # person (an anti-join; two sessions on the first day fall in the same month, and the
    # person is counted once by the distinct count).
    counted_attendance = TrainingAttendance.objects.filter(
        period.date_range("session__held_on"), session__review_status__in=sources.counted
    )
    earlier = counted_attendance.filter(
        member=OuterRef("member"), session__held_on__lt=OuterRef("session__held_on")
    )
    first_attendance = counted_attendance.filter(
        member__in=in_counties(sources.members(), counties)
    ).exclude(Exists(earlier))
    jobs = in_counties(Employment.objects.for_user(user), counties).filter(
        period.date_range("started_on"),
        period.not_archived("member__"),
        period.not_archived("member__household__"),
        review_status__in=sources.counted,
    )
    # Exits as the households' events date them: one that returned to poverty since still
    # exited in its month.
    exits = HouseholdEvent.objects.filter(
        period.date_range("on"),
        kind=HouseholdEvent.Kind.EXITED,
        household__in=in_counties(Household.objects.for_user(user), counties).filter(
            period.not_archived()
        ),
    )
    series = {
        "people_trained": _per_month(
            first_attendance, months, "session__held_on", Count("member", distinct=True),
            "member__county",
        ),
        "people_employed": _per_month(
            jobs, months, "started_on", Count("member", distinct=True), "county"
        ),
        "households_exited": _per_month(
            exits, months, "on", Count("household", distinct=True), "household__county"
        ),
        "project_funds": _per_month(
            in_counties(sources.projects().rows, counties), months, "started_on",
            Sum("funds"), "county",
        ),
        "agreement_funds": _per_month(
            in_counties(sources.finance_agreements().rows, counties), months, "signed_on",
            Sum("funds"), "county",
        ),
    }
    by_county = {}
    for key, per_county in series.items():
        for county, values in per_county.items():
            trend = by_county.setdefault(county, {k: [0] * len(months) for k in TREND_KEYS})
            trend[key] = values
    return by_county


LEVEL_KEYS = ("labor_models", "labor_models_in_service_local", "labor_models_participating")


def breakdowns(*, user, period, include_submitted=False):
    """Labor models by honour level (all, in service and local, participating: the same rows
    and conditions as the figures) and pairings by "6+1" mode (running at some time in the
    period; and of them still running on its end), for every county ``user`` may see
    together; two queries.

    Returns ``{"honour_levels": [{"level", "label", "labor_models",
    "labor_models_in_service_local", "labor_models_participating"}, ...],
    "pairing_modes": [{"mode", "label", "pairings", "active"}, ...]}`` in choice order."""
    by_county = breakdowns_by_county(user=user, period=period, include_submitted=include_submitted)
    return sum_breakdowns(list(by_county.values()))


def breakdowns_by_county(*, user, period, include_submitted=False, counties=None):
    """``breakdowns`` per county (of those ``user`` may see; only ``counties`` when given):
    ``{county id: {"levels": {level: {key: n}}, "modes": {mode: {"pairings": n, "active":
    n}}}}`` for the counties with any. Two queries."""
    sources = IndicatorSources(user=user, period=period, include_submitted=include_submitted)
    labor_models, figures = sources.figures("labor_models")
    by_county = defaultdict(lambda: {"levels": {}, "modes": {}})
    for row in (
        in_counties(labor_models, counties).values("county", "honour_level")
        .annotate(**{key: figure_aggregate(key, figures[key]) for key in LEVEL_KEYS})
        .order_by()
    ):
        by_county[row.pop("county")]["levels"][row.pop("honour_level")] = row
    pairings = in_counties(Pairing.objects.for_user(user), counties).filter(
        Q(household__isnull=True) | period.not_archived("household__"),
        active_during(period),
        review_status__in=sources.counted,
    )
    # As Pairing.objects.active_on(period.end), as a condition.
    active_on_end = Q(start_date__lte=period.end) & (
        Q(end_date__isnull=True) | Q(end_date__gt=period.end)
    )
    for row in (
        pairings.values("county", "mode")
        .annotate(pairings=Count("pk"), active=Count("pk", filter=active_on_end))
        .order_by()
    ):
        by_county[row.pop("county")]["modes"][row.pop("mode")] = row
    return dict(by_county)


def sum_breakdowns(parts):
    """Several counties' ``breakdowns_by_county`` values added up, as ``breakdowns`` returns."""

    def total(section, choice, key):
        return sum(part[section].get(choice, {}).get(key, 0) for part in parts)

    return {
        "honour_levels": [
            {
                "level": level.value,
                "label": level.label,
                **{key: total("levels", level.value, key) for key in LEVEL_KEYS},
            }
            for level in HonourLevel
        ],
        "pairing_modes": [
            {
                "mode": mode.value,
                "label": mode.label,
                "pairings": total("modes", mode.value, "pairings"),
                "active": total("modes", mode.value, "active"),
            }
            for mode in PairingMode
        ],
    }
