"""The dashboard and its drill-down lists: every figure on the page links to the rows behind it,
and that list's count (or sum) is the figure, for every indicator; county staff see their
county only; the period form; a fixed number of queries; the charts' data and text
alternatives; money in 万元 / 亿元. (The article's figures on the demo: tests/demo/.)"""

import datetime
import html
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.forms.dashboard import PeriodForm, period_from_request
from cases.indicators import (
    DEFINITIONS,
    INDICATORS,
    Period,
    compute_indicators,
    format_figure,
    indicator_rows,
)
from demo.zhumadian import CITY_UNION_NAME
from tests.factories import (
    EmploymentFactory,
    IndustryProjectFactory,
    TrainingSessionFactory,
    UnionBodyFactory,
)
from tests.support import (
    APPROVED,
    AS_OF,
    AS_OF_PARAMS,
    DASHBOARD,
    build_records,
    card_links,
    export,
    listed_figure,
    login,
)

COUNTY_ROW = re.compile(r'<tr data-county="(\d+)">(.*?)</tr>', re.S)
CELL_LINK = re.compile(r'<td [^>]*><a href="([^"]+)">')


@pytest.fixture
def records(county_a, county_b):
    build_records(county_a, 4)
    build_records(county_b, 5)


class TestDrillDown:
    def test_every_card_equals_its_list(self, records, city_reviewer):
        client = login(city_reviewer)
        response = client.get(DASHBOARD, AS_OF_PARAMS)
        totals = compute_indicators(user=city_reviewer, period=Period(end=AS_OF)).totals()
        links = card_links(response.content.decode())
        assert set(links) == set(DEFINITIONS)
        for key, url in links.items():
            assert totals[key] > 0, f"{key}: the test data should make every figure non-zero"
            figure, listed = listed_figure(client, url, key)
            assert figure == totals[key], key
            assert listed.context["figure"] == totals[key], key
            assert format_figure(totals[key], DEFINITIONS[key]) in listed.content.decode()

    def test_every_county_cell_equals_its_list(self, records, city_reviewer, county_a, county_b):
        client = login(city_reviewer)
        content = client.get(DASHBOARD, AS_OF_PARAMS).content.decode()
        table = compute_indicators(user=city_reviewer, period=Period(end=AS_OF))
        rows = dict(COUNTY_ROW.findall(content))
        assert set(rows) == {str(county_a.pk), str(county_b.pk)}
        for county_id, row in rows.items():
            urls = [html.unescape(url) for url in CELL_LINK.findall(row)]
            assert len(urls) == len(INDICATORS)
            for definition, url in zip(INDICATORS, urls, strict=True):
                figure, listed = listed_figure(client, url, definition.key)
                assert figure == table.value(int(county_id), definition.key), definition.key
                assert {row.county_id for row in listed.context["table"].data.data} <= {
                    int(county_id)
                }

    def test_rows_and_figures_agree_for_every_indicator(self, records, city_reviewer):
        period = Period(end=AS_OF)
        totals = compute_indicators(user=city_reviewer, period=period).totals()
        for definition in INDICATORS:
            rows = indicator_rows(definition.key, user=city_reviewer, period=period)
            if definition.summed:
                values = rows.values_list(definition.summed, flat=True)
                assert sum(values) == totals[definition.key], definition.key
            else:
                assert rows.count() == totals[definition.key], definition.key

    def test_the_list_keeps_the_period_and_exports_the_same_rows(self, records, city_reviewer):
        client = login(city_reviewer)
        url = reverse("cases:indicator_list", args=["people_trained"])
        response = export(client, url, {**AS_OF_PARAMS, "export": "csv"})
        assert response.status_code == 200
        lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
        totals = compute_indicators(user=city_reviewer, period=Period(end=AS_OF)).totals()
        assert len(lines) - 1 == totals["people_trained"]
        page = client.get(url, AS_OF_PARAMS).content.decode()
        assert 'name="as_of" value="2018-08-31"' in page  # the filter form keeps the period

    def test_unknown_indicator_and_hidden_county_are_404(
        self, records, county_a_clerk, county_b, city_reviewer
    ):
        assert login(city_reviewer).get(
            reverse("cases:indicator_list", args=["nonsense"])
        ).status_code == 404
        response = login(county_a_clerk).get(
            reverse("cases:indicator_list", args=["people_trained"]),
            {**AS_OF_PARAMS, "county": county_b.pk},
        )
        assert response.status_code == 404


