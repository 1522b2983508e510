"""Dashboard snapshots refreshed by the worker after a change (issue #6): with the database
queue, a change queues a refresh of its county, the page meanwhile shows the outdated figures
and says so, and the worker brings every stored period of that county up to date. Inline (the
default), the page is current on every view."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cases import summaries
from cases.choices import ReviewStatus
from cases.indicators import (
    DEFINITIONS,
    TREND_KEYS,
    Period,
    breakdowns_by_county,
    compute_indicators,
    monthly_trend_by_county,
    trend_months,
)
from cases.models import CountyDataVersion, IndicatorSnapshot
from cases.summaries import (
    REFRESH_PATIENCE,
    dashboard_data,
    period_from_key,
    period_key,
    refresh_county_snapshots,
)
from tests.factories import LaborModelFactory
from tests.support import AS_OF, AS_OF_PARAMS, DASHBOARD, build_records

# The worker closes its database connections between jobs, so the tests cannot sit inside one
# transaction (as tests/test_task_queue.py).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

YEAR_PARAMS = {"period": "year", "year": "2018"}
YEAR = Period(start=datetime.date(2018, 1, 1), end=datetime.date(2018, 12, 31))


def kept_current():
    """The periods a city reviewer has looked at that the worker keeps current: as of today
    (the dashboard's default), a year, and a year with submissions."""
    return [(Period(end=timezone.localdate()), False), (YEAR, False), (YEAR, True)]


def in_background(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.DASHBOARD_REFRESH_IN_BACKGROUND = True


def run_worker(**options):
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0, **options)


def refresh_jobs(status=None):
    jobs = DBTaskResult.objects.filter(task_path=refresh_county_snapshots.module_path)
    if status is not None:
        jobs = jobs.filter(status=status)
    return [job.args_kwargs["args"] for job in jobs.order_by("enqueued_at")]


def award(county):
    """A change to the county's figures: one more labor model, counted in every period."""
    return LaborModelFactory(county=county, review_status=ReviewStatus.APPROVED, year_awarded=2010)


def shown_totals(response):
    return {
        card["definition"].key: card["value"]
        for section in response.context["sections"]
        for card in section["cards"]
    }


def version_of(county):
    return CountyDataVersion.objects.get(county=county).version


def fresh_county_data(user, county, period, include_submitted):
    """The county's figures, trend and breakdowns computed now from the records, as a snapshot
    stores them."""
    kwargs = {
        "user": user, "period": period, "include_submitted": include_submitted,
        "counties": [county.pk],
    }
    table = compute_indicators(**kwargs)
    # A county with nothing in the trend's months (as of today: the last 24) has zeros.
    no_trend = {key: [0] * len(trend_months(period)) for key in TREND_KEYS}
    trend = monthly_trend_by_county(**kwargs).get(county.pk, no_trend)
    parts = breakdowns_by_county(**kwargs).get(county.pk, {"levels": {}, "modes": {}})
    figures = {key: table.value(county.pk, key) for key in DEFINITIONS}
    return figures, trend, parts


def assert_snapshot_current_and_fresh(user, county, period, include_submitted):
    snapshot = IndicatorSnapshot.objects.get(
        county=county, period_key=period_key(period, include_submitted)
    )
    assert snapshot.version == version_of(county)
    figures, trend, parts = summaries._from_json(snapshot.data)
    fresh_figures, fresh_trend, fresh_parts = fresh_county_data(
        user, county, period, include_submitted
    )
    assert figures == fresh_figures
    assert trend == fresh_trend
    assert parts == fresh_parts


@pytest.fixture
def two_counties(county_a, county_b):
    build_records(county_a, 1)
    build_records(county_b, 1)


@pytest.fixture
def viewed(two_counties, city_reviewer):
    """Current snapshots of both counties for every period in ``kept_current()``."""
    for period, include_submitted in kept_current():
        dashboard_data(user=city_reviewer, period=period, include_submitted=include_submitted)
    assert IndicatorSnapshot.objects.count() == 2 * len(kept_current())


@pytest.fixture
def compute_calls(monkeypatch):
    """The counties each computation of snapshots was for, in order."""
    calls = []
    compute = summaries._compute

    def counting(user, period, include_submitted, counties):
        calls.append(list(counties))
        return compute(user, period, include_submitted, counties)

    monkeypatch.setattr(summaries, "_compute", counting)
    return calls


def test_period_from_key_inverts_period_key():
    for period, include_submitted in [*kept_current(), (Period(end=AS_OF), True)]:
        assert period_from_key(period_key(period, include_submitted)) == (
            period, include_submitted
        )


def test_the_page_shows_outdated_figures_until_the_worker_has_refreshed_them(
    settings, client, county_a, county_b, county_a_clerk, city_reviewer, two_counties
):
    in_background(settings)
    client.force_login(city_reviewer)
    first = client.get(DASHBOARD, YEAR_PARAMS)  # no snapshot yet: computed on the view
    before = compute_indicators(user=city_reviewer, period=YEAR).totals()
    assert shown_totals(first) == before
    assert b"data-refreshing" not in first.content
    assert refresh_jobs() == []

    award(county_a)
    assert refresh_jobs(TaskResultStatus.READY) == [[county_a.pk]]
    after = compute_indicators(user=city_reviewer, period=YEAR).totals()
    assert after != before

    waiting = client.get(DASHBOARD, YEAR_PARAMS)
    assert shown_totals(waiting) == before
    assert b"data-refreshing" in waiting.content
    assert "新数据正在后台计算" in waiting.content.decode()
    computed_at = IndicatorSnapshot.objects.get(county=county_a).computed_at
    shown_time = timezone.localtime(computed_at).strftime("%Y-%m-%d %H:%M:%S")
    assert shown_time in waiting.content.decode()
    assert IndicatorSnapshot.objects.get(county=county_a).version < version_of(county_a)

    run_worker()
    assert refresh_jobs(TaskResultStatus.SUCCESSFUL) == [[county_a.pk]]
    assert_snapshot_current_and_fresh(city_reviewer, county_a, YEAR, False)
    current = client.get(DASHBOARD, YEAR_PARAMS)
    assert shown_totals(current) == after
    assert b"data-refreshing" not in current.content

    # The county's own staff see their county's figures, refreshed for everyone at once.
    client.force_login(county_a_clerk)
    own = client.get(DASHBOARD, YEAR_PARAMS)
    assert shown_totals(own) == compute_indicators(
        user=county_a_clerk, period=YEAR
    ).totals()
    assert shown_totals(own) != after


def test_the_worker_refreshes_every_stored_period_of_the_changed_county_only(
    settings, county_a, county_b, city_reviewer, viewed, compute_calls
):
    in_background(settings)
    untouched = dict(
        IndicatorSnapshot.objects.filter(county=county_b).values_list("period_key", "computed_at")
    )
    award(county_a)
    run_worker()
    for period, include_submitted in kept_current():
        assert_snapshot_current_and_fresh(city_reviewer, county_a, period, include_submitted)
    assert compute_calls == [[county_a.pk]] * len(kept_current())
    assert dict(
        IndicatorSnapshot.objects.filter(county=county_b).values_list("period_key", "computed_at")
    ) == untouched


def test_many_changes_in_a_row_queue_one_refresh_computed_once(
    settings, county_a, county_b, city_reviewer, viewed, compute_calls
):
    in_background(settings)
    for _ in range(5):  # five saves, each committed on its own
        award(county_a)
    with transaction.atomic():  # and one transaction saving many rows
        for _ in range(5):
            award(county_a)
    assert refresh_jobs() == [[county_a.pk]]

    # A second refresh queued all the same (two saves racing) finds nothing left to do.
    refresh_county_snapshots.enqueue(county_a.pk)
    run_worker()
    assert refresh_jobs(TaskResultStatus.SUCCESSFUL) == [[county_a.pk], [county_a.pk]]
    assert compute_calls == [[county_a.pk]] * len(kept_current())
    for period, include_submitted in kept_current():
        assert_snapshot_current_and_fresh(city_reviewer, county_a, period, include_submitted)


def test_a_change_committed_during_a_refresh_leaves_the_snapshot_outdated_not_wrong(
    settings, client, county_a, county_b, city_reviewer, two_counties, monkeypatch
):
    in_background(settings)
    dashboard_data(user=city_reviewer, period=YEAR)
    award(county_a)
    read_by_refresh = fresh_county_data(city_reviewer, county_a, YEAR, False)
    version_read = version_of(county_a)
    compute = summaries._compute

    def change_while_computing(*args):
        data = compute(*args)  # the records are read, then a change commits
        award(county_a)
        return data

    monkeypatch.setattr(summaries, "_compute", change_while_computing)
    run_worker(max_tasks=1)
    monkeypatch.setattr(summaries, "_compute", compute)

    snapshot = IndicatorSnapshot.objects.get(county=county_a)
    assert snapshot.version == version_read < version_of(county_a)
    figures, trend, parts = summaries._from_json(snapshot.data)
    assert (figures, trend, parts) == read_by_refresh  # right for the version it was read at
    # The change queued the next refresh; until it has run, the page says so.
    assert refresh_jobs(TaskResultStatus.READY) == [[county_a.pk]]
    client.force_login(city_reviewer)
    assert b"data-refreshing" in client.get(DASHBOARD, YEAR_PARAMS).content

    run_worker()
    assert_snapshot_current_and_fresh(city_reviewer, county_a, YEAR, False)


def test_a_day_before_today_is_computed_on_the_view_and_dropped_by_the_refresh(
    settings, client, county_a, county_b, city_reviewer, viewed
):
    # The default page, "as of" a day now past: each day leaves one such period behind.
    in_background(settings)
    past = Period(end=AS_OF)
    client.force_login(city_reviewer)
    client.get(DASHBOARD, AS_OF_PARAMS)
    award(county_a)
    response = client.get(DASHBOARD, AS_OF_PARAMS)
    assert shown_totals(response) == compute_indicators(user=city_reviewer, period=past).totals()
    assert b"data-refreshing" not in response.content

    award(county_a)
    run_worker()
    kept = {period_key(period, submitted) for period, submitted in kept_current()}
    assert set(
        IndicatorSnapshot.objects.filter(county=county_a).values_list("period_key", flat=True)
    ) == kept
    assert IndicatorSnapshot.objects.filter(
        county=county_b, period_key=period_key(past, False)
    ).exists()
    for period, include_submitted in kept_current():
        assert_snapshot_current_and_fresh(city_reviewer, county_a, period, include_submitted)


def test_an_outdated_snapshot_without_a_refresh_under_way_is_computed_on_the_view(
    settings, client, county_a, county_b, city_reviewer, two_counties, monkeypatch
):
    in_background(settings)
    client.force_login(city_reviewer)
    client.get(DASHBOARD, YEAR_PARAMS)

    # The refresh fails: the page does not wait for it.
    award(county_a)
    monkeypatch.setattr(summaries, "_compute", lambda *args: 1 / 0)
    run_worker()
    monkeypatch.undo()
    assert refresh_jobs(TaskResultStatus.FAILED) == [[county_a.pk]]
    response = client.get(DASHBOARD, YEAR_PARAMS)
    assert shown_totals(response) == compute_indicators(
        user=city_reviewer, period=YEAR
    ).totals()
    assert b"data-refreshing" not in response.content
    assert IndicatorSnapshot.objects.get(county=county_a).version == version_of(county_a)

    # The refresh has waited too long (no worker running): the page does not wait either.
    award(county_a)
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(
        enqueued_at=timezone.now() - REFRESH_PATIENCE - datetime.timedelta(minutes=1)
    )
    response = client.get(DASHBOARD, YEAR_PARAMS)
    assert shown_totals(response) == compute_indicators(
        user=city_reviewer, period=YEAR
    ).totals()
    assert b"data-refreshing" not in response.content


def test_showing_outdated_figures_costs_one_query_more_than_current_ones(
    settings, client, county_a, county_b, city_reviewer, two_counties
):
    in_background(settings)
    client.force_login(city_reviewer)
    client.get(DASHBOARD, YEAR_PARAMS)  # snapshots, and warm caches
    with CaptureQueriesContext(connection) as current:
        client.get(DASHBOARD, YEAR_PARAMS)
    award(county_a)
    award(county_b)
    with CaptureQueriesContext(connection) as outdated:
        response = client.get(DASHBOARD, YEAR_PARAMS)
    assert b"data-refreshing" in response.content
    # The one added: which counties have a refresh under way.
    assert len(outdated.captured_queries) == len(current.captured_queries) + 1


def test_inline_the_page_is_current_after_every_change_and_nothing_is_queued(
    client, county_a, county_b, city_reviewer, two_counties
):
    client.force_login(city_reviewer)
    client.get(DASHBOARD, YEAR_PARAMS)
    award(county_a)
    response = client.get(DASHBOARD, YEAR_PARAMS)
    assert shown_totals(response) == compute_indicators(
        user=city_reviewer, period=YEAR
    ).totals()
    assert b"data-refreshing" not in response.content
    assert IndicatorSnapshot.objects.get(county=county_a).version == version_of(county_a)
    assert not DBTaskResult.objects.exists()
