"""Yearly targets and their progress, the printable report, and the dashboard's xlsx and JSON
exports, on small hand-built cases whose right answer is obvious."""

import datetime
import html
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from cases.admin import IndicatorTargetForm
from cases.choices import HonourLevel, PovertyStatus, ReviewStatus
from cases.indicators import (
    INDICATORS,
    TARGETABLE,
    Period,
    compute_indicators,
    target_progress,
    year_elapsed_share,
)
from cases.models import ExportLog, IndicatorTarget
from cases.views.reports import money_text
from tests.factories import (
    FinanceAgreementFactory,
    HouseholdFactory,
    IndustryProjectFactory,
    LaborModelFactory,
    MemberFactory,
    TrainingAttendanceFactory,
    TrainingSessionFactory,
)
from tests.support import export, sign_in

APPROVED = ReviewStatus.APPROVED
AS_OF = {"period": "as_of", "as_of": "2018-08-31"}


def visible_text(response):
    """The page's text as a reader sees it: tags removed, white space collapsed."""
    text = html.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))
    return re.sub(r"\s+", " ", text)


def grid_data(year, counties, values=None):
    """A POST of the targets grid: every cell blank except ``values[(county, key)]``."""
    data = {"year": str(year)}
    for county in counties:
        for key in TARGETABLE:
            data[f"c{county.pk}-{key}"] = ""
    for (county, key), value in (values or {}).items():
        data[f"c{county.pk}-{key}"] = value
    return data


def train(county, people, held_on=datetime.date(2018, 3, 1), exited_on=None):
    """One approved session in ``county`` attended by ``people`` registered members; with
    ``exited_on``, their households exited on that day."""
    session = TrainingSessionFactory(county=county, held_on=held_on, review_status=APPROVED)
    for _ in range(people):
        household = HouseholdFactory(
            village__township__county=county,
            review_status=APPROVED,
            **(
                {"status": PovertyStatus.EXITED, "exit_date": exited_on}
                if exited_on
                else {}
            ),
        )
        TrainingAttendanceFactory(session=session, member=MemberFactory(household=household))
    return session


def set_target(county, key, value, year=2018):
    return IndicatorTarget.objects.create(
        county=county, year=year, indicator=key, target=Decimal(value)
    )


#
# Targets page
#