class TestScope:
    def test_county_staff_see_only_their_county(
        self, records, county_a, county_b, county_a_clerk, city_reviewer
    ):
        client = login(county_a_clerk)
        response = client.get(DASHBOARD, AS_OF_PARAMS)
        content = response.content.decode()
        city = compute_indicators(user=city_reviewer, period=Period(end=AS_OF))
        assert dict(COUNTY_ROW.findall(content)).keys() == {str(county_a.pk)}
        assert county_b.name not in content
        for key, url in card_links(content).items():
            figure, listed = listed_figure(client, url, key)
            assert figure == city.value(county_a.pk, key), key
            assert figure < city.total(key), key  # county B's rows are not counted
            assert {row.county_id for row in listed.context["table"].data.data} == {
                county_a.pk
            }

    def test_no_role_sees_zeros_and_anonymous_must_log_in(self, records, no_role_user):
        response = login(no_role_user).get(DASHBOARD, AS_OF_PARAMS)
        assert response.status_code == 200
        assert all(card["value"] == 0 for s in response.context["sections"] for card in s["cards"])
        assert response.context["comparison"] == []
        listed = login(no_role_user).get(
            reverse("cases:indicator_list", args=["people_trained"]), AS_OF_PARAMS
        )
        assert listed.context["table"].paginator.count == 0
        anonymous = Client().get(DASHBOARD)
        assert anonymous.status_code == 302
        assert Client().get(
            reverse("cases:indicator_list", args=["people_trained"])
        ).status_code == 302

    @pytest.mark.parametrize(
        "persona", ["county_a_clerk", "city_reviewer", "administrator", "no_role_user"]
    )
    def test_the_navigation_links_the_dashboard_for_every_role(self, request, persona):
        user = request.getfixturevalue(persona)
        content = login(user).get(reverse("cases:home")).content.decode()
        assert f'href="{DASHBOARD}"' in content
        assert "统计" in content


class TestIncludeSubmitted:
    def test_submitted_records_count_when_asked_and_the_page_says_so(
        self, county_a, city_reviewer
    ):
        build_records(county_a, 1)
        client = login(city_reviewer)
        approved_only = client.get(DASHBOARD, AS_OF_PARAMS)
        with_submitted = client.get(DASHBOARD, {**AS_OF_PARAMS, "include_submitted": "1"})
        figures = {
            card["definition"].key: card["value"]
            for s in approved_only.context["sections"] for card in s["cards"]
        }
        figures_with = {
            card["definition"].key: card["value"]
            for s in with_submitted.context["sections"] for card in s["cards"]
        }
        assert figures_with["training_sessions"] == figures["training_sessions"] + 1
        assert figures_with["people_trained"] == figures["people_trained"] + 1
        assert "含待审核数据" in with_submitted.content.decode()
        assert "data-include-submitted" in with_submitted.content.decode()
        assert "data-include-submitted" not in approved_only.content.decode()
        # The drill-down keeps the rule, says so, and still equals the figure.
        links = card_links(with_submitted.content.decode())
        assert "include_submitted=1" in links["people_trained"]
        figure, listed = listed_figure(client, links["people_trained"], "people_trained")
        assert figure == figures_with["people_trained"]
        assert "data-include-submitted" in listed.content.decode()


