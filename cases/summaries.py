"""The dashboard served from per-county snapshots that are kept current.

Computing a dashboard reads every record of the period (millions at a national scale: seconds,
not milliseconds). Each county's figures, monthly trend and breakdowns for a period are
therefore stored once computed (``IndicatorSnapshot``) and read back until that county's data
changes. Every dashboard figure is counted in the county of the thing counted, so a city page
is the sum of its counties' snapshots, exactly as ``compute_indicators`` sums them.

Kept current: each county has a data version (``CountyDataVersion``). Any change to a county's
records bumps it in the same transaction: saves and deletes of every ``cases`` model and
many-to-many changes, through signals; writes that send no signals (the review services' bulk
approval, imports, ``QuerySet.update``) call ``data_changed(county_ids)`` themselves. A
snapshot is used only while its version is the county's current one; otherwise the county is
recomputed on the next view and its snapshot replaced. The version is read before the figures
are computed, so a change committed during a computation leaves the snapshot outdated rather
than wrong. The page shows when its figures were computed.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from cases.indicators import (
    DEFINITIONS,
    TREND_KEYS,
    IndicatorTable,
    breakdowns_by_county,
    compute_indicators,
    monthly_trend_by_county,
    sum_breakdowns,
    sum_trends,
    trend_months,
)
from cases.models import County, CountyDataVersion, IndicatorSnapshot

MONEY_TREND_KEYS = {"project_funds", "agreement_funds"}
# Rows that do not change any figure: the summaries themselves and the audit logs.
UNCOUNTED_MODELS = {
    "countydataversion", "indicatorsnapshot", "exportlog", "exportjob", "reveallog",
}


def data_changed(county_ids=None):
    """Mark the figures of ``county_ids`` (None: every county) as changed, in the caller's
    transaction. Two or three small queries."""
    versions = CountyDataVersion.objects.all()
    if county_ids is None:
        county_ids = set(County.objects.values_list("pk", flat=True))
    else:
        county_ids = {pk for pk in county_ids if pk is not None}
        versions = versions.filter(county_id__in=county_ids)
    if not county_ids:
        return
    with transaction.atomic():
        updated = versions.update(version=F("version") + 1)
        if updated < len(county_ids):
            # Counties never counted before: create their counter, then count this change
            # on it (whoever created it first, the increment is not lost).
            existing = set(
                CountyDataVersion.objects.filter(county_id__in=county_ids).values_list(
                    "county_id", flat=True
                )
            )
            missing = county_ids - existing
            CountyDataVersion.objects.bulk_create(
                [CountyDataVersion(county_id=pk) for pk in missing], ignore_conflicts=True
            )
            CountyDataVersion.objects.filter(county_id__in=missing).update(
                version=F("version") + 1
            )


def _counted(sender):
    opts = sender._meta
    return (
        opts.app_label == "cases"
        and opts.model_name not in UNCOUNTED_MODELS
        and not opts.model_name.startswith("historical")
    )


def _county_of(instance):
    if isinstance(instance, County):
        return [instance.pk]
    county_id = getattr(instance, "county_id", None)
    # Reference rows (poverty causes, fields of expertise) belong to no county.
    return None if county_id is None else [county_id]


@receiver(post_save, dispatch_uid="summaries_saved")
@receiver(post_delete, dispatch_uid="summaries_deleted")
def _record_changed(sender, instance, raw=False, **kwargs):
    if raw or not _counted(sender):
        return
    data_changed(_county_of(instance))


@receiver(m2m_changed, dispatch_uid="summaries_m2m")
def _relation_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and _counted(type(instance)):
        data_changed(_county_of(instance))


#
# Snapshots
#


def period_key(period, include_submitted):
    start = period.start.isoformat() if period.start else "-"
    return f"{start}..{period.end.isoformat()}|{int(bool(include_submitted))}"


def _to_json(table, county, trend, parts, months):
    figures = {}
    for key, definition in DEFINITIONS.items():
        value = table.value(county, key)
        figures[key] = str(value) if definition.money else value
    trend = trend or {key: [0] * len(months) for key in TREND_KEYS}
    return {
        "figures": figures,
        "trend": {
            key: [str(v) if key in MONEY_TREND_KEYS else v for v in values]
            for key, values in trend.items()
        },
        "parts": parts or {"levels": {}, "modes": {}},
    }


def _from_json(data):
    figures = {
        key: Decimal(value) if DEFINITIONS[key].money else value
        for key, value in data["figures"].items()
    }
    trend = {
        key: [Decimal(v) if key in MONEY_TREND_KEYS else v for v in values]
        for key, values in data["trend"].items()
    }
    return figures, trend, data["parts"]


def _compute(user, period, include_submitted, counties):
    """Fresh figures of ``counties`` (ids), as the snapshots store them."""
    kwargs = {"user": user, "period": period, "include_submitted": include_submitted}
    table = compute_indicators(**kwargs, counties=counties)
    trends = monthly_trend_by_county(**kwargs, counties=counties)
    parts = breakdowns_by_county(**kwargs, counties=counties)
    months = trend_months(period)
    return {
        county: _to_json(table, county, trends.get(county), parts.get(county), months)
        for county in counties
    }


class DashboardData:
    """What the dashboard shows for ``counties``: ``table`` (an IndicatorTable), ``trend``
    and ``parts`` (as ``monthly_trend`` and ``breakdowns`` return them) and ``computed_at``,
    the time of the oldest snapshot used."""

    def __init__(self, period, snapshots):
        self.table = IndicatorTable(period=period)
        trends, parts = [], []
        for county, data in snapshots.items():
            figures, trend, county_parts = _from_json(data)
            self.table.by_county[county] = figures
            trends.append(trend)
            parts.append(county_parts)
        self.trend = sum_trends(trend_months(period), trends)
        self.parts = sum_breakdowns(parts)


def dashboard_data(*, user, period, include_submitted=False, counties=None):
    """The dashboard's figures for the counties ``user`` may see (``counties``, if the caller
    has read them already), from current snapshots, computing (and storing) those of the
    counties whose data changed since. A fixed number of queries: two when every snapshot is
    current, 23 when some county is recomputed."""
    if counties is None:
        counties = County.objects.for_user(user)
    counties = [county.pk for county in counties]
    key = period_key(period, include_submitted)
    versions = dict(
        CountyDataVersion.objects.filter(county_id__in=counties).values_list("county_id", "version")
    )
    snapshots = {}
    computed_at = []
    if counties:
        for snapshot in IndicatorSnapshot.objects.filter(county_id__in=counties, period_key=key):
            if snapshot.version == versions.get(snapshot.county_id, 0):
                snapshots[snapshot.county_id] = snapshot.data
                computed_at.append(snapshot.computed_at)
    stale = [county for county in counties if county not in snapshots]
    if stale:
        now = timezone.now()
        fresh = _compute(user, period, include_submitted, stale)
        IndicatorSnapshot.objects.bulk_create(
            [
                IndicatorSnapshot(
                    county_id=county, period_key=key, version=versions.get(county, 0),
                    data=data, computed_at=now,
                )
                for county, data in fresh.items()
            ],
            update_conflicts=True,
            unique_fields=["county", "period_key"],
            update_fields=["version", "data", "computed_at"],
        )
        snapshots.update(fresh)
        computed_at.append(now)
    result = DashboardData(period, snapshots)
    result.computed_at = min(computed_at) if computed_at else timezone.now()
    return result