class TestTargetsPage:
    url = reverse("cases:targets")

    def test_the_city_reviewer_saves_the_grid(self, client, county_a, county_b, city_reviewer):
        sign_in(client, city_reviewer)
        data = grid_data(
            2018,
            [county_a, county_b],
            {
                (county_a, "people_trained"): "2731",
                (county_b, "finance_funds"): "18000000.50",
            },
        )
        response = client.post(self.url, data)
        assert response.status_code == 302
        assert response["Location"] == f"{self.url}?year=2018"
        saved = {
            (t.county_id, t.indicator): t for t in IndicatorTarget.objects.filter(year=2018)
        }
        assert set(saved) == {(county_a.pk, "people_trained"), (county_b.pk, "finance_funds")}
        assert saved[(county_a.pk, "people_trained")].target == Decimal("2731")
        assert saved[(county_b.pk, "finance_funds")].target == Decimal("18000000.50")
        assert saved[(county_a.pk, "people_trained")].set_by == city_reviewer

        page = client.get(f"{self.url}?year=2018").content.decode()
        assert 'value="2731"' in page
        assert 'value="18000000.50"' in page

    def test_an_administrator_may_set_targets_too(self, client, county_a, administrator):
        sign_in(client, administrator)
        response = client.post(
            self.url, grid_data(2018, [county_a], {(county_a, "workshops"): "5"})
        )
        assert response.status_code == 302
        assert IndicatorTarget.objects.get().target == 5

    def test_county_staff_read_their_own_row_and_cannot_post(
        self, client, county_a, county_b, county_a_clerk
    ):
        set_target(county_a, "people_trained", 2731)
        set_target(county_b, "people_trained", 999)
        sign_in(client, county_a_clerk)

        response = client.get(f"{self.url}?year=2018")
        assert response.status_code == 200
        page = response.content.decode()
        assert "2731" in page
        assert "999" not in page
        assert "正阳县" not in page
        assert f'name="c{county_a.pk}-people_trained"' not in page  # read only: no inputs
        assert "此处只能查看" in page

        response = client.post(
            self.url, grid_data(2018, [county_a], {(county_a, "people_trained"): "1"})
        )
        assert response.status_code == 403
        assert IndicatorTarget.objects.get(county=county_a).target == 2731

    def test_users_without_a_role_and_anonymous_users_are_kept_out(self, client, no_role_user):
        assert client.get(self.url).status_code == 302
        sign_in(client, no_role_user)
        assert client.get(self.url).status_code == 403
        assert client.post(self.url, {"year": "2018"}).status_code == 403

    @pytest.mark.parametrize(
        ("key", "value", "message"),
        [
            ("people_trained", "-5", "目标值不能为负数。"),
            ("people_trained", "10000000", "超出合理范围"),
            ("people_trained", "12.5", "该指标的目标值应为整数。"),
            ("finance_funds", "-0.01", "目标值不能为负数。"),
            ("finance_funds", "99000000000", "请核对单位是否为元"),
            ("finance_funds", "100.555", "金额最多保留两位小数"),
            ("workshops", "很多", "请输入数字。"),
        ],
    )
    def test_one_bad_cell_saves_nothing_and_says_why_in_chinese(
        self, client, county_a, county_b, city_reviewer, key, value, message
    ):
        kept = set_target(county_a, "stable_employed", 100)
        sign_in(client, city_reviewer)
        data = grid_data(
            2018,
            [county_a, county_b],
            {
                (county_a, "stable_employed"): "200",
                (county_a, "people_trained"): "2731",
                (county_b, "workshops"): "12",
                (county_b, key): value,
            },
        )
        response = client.post(self.url, data)
        assert response.status_code == 400
        page = response.content.decode()
        assert message in page
        assert "本次未保存任何目标" in page
        assert 'aria-invalid="true"' in page
        # Nothing was written: the good cells neither, and the old target is unchanged.
        assert list(IndicatorTarget.objects.all()) == [kept]
        kept.refresh_from_db()
        assert kept.target == 100

    def test_changes_are_kept_in_history_and_unchanged_cells_are_not_rewritten(
        self, client, county_a, city_reviewer
    ):
        sign_in(client, city_reviewer)
        for value in ("100", "100", "150", ""):
            response = client.post(
                self.url, grid_data(2018, [county_a], {(county_a, "people_trained"): value})
            )
            assert response.status_code == 302
        assert not IndicatorTarget.objects.exists()  # cleared last
        history = IndicatorTarget.history.order_by("history_date", "history_id")
        assert [(h.history_type, h.target) for h in history] == [
            ("+", Decimal("100.00")),
            ("~", Decimal("150.00")),
            ("-", Decimal("150.00")),
        ]
        assert {h.history_user for h in history} == {city_reviewer}

    def test_a_year_is_chosen_and_an_absurd_year_falls_back_to_this_year(
        self, client, county_a, city_reviewer
    ):
        set_target(county_a, "people_trained", 77, year=2019)
        sign_in(client, city_reviewer)
        assert 'value="77"' in client.get(f"{self.url}?year=2019").content.decode()
        assert 'value="77"' not in client.get(f"{self.url}?year=2018").content.decode()
        response = client.get(f"{self.url}?year=1900")
        assert response.status_code == 200
        assert response.context["year"] != 1900

    def test_the_admin_refuses_bad_values_and_unknown_indicators_too(self, county_a):
        row = {"county": county_a.pk, "year": 2018, "indicator": "people_trained"}
        form = IndicatorTargetForm(data={**row, "target": "1.5"})
        assert not form.is_valid()
        assert "整数" in str(form.errors["target"])
        form = IndicatorTargetForm(data={**row, "indicator": "people_helped", "target": "1"})
        assert list(form.errors) == ["indicator"]
        assert IndicatorTargetForm(data={**row, "target": "12"}).is_valid()


#
# Progress
#