class TestPeriodForm:
    def form(self, **params):
        return PeriodForm.from_request(RequestFactory().get("/", params))

    def test_default_is_as_of_today(self):
        form = self.form()
        assert not form.errors
        assert form.period == Period(end=timezone.localdate())
        assert not form.include_submitted

    def test_without_a_period_the_dashboard_opens_on_the_latest_day_with_data(
        self, county_a, county_b, city_reviewer, county_b_clerk
    ):
        TrainingSessionFactory(county=county_a, held_on=AS_OF)
        EmploymentFactory(
            member__household__village__township__county=county_a,
            started_on=datetime.date(2018, 2, 1),
        )
        response = login(city_reviewer).get(DASHBOARD)
        assert response.context["period"] == Period(end=AS_OF)
        # A county reads its own latest day; with none, today.
        response = login(county_b_clerk).get(DASHBOARD)
        assert response.context["period"] == Period(end=timezone.localdate())

    def test_the_demo_says_its_figures_as_of_the_articles_day_are_the_articles(
        self, city_reviewer
    ):
        assert "data-demo-banner" not in login(city_reviewer).get(DASHBOARD).content.decode()
        UnionBodyFactory(name=CITY_UNION_NAME)
        page = login(city_reviewer).get(DASHBOARD).content.decode()
        banner = page[page.index("data-demo-banner"):]
        assert "截至 2018-08-31 的统计即《驻马店日报》当日报道中的数字" in banner
        assert f"{DASHBOARD}?period=as_of&amp;as_of=2018-08-31" in banner

    @pytest.mark.parametrize(
        ("params", "start", "end"),
        [
            ({"period": "as_of", "as_of": "2018-08-31"}, None, datetime.date(2018, 8, 31)),
            ({"as_of": "2018-08-31"}, None, datetime.date(2018, 8, 31)),
            ({"period": "year", "year": "2018"}, datetime.date(2018, 1, 1),
             datetime.date(2018, 12, 31)),
            ({"year": "2017"}, datetime.date(2017, 1, 1), datetime.date(2017, 12, 31)),
            ({"period": "quarter", "year": "2018", "quarter": "1"}, datetime.date(2018, 1, 1),
             datetime.date(2018, 3, 31)),
            ({"period": "quarter", "year": "2018", "quarter": "3"}, datetime.date(2018, 7, 1),
             datetime.date(2018, 9, 30)),
            ({"year": "2016", "quarter": "4"}, datetime.date(2016, 10, 1),
             datetime.date(2016, 12, 31)),
            ({"period": "range", "start": "2018-02-03", "end": "2018-06-30"},
             datetime.date(2018, 2, 3), datetime.date(2018, 6, 30)),
            ({"start": "2018-01-01", "end": "2018-01-01"}, datetime.date(2018, 1, 1),
             datetime.date(2018, 1, 1)),
        ],
    )
    def test_kinds_of_period(self, params, start, end):
        form = self.form(**params)
        assert not form.errors
        assert form.period == Period(start=start, end=end)
        assert period_from_request(RequestFactory().get("/", params)) == form.period
        # The links it makes select the same period again.
        assert self.form(**form.query_params()).period == form.period

    def test_include_submitted(self):
        form = self.form(year="2018", include_submitted="1")
        assert form.include_submitted
        assert form.query_params()["include_submitted"] == "1"

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"year": "abc"}, "year"),
            ({"year": "1800"}, "year"),
            ({"period": "quarter", "year": "2018", "quarter": "5"}, "quarter"),
            ({"period": "quarter", "year": "2018"}, "quarter"),
            ({"period": "range", "start": "2018-06-30", "end": "2018-01-01"}, "end"),
            ({"period": "range", "start": "2018-06-30"}, "end"),
            ({"as_of": "2018-02-30"}, "as_of"),
            ({"as_of": "abc"}, "as_of"),
            ({"period": "as_of", "as_of": "1999-12-31"}, "as_of"),
            ({"as_of": "9999-12-31"}, "as_of"),
            ({"period": "range", "start": "0001-01-01", "end": "2018-01-01"}, "start"),
            ({"period": "decade"}, "period"),
        ],
    )
    def test_bad_input_gives_field_errors_and_the_default_period(
        self, params, field, county_a, city_reviewer
    ):
        # The default is the latest day with data, as for a page without a period, not today.
        TrainingSessionFactory(county=county_a, held_on=AS_OF)
        response = login(city_reviewer).get(DASHBOARD, params)
        assert response.status_code == 200
        form = response.context["form"]
        assert field in form.errors
        assert response.context["period"] == form.period == Period(end=AS_OF)
        assert form.query_params()["as_of"] == AS_OF.isoformat()
        page = response.content.decode()
        assert html.escape(form.errors[field][0]) in page
        # The summary at the top links to the field, and the page names the period in force.
        summary = page[page.index("data-error-summary"):]
        assert f'href="#{form[field].id_for_label}"' in summary
        assert html.escape(str(form.label)) in page

    def test_a_year_counts_only_its_own_records(self, county_a, city_reviewer):
        build_records(county_a, 1)
        TrainingSessionFactory(
            county=county_a, held_on=datetime.date(2017, 5, 1), review_status=APPROVED
        )
        client = login(city_reviewer)
        year = client.get(DASHBOARD, {"period": "year", "year": "2018"}).context
        as_of = client.get(DASHBOARD, AS_OF_PARAMS).context
        figures = {c["definition"].key: c["value"] for s in year["sections"] for c in s["cards"]}
        figures_as_of = {
            c["definition"].key: c["value"] for s in as_of["sections"] for c in s["cards"]
        }
        assert figures["training_sessions"] == 1
        assert figures_as_of["training_sessions"] == 2
        assert "2018年" in year["form"].label


