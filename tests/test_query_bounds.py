"""Pages cost the same number of queries however many rows there are, deep pages read only
their own rows, and paging never repeats or skips a row (issue #6).

Each page is measured at two data sizes, and the counts compared; no count is written down.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import pagination
from cases.kinds import REVIEWED_MODELS
from cases.models import Household, LaborModel
from cases.services import record_submit
from tests.factories import HouseholdFactory
from tests.support import build_records

# The reviewed tables with hundreds of thousands of rows at the benchmark's size.
BIG_REVIEWED_TABLES = {
    "cases_household", "cases_pairing", "cases_materialaid", "cases_dividendpayment",
    "cases_employment", "cases_financeagreement",
}

LIST_NAMES = [
    "household_list", "member_list", *(f"{m._meta.model_name}_list" for m in REVIEWED_MODELS[1:])
]


def queries(client, url, **params):
    client.get(url, params)  # warm caches (content types, translations) first
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def grow(county_a, county_b, n):
    build_records(county_a, n)
    build_records(county_b, n)


@pytest.fixture
def city_client(client, city_reviewer):
    client.force_login(city_reviewer)
    return client


def list_urls():
    from django.urls import NoReverseMatch

    urls = []
    for name in LIST_NAMES:
        try:
            urls.append(reverse(f"cases:{name}"))
        except NoReverseMatch:
            continue
    return urls


def measure_pages(client, household, labor_model):
    pages = {url: queries(client, url) for url in list_urls()}
    pages.update({f"{url} page 2": queries(client, url, page=2) for url in list_urls()})
    pages["case page"] = queries(client, household.get_absolute_url())
    pages["labor-model page"] = queries(client, labor_model.get_absolute_url())
    pages["dashboard"] = queries(client, reverse("cases:dashboard"), year=2018)
    pages["review queue"] = queries(client, reverse("cases:review_queue"))
    return pages


def test_no_page_costs_more_queries_with_more_rows(
    city_client, county_a, county_b, county_a_clerk
):
    grow(county_a, county_b, 2)
    household = Household.objects.filter(county=county_a, pairings__isnull=False).first()
    labor_model = LaborModel.objects.filter(county=county_a, pairings__isnull=False).first()
    for _ in range(2):
        record_submit(record=HouseholdFactory(village__township__county=county_a),
                      user=county_a_clerk)
    small = measure_pages(city_client, household, labor_model)
    grow(county_a, county_b, 14)  # well past one page of 25 rows per list
    for _ in range(30):
        record_submit(record=HouseholdFactory(village__township__county=county_a),
                      user=county_a_clerk)
    large = measure_pages(city_client, household, labor_model)
    assert large == small


def test_the_county_workspace_home_page_costs_the_same_queries(
    client, county_a, county_b, county_a_clerk
):
    client.force_login(county_a_clerk)
    grow(county_a, county_b, 1)
    small = queries(client, reverse("cases:home"))
    grow(county_a, county_b, 12)
    assert queries(client, reverse("cases:home")) == small


def row_numbers(response):
    return re.findall(r'href="/households/(\d+)/"', response.content.decode())


def test_paging_over_a_column_with_ties_shows_every_row_once(city_client, county_a):
    # Every household has the same status: the order among them is the tie-breaker's alone.
    for _ in range(60):
        HouseholdFactory(village__township__county=county_a, status="not_exited")
    seen = []
    for page in (1, 2, 3):
        response = city_client.get(reverse("cases:household_list"), {"sort": "status",
                                                                      "page": page})
        seen += row_numbers(response)
    assert sorted(seen) == sorted(str(pk) for pk in Household.objects.values_list("pk",
                                                                                   flat=True))


def test_counts_beyond_the_limit_are_not_counted_in_full(
    city_client, county_a, monkeypatch
):
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 10)
    for _ in range(30):
        HouseholdFactory(village__township__county=county_a)
    with CaptureQueriesContext(connection) as captured:
        response = city_client.get(reverse("cases:household_list"), {"page": 2})
    counts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(")]
    # First a count that stops after the limit, of ids only (no per-row subqueries).
    assert "LIMIT 11" in counts[0] and "cases_member" not in counts[0]
    if connection.vendor == "postgresql":
        # Past the limit the planner's estimate is shown, as an estimate.
        assert len(counts) == 1
        assert "约" in response.content.decode()
    else:
        # SQLite has no estimate to ask for: it counts exactly.
        assert len(counts) == 2
    assert len(row_numbers(response)) == 5


def test_a_deep_page_reads_the_ids_of_its_rows_first(city_client, county_a, monkeypatch):
    # A list longer than the limit up to which the ids are read whole.
    monkeypatch.setattr(pagination, "WHOLE_IDS_LIMIT", 50)
    for _ in range(60):
        HouseholdFactory(village__township__county=county_a)
    with CaptureQueriesContext(connection) as captured:
        response = city_client.get(reverse("cases:household_list"), {"page": 3})
    assert len(row_numbers(response)) == 10
    household_selects = [
        q["sql"] for q in captured.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "cases_household"' in q["sql"]
        and "COUNT(" not in q["sql"]
    ]
    # The offset is applied to a query of ids only; the rows are then read by id.
    offset_queries = [sql for sql in household_selects if "OFFSET" in sql]
    assert offset_queries and all(
        sql.startswith('SELECT "cases_household"."id"') and "member" not in sql
        for sql in offset_queries
    )


def test_no_list_filter_renders_places_or_helpers_as_options(
    city_client, county_a
):
    from tests.factories import EnterpriseFactory, VillageFactory

    VillageFactory.create_batch(5, township__county=county_a)
    EnterpriseFactory.create_batch(3, county=county_a)
    searched = 0
    for url in list_urls():
        content = city_client.get(url).content.decode()
        for name in ("township", "village", "enterprise", "workshop", "collective"):
            select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', content, re.S)
            if select is None:
                continue
            searched += 1
            assert "data-autocomplete-url" in select.group(0), (url, name)
            # Only the empty choice (and a chosen row, when one is chosen) is rendered.
            assert re.findall(r'<option value="[^"]+"', select.group(1)) == [], (url, name)
    assert searched >= 10


def test_the_filters_search_what_the_user_may_see(client, county_a, county_b, city_reviewer,
                                                  county_a_clerk):
    from tests.factories import VillageFactory

    own = VillageFactory(township__county=county_a, name="张庄村")
    other = VillageFactory(township__county=county_b, name="张湾村")
    url = reverse("cases:autocomplete", args=["village"])

    def found(user):
        client.force_login(user)
        response = client.get(url, {"q": "张", "scope": "view"})
        return {row["value"] for row in response.json()["results"]}

    # A city reviewer filters every county's rows, though there is nothing they may change.
    assert found(city_reviewer) == {own.pk, other.pk}
    assert found(county_a_clerk) == {own.pk}


def test_the_county_home_page_stops_counting_its_work_list_at_the_limit(
    client, county_a, county_a_clerk, monkeypatch
):
    from cases import selectors
    from tests.factories import PairingFactory

    monkeypatch.setattr(selectors, "WORK_COUNT_LIMIT", 2)
    # Pairings in place for years with no help recorded: idle.
    for _ in range(2):
        PairingFactory(household=HouseholdFactory(village__township__county=county_a))
    client.force_login(county_a_clerk)
    work = client.get(reverse("cases:home")).context["work"]
    assert (work.idle_pairings.count, work.idle_pairings.capped) == (2, False)

    PairingFactory(household=HouseholdFactory(village__township__county=county_a))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("cases:home"))
    work = response.context["work"]
    assert (work.idle_pairings.count, work.idle_pairings.capped) == (2, True)
    assert "超过 2" in response.content.decode()
    idle_counts = [
        q["sql"] for q in captured.captured_queries
        if q["sql"].startswith("SELECT COUNT(") and 'FROM "cases_pairing"' in q["sql"]
        and "cases_materialaid" in q["sql"]
    ]
    assert len(idle_counts) == 1 and "LIMIT 3" in idle_counts[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plans")
def test_the_review_queue_counts_the_waiting_records_from_an_index_alone(city_client, county_a):
    HouseholdFactory(village__township__county=county_a, review_status="submitted")
    with CaptureQueriesContext(connection) as captured:
        city_client.get(reverse("cases:review_queue"))
    counts = {
        table: q["sql"] for q in captured.captured_queries for table in BIG_REVIEWED_TABLES
        if q["sql"].startswith(f'SELECT "{table}"."county_id" AS "county", COUNT(')
    }
    assert set(counts) == BIG_REVIEWED_TABLES
    with connection.cursor() as cursor:
        # A handful of rows would be scanned; leaving only index-only scans to the planner
        # shows an index can answer alone (else it would have to scan despite the settings).
        for method in ("seqscan", "bitmapscan", "indexscan"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
        for table, sql in counts.items():
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Index Only Scan" in plan and "Seq Scan" not in plan, (table, plan)
