"""The home page's work list for county staff: every figure is the row count of the list it
links to, and the page costs a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.services import household_archive
from tests.factories import (
    HouseholdFactory,
    LaborModelFactory,
    MaterialAidFactory,
    MemberFactory,
    PairingFactory,
    TrainingAttendanceFactory,
    TrainingSessionFactory,
    VillageFactory,
)
from tests.support import household_in, return_record

TODAY = timezone.localdate()
LONG_AGO = datetime.date(2018, 6, 1)


def days_ago(n):
    return TODAY - datetime.timedelta(days=n)


def listed(client, url):
    """How many rows the list page at ``url`` shows (all its pages together)."""
    response = client.get(url)
    assert response.status_code == 200
    return response.context["table"].paginator.count


@pytest.fixture
def workload(county_a, county_b, county_a_clerk, county_b_clerk, city_reviewer):
    """County A: households with and without help, idle and busy pairings, returned records
    and drafts; county B: the same shapes, which county A must never count."""
    made = {}
    clerks = {county_a: county_a_clerk, county_b: county_b_clerk}
    for county in (county_a, county_b):
        labor_model = LaborModelFactory(county=county)
        unpaired = household_in(county, head_name="无人结对")
        ended = household_in(county, head_name="结对已结束")
        PairingFactory(
            household=ended, labor_model=labor_model, start_date=LONG_AGO,
            end_date=days_ago(200),
        )
        idle = household_in(county, head_name="久未帮扶")
        idle_pairing = PairingFactory(household=idle, labor_model=labor_model, start_date=LONG_AGO)
        busy = household_in(county, head_name="近期走访")
        busy_pairing = PairingFactory(household=busy, labor_model=labor_model, start_date=LONG_AGO)
        MaterialAidFactory(household=busy, labor_model=labor_model, given_on=days_ago(10))
        trained = household_in(county, head_name="近期培训")
        PairingFactory(household=trained, labor_model=labor_model, start_date=LONG_AGO)
        session = TrainingSessionFactory(
            county=county, labor_model=labor_model, held_on=days_ago(30)
        )
        TrainingAttendanceFactory(session=session, member=MemberFactory(household=trained))
        new = household_in(county, head_name="新结对")
        PairingFactory(household=new, labor_model=labor_model, start_date=days_ago(20))
        # A whole-village pairing covers its households; nobody helped them lately.
        village = VillageFactory(township__county=county)
        in_paired_village = HouseholdFactory(village=village, head_name="整村结对户")
        village_pairing = PairingFactory(
            household=None, village=village, county=county, labor_model=labor_model,
            start_date=LONG_AGO,
        )
        archived = household_in(county, head_name="已归档户")
        household_archive(household=archived, user=clerks[county], reason="重复登记")
        return_record(idle, city_reviewer, f"{county.name}:请补充家庭收入")
        return_record(busy_pairing, city_reviewer, f"{county.name}:帮扶措施过于笼统")
        made[county.code] = {
            "unpaired": {unpaired, ended},
            "idle": {idle_pairing, village_pairing},
            "busy": busy_pairing,
            "in_paired_village": in_paired_village,
            "archived": archived,
        }
    return made[county_a.code]


class TestCountyWorkList:
    def test_each_figure_is_the_row_count_of_the_list_it_links_to(
        self, client, county_a_clerk, workload
    ):
        client.force_login(county_a_clerk)
        work = client.get(reverse("cases:home")).context["work"]
        figures = [work.unpaired_households, work.idle_pairings, *work.returned, *work.drafts]
        assert work.returned and work.drafts
        for figure in figures:
            assert figure.url, figure.label
            assert figure.count == listed(client, figure.url), figure.label

    def test_the_figures_count_what_they_say(self, client, county_a_clerk, workload):
        client.force_login(county_a_clerk)
        work = client.get(reverse("cases:home")).context["work"]
        assert work.unpaired_households.count == len(workload["unpaired"]) == 2
        assert work.idle_pairings.count == len(workload["idle"]) == 2
        returned = {link.label: link.count for link in work.returned}
        assert returned == {"贫困户": 1, "结对帮扶": 1}
        assert work.returned_total == 2
        unpaired_page = client.get(work.unpaired_households.url).content.decode()
        assert "无人结对" in unpaired_page and "结对已结束" in unpaired_page
        for name in ("整村结对户", "已归档户", "久未帮扶", "近期走访"):
            assert name not in unpaired_page

    def test_the_latest_returns_are_listed_with_the_reviewers_comment(
        self, client, county_a, county_a_clerk, workload
    ):
        client.force_login(county_a_clerk)
        response = client.get(reverse("cases:home"))
        content = response.content.decode()
        assert f"{county_a.name}:请补充家庭收入" in content
        assert f"{county_a.name}:帮扶措施过于笼统" in content
        assert "正阳县" not in content
        recent = response.context["work"].recent_returns
        assert [row.return_comment for row in recent] == [
            f"{county_a.name}:帮扶措施过于笼统", f"{county_a.name}:请补充家庭收入",
        ]
        assert workload["busy"].get_absolute_url() in content

    def test_a_resubmitted_record_leaves_the_returned_figures(
        self, client, county_a_clerk, workload
    ):
        from cases.services import record_submit

        record_submit(record=workload["busy"], user=county_a_clerk)
        client.force_login(county_a_clerk)
        work = client.get(reverse("cases:home")).context["work"]
        assert {link.label for link in work.returned} == {"贫困户"}
        assert len(work.recent_returns) == 1

    def test_the_page_costs_a_fixed_number_of_queries(
        self, client, county_a, county_a_clerk, city_reviewer
    ):
        def add_rows(n):
            labor_model = LaborModelFactory(county=county_a)
            for _ in range(n):
                household = household_in(county_a)
                return_record(household, city_reviewer, "请核实")
                PairingFactory(household=household, labor_model=labor_model, start_date=LONG_AGO)

        client.force_login(county_a_clerk)
        add_rows(2)
        client.get(reverse("cases:home"))
        with CaptureQueriesContext(connection) as small:
            client.get(reverse("cases:home"))
        add_rows(10)
        with CaptureQueriesContext(connection) as large:
            client.get(reverse("cases:home"))
        assert len(small) == len(large)


def test_city_reviewers_get_the_lists_and_no_work_list(client, city_reviewer, workload):
    client.force_login(city_reviewer)
    response = client.get(reverse("cases:home"))
    assert "work" not in response.context
    content = response.content.decode()
    for name in ("household_list", "pairing_list", "labormodel_list", "materialaid_list"):
        assert f'href="{reverse(f"cases:{name}")}"' in content


def test_users_without_a_role_get_no_lists(client, no_role_user):
    client.force_login(no_role_user)
    response = client.get(reverse("cases:home"))
    assert response.status_code == 200
    assert "work" not in response.context
    assert not response.context.get("lists")
