"""Background jobs of the dashboard (with DASHBOARD_REFRESH_IN_BACKGROUND, i.e. the database
queue): a county's snapshots are recomputed by the worker after its records change, so that
no page view waits for them (see ``cases.summaries``).

The queue itself says whether a county's refresh is waiting or running: one job per county,
whose only argument is the county's id, read back from django-tasks-db's rows. No table of
our own is needed, and a job that failed or was lost simply stops counting.
"""

import datetime

from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from cases.summaries import county_snapshots_refresh

# A refresh waiting or running for longer than this is taken for lost (no worker running, or
# one killed in the middle, which leaves its job "running" for ever): the page then computes
# the county itself rather than show older and older figures. A county's refresh takes a few
# seconds per period at national scale; after a change in every county the last one waits for
# all the others.
REFRESH_PATIENCE = datetime.timedelta(minutes=15)


@task()
def refresh_county_snapshots(county_id):
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