class TestProgressMath:
    def test_share_of_the_year_elapsed(self):
        assert year_elapsed_share(2018, datetime.date(2018, 7, 2)) == Decimal(183) / 365
        assert year_elapsed_share(2018, datetime.date(2018, 1, 1)) == Decimal(1) / 365
        assert year_elapsed_share(2018, datetime.date(2017, 12, 31)) == 0
        assert year_elapsed_share(2018, datetime.date(2019, 3, 1)) == 1
        assert year_elapsed_share(2020, datetime.date(2020, 12, 31)) == 1  # leap year

    def test_behind_schedule_on_a_hand_built_case(self, county_a, county_b, city_reviewer):
        # Mid-year (2 July: 50.1 % of 2018 elapsed). County A trained 20 of 100 → behind;
        # county B 30 of 70 (42.9 %, within 10 points) → on schedule; a target of 0 is met.
        train(county_a, 20)
        train(county_b, 30)
        set_target(county_a, "people_trained", 100)
        set_target(county_b, "people_trained", 70)
        set_target(county_b, "workshops", 0)
        end = datetime.date(2018, 7, 2)
        table = compute_indicators(
            user=city_reviewer, period=Period(start=datetime.date(2018, 1, 1), end=end)
        )
        entries = target_progress(user=city_reviewer, year=2018, table=table)

        by_key = {(e.county.pk, e.key): e for e in entries}
        a = by_key[(county_a.pk, "people_trained")]
        assert (a.value, a.target, a.percent) == (20, Decimal(100), Decimal("20.0"))
        assert a.expected_percent == Decimal("50.1")
        assert a.behind is True
        b = by_key[(county_b.pk, "people_trained")]
        assert (b.value, b.percent, b.behind) == (30, Decimal("42.9"), False)
        zero = by_key[(county_b.pk, "workshops")]
        assert (zero.percent, zero.behind) == (None, False)
        # Ordered by county code (正阳县 411724 before 汝南县 411727), then indicator order.
        assert [(e.county.pk, e.key) for e in entries] == [
            (county_b.pk, "people_trained"),
            (county_b.pk, "workshops"),
            (county_a.pk, "people_trained"),
        ]

    def test_county_staff_get_their_own_targets_only(self, county_a, county_b, county_a_clerk):
        set_target(county_a, "people_trained", 100)
        set_target(county_b, "people_trained", 100)
        period = Period(end=datetime.date(2018, 7, 2))
        table = compute_indicators(user=county_a_clerk, period=period)
        entries = target_progress(user=county_a_clerk, year=2018, table=table)
        assert [e.county for e in entries] == [county_a]


class TestProgressPage:
    url = reverse("cases:target_progress")

    def test_the_city_sees_every_county_with_the_late_ones_flagged(
        self, client, county_a, county_b, city_reviewer
    ):
        train(county_a, 20)
        train(county_b, 30)
        set_target(county_a, "people_trained", 100)
        set_target(county_b, "people_trained", 40)
        sign_in(client, city_reviewer)
        response = client.get(self.url, {"period": "as_of", "as_of": "2018-07-02"})
        assert response.status_code == 200
        page = response.content.decode()
        assert "汝南县" in page and "正阳县" in page
        assert [g["county"] for g in response.context["behind_groups"]] == [county_a]
        assert "进度滞后的县区" in page
        assert page.count("data-behind") == 2  # the summary and county A's row
        assert "20.0%" in page and "75.0%" in page and "50.1%" in page

    def test_a_year_to_date_measure_ignores_earlier_years(
        self, client, county_a, city_reviewer
    ):
        train(county_a, 50, held_on=datetime.date(2017, 6, 1))
        train(county_a, 20, held_on=datetime.date(2018, 3, 1))
        set_target(county_a, "people_trained", 100)
        sign_in(client, city_reviewer)
        response = client.get(self.url, AS_OF)
        [group] = [g for g in response.context["groups"] if g["items"]]
        assert group["items"][0]["entry"].value == 20

    def test_county_staff_see_their_county_only(
        self, client, county_a, county_b, county_b_clerk
    ):
        set_target(county_a, "people_trained", 100)
        set_target(county_b, "people_trained", 100)
        sign_in(client, county_b_clerk)
        response = client.get(self.url, AS_OF)
        assert response.status_code == 200
        assert [g["county"] for g in response.context["groups"]] == [county_b]
        assert "汝南县" not in response.content.decode()


