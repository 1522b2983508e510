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

Refreshed in the background (``DASHBOARD_REFRESH_IN_BACKGROUND``: with the database queue and
its worker): once a change commits, a job recomputes every snapshot of the changed county (each
period someone has viewed), as above, so that no page view waits seconds for it. Meanwhile the
page shows the outdated snapshot, its time, and that newer figures are being computed; a
county with no snapshot for the period, or whose refresh failed or is lost, is still computed
on the view, and so is a period "as of" a past day (see ``_kept_current``). Inline (the
default), nothing is queued and every view shows current figures.
"""

import datetime
import threading
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from accounts.models import Role, User
from cases.indicators import (
    DEFINITIONS,
    TREND_KEYS,
    IndicatorTable,
    Period,
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
    if settings.DASHBOARD_REFRESH_IN_BACKGROUND:
        _refresh_after_commit(county_ids)


# The counties changed in this thread's transaction, not yet handed to the queue.
_changed = threading.local()


def _refresh_after_commit(county_ids):
    """Queue a refresh of ``county_ids`` once the caller's transaction commits (at once, outside
    one). A transaction saving a thousand rows registers a callback per save, but the first
    callback to run queues every county changed and leaves the others nothing to do."""
    if not hasattr(_changed, "counties"):
        _changed.counties = set()
    _changed.counties.update(county_ids)
    # Robust: the save has committed whatever happens; a county left without a queued refresh
    # is computed by the next view instead.
    transaction.on_commit(_queue_changed_counties, robust=True)


def _queue_changed_counties():
    # Counties of a rolled-back transaction may be among them: their refresh finds the
    # snapshots current and does nothing.
    county_ids, _changed.counties = _changed.counties, set()
    if county_ids:
        snapshot_refreshes_enqueue(county_ids)


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


def period_from_key(key):
    """The ``(period, include_submitted)`` a ``period_key`` was made from."""
    dates, submitted = key.split("|")
    start, end = dates.split("..")
    period = Period(
        end=datetime.date.fromisoformat(end),
        start=None if start == "-" else datetime.date.fromisoformat(start),
    )
    return period, submitted == "1"


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
    and ``parts`` (as ``monthly_trend`` and ``breakdowns`` return them), ``computed_at``, the
    time of the oldest snapshot used, and ``refreshing``, whether some county's figures are
    outdated ones shown while the worker computes newer ones."""

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
    counties whose data changed since; in the background mode, the outdated snapshot of a
    county whose refresh is under way is shown as it is. A fixed number of queries: two when
    every snapshot is current, three when the outdated ones are being refreshed, 23 (24 in the
    background mode) when some county is computed here."""
    if counties is None:
        counties = County.objects.for_user(user)
    counties = [county.pk for county in counties]
    key = period_key(period, include_submitted)
    versions = dict(
        CountyDataVersion.objects.filter(county_id__in=counties).values_list("county_id", "version")
    )
    snapshots = {}
    outdated = {}
    computed_at = []
    if counties:
        for snapshot in IndicatorSnapshot.objects.filter(county_id__in=counties, period_key=key):
            if snapshot.version == versions.get(snapshot.county_id, 0):
                snapshots[snapshot.county_id] = snapshot.data
                computed_at.append(snapshot.computed_at)
            else:
                outdated[snapshot.county_id] = snapshot
    refreshing = False
    if outdated and settings.DASHBOARD_REFRESH_IN_BACKGROUND and _kept_current(period):
        for county in counties_being_refreshed(outdated):
            snapshots[county] = outdated[county].data
            computed_at.append(outdated[county].computed_at)
            refreshing = True
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
    result.refreshing = refreshing
    return result


#
# Background refresh
#


def _city_wide_reader():
    """Whom a background refresh computes for: an account that is never saved, with the city
    reviewer's role, which may view every county's rows and change none. A snapshot holds one
    county's figures, the same for everyone who may see that county."""
    return User(role=Role.CITY_REVIEWER)


def _kept_current(period):
    """Whether the worker refreshes the snapshots of ``period``: all but those "as of" a day
    before today. The dashboard opens "as of today", so each day leaves one such snapshot per
    county behind, which no one is likely to ask for again; refreshing them all would make a
    refresh cost one more period every day. They are dropped once outdated instead, and
    computed on the view if someone does ask for that day."""
    return period.start is not None or period.end >= timezone.localdate()


def county_snapshots_refresh(county_id):
    """Recompute the outdated snapshots of county ``county_id``: each period and review rule
    stored (the periods people look at; see ``_kept_current``), the most recently computed
    first. Each is computed from the version read just before, and written only over an older
    one: a change committed meanwhile leaves it outdated (and has queued the next refresh),
    never wrong. A refresh with nothing left to do (an earlier one took its change in) costs a
    query per snapshot."""
    reader = _city_wide_reader()
    snapshots = IndicatorSnapshot.objects.filter(county_id=county_id).order_by("-computed_at")
    for pk, key, stored in list(snapshots.values_list("pk", "period_key", "version")):
        version = (
            CountyDataVersion.objects.filter(county_id=county_id)
            .values_list("version", flat=True)
            .first()
        ) or 0
        if stored >= version:
            continue
        period, include_submitted = period_from_key(key)
        if not _kept_current(period):
            IndicatorSnapshot.objects.filter(pk=pk, version__lt=version).delete()
            continue
        computed_at = timezone.now()
        data = _compute(reader, period, include_submitted, [county_id])[county_id]
        IndicatorSnapshot.objects.filter(pk=pk, version__lt=version).update(
            version=version, data=data, computed_at=computed_at
        )


# The queue itself says whether a county's refresh is waiting or running: one job per county,
# whose only argument is the county's id, read back from django-tasks-db's rows. No table of our
# own is needed, and a job that failed or was lost simply stops counting. A refresh waiting or
# running for longer than this is taken for lost (no worker running, or one killed in the
# middle, which leaves its job "running" for ever): the page then computes the county itself
# rather than show older and older figures. A county's refresh takes a few seconds per period
# at national scale; after a change in every county the last one waits for all the others.
REFRESH_PATIENCE = datetime.timedelta(minutes=15)


@task()
def refresh_county_snapshots(county_id):
    """The worker's job (with DASHBOARD_REFRESH_IN_BACKGROUND, i.e. the database queue)."""
    county_snapshots_refresh(county_id)


def _refresh_jobs(county_ids):
    # Installed with the database queue only, which is what uses these functions.
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=refresh_county_snapshots.module_path,
        args_kwargs__args__0__in=list(county_ids),
    )


def _counties_of(jobs):
    return set(jobs.values_list("args_kwargs__args__0", flat=True).order_by())


def snapshot_refreshes_enqueue(county_ids):
    """Queue a refresh of each of ``county_ids`` that has none waiting to start, so that many
    changes in a row cost one refresh (the refresh reads the version when it starts: every
    change committed before then is in it). A change made while a refresh runs queues the
    next one. One query, and one insert per refresh queued."""
    waiting = _counties_of(_refresh_jobs(county_ids).filter(status=TaskResultStatus.READY))
    for county_id in sorted(set(county_ids) - waiting):
        refresh_county_snapshots.enqueue(county_id)


def counties_being_refreshed(county_ids):
    """Of ``county_ids``, those with a refresh waiting or running, and not for longer than
    ``REFRESH_PATIENCE``. One query."""
    since = timezone.now() - REFRESH_PATIENCE
    return _counties_of(
        _refresh_jobs(county_ids).filter(
            Q(status=TaskResultStatus.READY, enqueued_at__gte=since)
            | Q(status=TaskResultStatus.RUNNING, started_at__gte=since)
        )
    )