def dashboard_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(DASHBOARD, AS_OF_PARAMS)
    assert response.status_code == 200
    return len(queries)


def test_the_dashboard_query_count_does_not_grow_with_the_records(
    county_a, county_b, city_reviewer
):
    client = login(city_reviewer)
    build_records(county_a, 2)
    build_records(county_b, 2)
    few = dashboard_queries(client)
    build_records(county_a, 18)
    build_records(county_b, 18)
    many = dashboard_queries(client)
    assert many == few
    # Session and user, the counties, their data versions and stored snapshots, 15 indicator
    # sources, 5 monthly trends and 2 breakdowns (the records changed: every county is
    # recomputed), the snapshots' upsert, the user's permissions (user and group: whether to
    # offer the export links), whether the demo is loaded (its banner) and the session's save
    # (savepoint, update, release).
    assert few <= 34


def chart_data(content):
    match = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>', content, re.S
    )
    assert match, "the charts' JSON is on the page"
    return json.loads(match.group(1))


class TestCharts:
    def test_chart_data_and_its_text_alternatives(self, county_a, city_reviewer):
        build_records(county_a, 4)
        response = login(city_reviewer).get(DASHBOARD, AS_OF_PARAMS)
        content = response.content.decode()
        data = chart_data(content)
        totals = compute_indicators(user=city_reviewer, period=Period(end=AS_OF)).totals()

        assert len(data["trend"]["months"]) == 24  # "as of": the last 24 months
        assert data["trend"]["months"][-1] == "2018-08"
        trained = data["trend"]["series"][0]["data"]
        assert sum(trained) == totals["people_trained"]  # all first trained in 2018
        assert trained[data["trend"]["months"].index("2018-03")] == totals["people_trained"]
        exited = data["trend"]["series"][2]["data"]
        assert exited[data["trend"]["months"].index("2018-06")] == 4
        funds = data["funds"]["series"]
        february = data["funds"]["months"].index("2018-02")
        assert funds[0]["data"][february] == 493.83  # 4 × 1,234,567.89 yuan in 万元

        levels = data["honour_levels"]["series"][0]["data"]
        assert sum(levels) == totals["labor_models"]
        assert levels == [1, 1, 1, 1]
        modes = data["pairing_modes"]["series"][0]["data"]
        assert sum(modes) == 4
        assert data["participation"]["data"] == [100.0]

        for chart in ("trend", "funds", "honour_levels", "pairing_modes", "participation"):
            assert f'data-chart="{chart}"' in content
            assert f'<details data-chart-table="{chart}">' in content
        assert "参与率 100.0%" in content
        assert "echarts.min.js" in content and "js/dashboard.js" in content
        assert "<script>" not in content  # no inline script

    def test_a_year_trend_has_its_twelve_months(self, county_a, city_reviewer):
        build_records(county_a, 2)
        response = login(city_reviewer).get(DASHBOARD, {"year": "2018"})
        data = chart_data(response.content.decode())
        assert data["trend"]["months"] == [f"2018-{month:02d}" for month in range(1, 13)]


class TestMoney:
    @pytest.mark.parametrize(
        ("yuan", "shown"),
        [
            ("71278500.00", "7,127.85 万元"),
            ("410000000.00", "4.1 亿元"),
            ("14980000.00", "1,498.00 万元"),
            ("0", "0.00 万元"),
            ("12345.67", "1.23 万元"),
            ("99999999.99", "10,000.00 万元"),
            ("100000000.00", "1.0 亿元"),
            ("1234567890.00", "12.3 亿元"),
        ],
    )
    def test_money_in_wan_or_yi(self, yuan, shown):
        assert format_figure(Decimal(yuan), DEFINITIONS["finance_funds"]) == shown

    def test_counts_have_thousands_separators(self):
        assert format_figure(27438, DEFINITIONS["people_trained"]) == "27,438 人"

    def test_the_page_shows_money_in_wan(self, county_a, city_reviewer):
        IndustryProjectFactory(county=county_a, funds="71278500.00", review_status=APPROVED)
        content = login(city_reviewer).get(DASHBOARD, AS_OF_PARAMS).content.decode()
        assert '<span class="fs-3 fw-semibold">7,127.85</span> <span class="text-body-secondary">万元</span>' in content  # noqa: E501
        assert ">7,127.85</a>" in content  # the county table, in 万元