#
# The printable report
#


def build_report_dataset(county_a, county_b):
    """County A (汝南县): 2 labor models (national, city), 3 trained of whom 1 exited after the
    training, a 7127.85万 project, a 4.1亿 finance agreement. County B (正阳县): 1 provincial
    labor model and 2 trained."""
    LaborModelFactory(county=county_a, honour_level=HonourLevel.NATIONAL, review_status=APPROVED)
    LaborModelFactory(county=county_a, honour_level=HonourLevel.CITY, review_status=APPROVED)
    LaborModelFactory(county=county_b, honour_level=HonourLevel.PROVINCIAL, review_status=APPROVED)
    train(county_a, 2)
    train(county_a, 1, exited_on=datetime.date(2018, 6, 1))
    train(county_b, 2)
    IndustryProjectFactory(county=county_a, funds="71278500.00", review_status=APPROVED)
    FinanceAgreementFactory(
        household=HouseholdFactory(village__township__county=county_a),
        funds="410000000.00",
        review_status=APPROVED,
    )


class TestReport:
    url = reverse("cases:report")

    def test_money_is_written_in_wan_or_yi(self):
        with translation.override("zh-hans"):
            assert money_text(Decimal("71278500.00")) == "7127.85万元"
            assert money_text(Decimal("14980000")) == "1498.00万元"
            assert money_text(0) == "0.00万元"
            assert money_text(Decimal("410000000")) == "4.1亿元"
            assert money_text(Decimal("412345678.90")) == "约4.1亿元"

    def test_the_city_report_reads_like_the_article(
        self, client, county_a, county_b, city_reviewer
    ):
        build_report_dataset(county_a, county_b)
        sign_in(client, city_reviewer)
        response = client.get(self.url, AS_OF)
        assert response.status_code == 200
        page = response.content.decode()
        for sentence in [
            "截至2018年8月31日,全市各级劳模和五一劳动奖章获得者3人,其中国家级1人,省级1人、"
            "市级1人、县区级0人,各级在职在本地劳模3人。",
            "全市各级工会组织和劳模开展各类技术培训讲座共计3场次,培训贫困人口5人,"
            "其中已有1人通过技术培训实现脱贫致富。",
            "全市依托劳模企业共建产业扶贫项目1个,投入帮扶资金7127.85万元,",
            "吸纳小额信贷和政府产业扶贫专项资金4.1亿元。",
            "截至2018年8月31日,汝南县各级劳模和五一劳动奖章获得者2人,其中国家级1人,省级0人、"
            "市级1人、县区级0人",
            "汝南县各级工会组织和劳模开展各类技术培训讲座共计2场次,培训贫困人口3人,"
            "其中已有1人通过技术培训实现脱贫致富。",
            "截至2018年8月31日,正阳县各级劳模和五一劳动奖章获得者1人,其中国家级0人,省级1人、",
            "正阳县依托劳模企业共建产业扶贫项目0个,投入帮扶资金0.00万元,",
        ]:
            assert sentence in page, sentence
        assert 'href="/static/css/print.css" media="print"' in page
        # A county's sentences run on in one paragraph, without spaces between them.
        assert (
            "其中已有1人通过技术培训实现脱贫致富。培训贫困户3户,其中0户发展了产业。汝南县依托劳模企业"
            in visible_text(response)
        )

    def test_county_staff_get_their_own_county_only(
        self, client, county_a, county_b, county_b_clerk
    ):
        build_report_dataset(county_a, county_b)
        sign_in(client, county_b_clerk)
        page = client.get(self.url, AS_OF).content.decode()
        assert "正阳县各级劳模和五一劳动奖章获得者1人" in page
        assert "汝南县" not in page
        assert "全市" not in page

    def test_users_without_a_role_get_403(self, client, no_role_user):
        sign_in(client, no_role_user)
        assert client.get(self.url).status_code == 403

    def test_the_report_is_in_english_when_asked(
        self, client, county_a, county_b, city_reviewer
    ):
        build_report_dataset(county_a, county_b)
        sign_in(client, city_reviewer)
        client.cookies["django_language"] = "en"
        page = visible_text(client.get(self.url, AS_OF))
        assert "the city had 3 labor models and May Day medal holders" in page
        assert "with funds of 7127.85 ten thousand yuan" in page
        assert "In 汝南县, the unions and labor models held 2 technical training sessions" in page
        # English sentences are separated by a space; Chinese ones are not.
        assert "living locally. 0 in-service local labor models take part" in page
        assert "in-service local labor models. In 汝南县, the unions" in page


#
# Exports
#


def read_workbook(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


class TestXlsxExport:
    url = reverse("cases:dashboard_export")

    def test_the_county_comparison_and_progress_sheets(
        self, client, county_a, county_b, city_reviewer
    ):
        build_report_dataset(county_a, county_b)
        set_target(county_a, "people_trained", 100)
        sign_in(client, city_reviewer)
        response = export(client, self.url, AS_OF)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in response["Content-Disposition"]
        workbook = read_workbook(response)
        comparison, progress, about = workbook.worksheets
        assert comparison.title == "县区对比"

        rows = list(comparison.iter_rows(values_only=True))
        header, *counties, totals = rows
        assert header[:2] == ("县区", "行政区划代码")
        assert header[2:] == tuple(f"{d.label}({d.unit})" for d in INDICATORS)
        assert [row[0] for row in counties] == ["正阳县", "汝南县"]
        assert totals[0] == "合计"
        for column in range(2, len(header)):
            values = [row[column] for row in counties]
            assert all(isinstance(v, int | float) for v in values), header[column]
            assert totals[column] == pytest.approx(sum(values)), header[column]
        column = {title: index for index, title in enumerate(header)}
        assert counties[1][column["培训贫困人口(人)"]] == 3
        assert totals[column["培训贫困人口(人)"]] == 5
        funds = column["产业扶贫项目投入帮扶资金(元)"]
        assert counties[1][funds] == 71278500
        assert comparison.cell(row=3, column=funds + 1).number_format == "#,##0.00"

        header, *entries = progress.iter_rows(values_only=True)
        assert header[0] == "县区"
        [entry] = entries
        assert entry[:5] == ("汝南县", "培训贫困人口", "人", 3, 100)
        assert entry[5] == pytest.approx(0.03)
        assert about.title == "统计说明"

    def test_county_staff_export_their_county_only(
        self, client, county_a, county_b, county_a_clerk
    ):
        build_report_dataset(county_a, county_b)
        sign_in(client, county_a_clerk)
        rows = list(read_workbook(export(client, self.url, AS_OF)).worksheets[0].values)
        assert [row[0] for row in rows[1:]] == ["汝南县", "合计"]


class TestJson:
    url = reverse("cases:indicators_json")

    def test_shape_and_values(self, client, county_a, county_b, city_reviewer):
        build_report_dataset(county_a, county_b)
        sign_in(client, city_reviewer)
        response = client.get(self.url, AS_OF)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        document = response.json()
        assert set(document) == {"period", "include_submitted", "generated_at", "indicators"}
        assert document["period"] == {"start": None, "end": "2018-08-31"}
        assert document["include_submitted"] is False
        assert datetime.datetime.fromisoformat(document["generated_at"]).tzinfo is not None
        assert [i["key"] for i in document["indicators"]] == [d.key for d in INDICATORS]
        by_key = {i["key"]: i for i in document["indicators"]}
        trained = by_key["people_trained"]
        assert set(trained) == {"key", "label", "unit", "total", "by_county"}
        assert (trained["label"], trained["unit"], trained["total"]) == ("培训贫困人口", "人", 5)
        assert trained["by_county"] == [
            {"county_code": "411724", "county": "正阳县", "value": 2},
            {"county_code": "411727", "county": "汝南县", "value": 3},
        ]
        assert by_key["finance_funds"]["total"] == "410000000.00"
        assert by_key["enterprise_project_funds"]["by_county"][0]["value"] == "0.00"

        period = Period(end=datetime.date(2018, 8, 31))
        totals = compute_indicators(user=city_reviewer, period=period).totals()
        for indicator in document["indicators"]:
            expected = totals[indicator["key"]]
            if isinstance(indicator["total"], str):
                assert Decimal(indicator["total"]) == expected
            else:
                assert indicator["total"] == expected

    def test_a_period_and_submitted_records(self, client, county_a, city_reviewer):
        TrainingSessionFactory(
            county=county_a, held_on=datetime.date(2018, 5, 1), review_status=ReviewStatus.SUBMITTED
        )
        sign_in(client, city_reviewer)
        document = client.get(
            self.url, {"period": "year", "year": "2018", "include_submitted": "1"}
        ).json()
        assert document["period"] == {"start": "2018-01-01", "end": "2018-12-31"}
        assert document["include_submitted"] is True
        sessions = next(i for i in document["indicators"] if i["key"] == "training_sessions")
        assert sessions["total"] == 1

    def test_county_staff_get_their_county_only(
        self, client, county_a, county_b, county_a_clerk
    ):
        build_report_dataset(county_a, county_b)
        sign_in(client, county_a_clerk)
        document = client.get(self.url, AS_OF).json()
        totals = compute_indicators(
            user=county_a_clerk, period=Period(end=datetime.date(2018, 8, 31))
        ).totals()
        for indicator in document["indicators"]:
            assert [c["county_code"] for c in indicator["by_county"]] == ["411727"]
            assert indicator["by_county"][0]["value"] == indicator["total"]
        trained = next(i for i in document["indicators"] if i["key"] == "people_trained")
        assert trained["total"] == totals["people_trained"] == 3

    def test_no_role_is_refused_and_anonymous_goes_to_login(
        self, client, county_a, county_b, no_role_user
    ):
        build_report_dataset(county_a, county_b)
        response = client.get(self.url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]
        # The JSON is an export: an account without a role has no export permission.
        sign_in(client, no_role_user)
        assert client.get(self.url, AS_OF).status_code == 403


#
# Query counts
#


def add_trained_people(county, count):
    train(county, count)
    for _ in range(count):
        LaborModelFactory(county=county, review_status=APPROVED)


@pytest.mark.parametrize(
    "url_name", ["cases:report", "cases:indicators_json", "cases:dashboard_export",
                 "cases:target_progress"]
)
def test_query_count_does_not_grow_with_the_records(
    client, county_a, county_b, city_reviewer, url_name
):
    url = reverse(url_name)
    set_target(county_a, "people_trained", 100)
    set_target(county_b, "people_trained", 100)
    sign_in(client, city_reviewer)
    add_trained_people(county_a, 1)
    add_trained_people(county_b, 1)
    # The workbook is an export, posted; the pages and the JSON are read.
    def fetch():
        return export(client, url, AS_OF) if url_name == "cases:dashboard_export" else client.get(
            url, AS_OF
        )

    fetch()  # warm per-process caches (content types, ...)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = fetch()
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
        assert response.status_code == 200
        return len(queries)

    few = count()
    add_trained_people(county_a, 9)
    add_trained_people(county_b, 9)
    assert count() == few



def test_the_dashboard_links_to_the_report_and_exports_for_its_period(client, city_reviewer):
    sign_in(client, city_reviewer)
    page = client.get(reverse("cases:dashboard"), AS_OF).content.decode()
    for name in ("report", "target_progress", "indicators_json"):
        assert f'href="{reverse(f"cases:{name}")}?period=as_of&amp;as_of=2018-08-31"' in page
    export_form = f'action="{reverse("cases:dashboard_export")}?period=as_of&amp;as_of=2018-08-31"'
    assert f'<form method="post" {export_form}' in page


def test_the_dashboard_workbook_is_started_by_post_only(client, city_reviewer):
    sign_in(client, city_reviewer)
    url = reverse("cases:dashboard_export")
    assert client.get(url, AS_OF).status_code == 405
    assert not ExportLog.objects.exists()
    assert export(client, url, AS_OF).status_code == 200
    assert ExportLog.objects.count() == 1
