"""The county workspace lists: who sees which rows, what a page costs, what the filters and the
search box find, and what the exports carry."""

import csv
import datetime
import io
import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cases.choices import (
    AidKind,
    CollectiveHonour,
    EnterpriseKind,
    FinanceModel,
    HonourLevel,
    ReviewStatus,
    VolunteerEventKind,
)
from cases.models import DividendPayment, IndustryProject
from cases.validators import build_resident_id, mask_id_number
from tests.factories import (
    DividendPaymentFactory,
    EmploymentFactory,
    EnterpriseFactory,
    FinanceAgreementFactory,
    IndustryProjectFactory,
    LaborModelFactory,
    MaterialAidFactory,
    PairingFactory,
    ProjectBeneficiaryFactory,
    TrainingAttendanceFactory,
    TrainingSessionFactory,
    VillageFactory,
    VolunteerTeamFactory,
    WorkshopFactory,
    expertise_field,
)
from tests.support import (
    MAKERS,
    export,
    household_in,
    make_advancedcollective,
    make_dividendpayment,
    make_employment,
    make_enterprise,
    make_financeagreement,
    make_householdvisit,
    make_industryproject,
    make_labormodel,
    make_materialaid,
    make_pairing,
    make_trainingsession,
    make_volunteerevent,
    make_volunteerteam,
    make_workshop,
    member_in,
)


@dataclass
class FilterCase:
    """Query parameters, and the keyword arguments of a row they keep and of one they drop."""

    params: dict
    kept: dict
    dropped: dict


@dataclass
class ListSpec:
    name: str
    make: object
    filter_case: FilterCase
    has_date: bool = True

    @property
    def url(self):
        return reverse(f"cases:{self.name}_list")


LISTS = [
    ListSpec(
        "labormodel", make_labormodel,
        FilterCase(
            {"honour_level": HonourLevel.NATIONAL},
            {"honour_level": HonourLevel.NATIONAL},
            {"honour_level": HonourLevel.CITY},
        ),
        has_date=False,
    ),
    ListSpec(
        "advancedcollective", make_advancedcollective,
        FilterCase(
            {"honour": CollectiveHonour.MAY_DAY_AWARD},
            {"honour": CollectiveHonour.MAY_DAY_AWARD},
            {"honour": CollectiveHonour.WORKER_PIONEER},
        ),
        has_date=False,
    ),
    ListSpec(
        "enterprise", make_enterprise,
        FilterCase(
            {"kind": EnterpriseKind.COOPERATIVE},
            {"kind": EnterpriseKind.COOPERATIVE},
            {"kind": EnterpriseKind.ENTERPRISE},
        ),
        has_date=False,
    ),
    ListSpec(
        "volunteerteam", make_volunteerteam,
        FilterCase(
            {"founded_after": "2018-01-01"},
            {"founded_on": datetime.date(2018, 3, 1)},
            {"founded_on": datetime.date(2016, 3, 1)},
        ),
    ),
    ListSpec(
        "pairing", make_pairing,
        FilterCase(
            {"active_on": "2018-08-31"},
            {"start_date": datetime.date(2018, 6, 1)},
            {"start_date": datetime.date(2017, 6, 1), "end_date": datetime.date(2018, 7, 1)},
        ),
    ),
    ListSpec(
        "trainingsession", make_trainingsession,
        FilterCase(
            {"held_after": "2018-01-01", "held_before": "2018-12-31"},
            {"held_on": datetime.date(2018, 5, 10)},
            {"held_on": datetime.date(2017, 5, 10)},
        ),
    ),
    ListSpec(
        "industryproject", make_industryproject,
        FilterCase({"funds_min": "100000"}, {"funds": "500000.00"}, {"funds": "99999.99"}),
    ),
    ListSpec(
        "workshop", make_workshop,
        FilterCase(
            {"review_status": ReviewStatus.APPROVED},
            {"review_status": ReviewStatus.APPROVED},
            {"review_status": ReviewStatus.DRAFT},
        ),
    ),
    ListSpec(
        "financeagreement", make_financeagreement,
        FilterCase(
            {"model": FinanceModel.LAND_TRANSFER},
            {"model": FinanceModel.LAND_TRANSFER},
            {"model": FinanceModel.EQUITY_DIVIDEND},
        ),
    ),
    ListSpec(
        "dividendpayment", make_dividendpayment,
        FilterCase({"amount_min": "2000"}, {"amount": "2500.00"}, {"amount": "1500.00"}),
    ),
    ListSpec(
        "employment", make_employment,
        FilterCase({"is_stable": "true"}, {"is_stable": True}, {"is_stable": False}),
    ),
    ListSpec(
        "volunteerevent", make_volunteerevent,
        FilterCase(
            {"kind": VolunteerEventKind.CAMPAIGN},
            {"kind": VolunteerEventKind.CAMPAIGN},
            {"kind": VolunteerEventKind.POLICY_TALK},
        ),
    ),
    ListSpec(
        "materialaid", make_materialaid,
        FilterCase(
            {"given_after": "2018-01-01", "kind": AidKind.CASH},
            {"given_on": datetime.date(2018, 2, 1), "kind": AidKind.CASH},
            {"given_on": datetime.date(2018, 2, 1), "kind": AidKind.VISIT},
        ),
    ),
    ListSpec(
        "householdvisit", make_householdvisit,
        FilterCase(
            {"visited_after": "2018-03-01"},
            {"visited_on": datetime.date(2018, 3, 5)},
            {"visited_on": datetime.date(2018, 2, 1)},
        ),
    ),
]
LIST_IDS = [spec.name for spec in LISTS]


@pytest.fixture(params=LISTS, ids=LIST_IDS)
def spec(request):
    return request.param


def content(response):
    return response.content.decode()


def shown_rows(response):
    """The records on the page, as the table rendered them."""
    return [row.record for row in response.context["table"].page.object_list]


#
# Scoping
#


class TestWhoSeesWhat:
    @pytest.fixture
    def rows(self, spec, county_a, county_b):
        return spec.make(county_a, "甲县的记录"), spec.make(county_b, "乙县的记录")

    def test_county_staff_see_their_county_only(self, client, spec, rows, county_a_clerk):
        client.force_login(county_a_clerk)
        response = client.get(spec.url)
        assert response.status_code == 200
        assert "甲县的记录" in content(response)
        assert "乙县的记录" not in content(response)
        assert [row.pk for row in shown_rows(response)] == [rows[0].pk]

    def test_city_reviewers_see_every_county(self, client, spec, rows, city_reviewer):
        client.force_login(city_reviewer)
        response = client.get(spec.url)
        assert response.status_code == 200
        assert "甲县的记录" in content(response)
        assert "乙县的记录" in content(response)

    def test_users_without_a_role_get_an_empty_list(self, client, spec, rows, no_role_user):
        client.force_login(no_role_user)
        response = client.get(spec.url)
        assert response.status_code == 200
        assert shown_rows(response) == []
        assert "甲县的记录" not in content(response)
        assert "乙县的记录" not in content(response)

    def test_anonymous_users_are_sent_to_login(self, client, spec, rows):
        response = client.get(spec.url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_exports_are_scoped_too(self, client, spec, rows, county_a_clerk):
        client.force_login(county_a_clerk)
        text = export_csv(client, spec.url)
        assert "甲县的记录" in text
        assert "乙县的记录" not in text

    def test_county_staff_are_not_offered_a_county_filter_and_cannot_use_one(
        self, client, spec, rows, county_a_clerk, county_b
    ):
        client.force_login(county_a_clerk)
        response = client.get(spec.url, {"county": county_b.pk})
        fields = list(response.context["filter"].form.fields)
        assert "county" not in fields
        assert fields[0] == "q"
        assert [row.pk for row in shown_rows(response)] == [rows[0].pk]

    def test_city_reviewers_filter_by_county(self, client, spec, rows, city_reviewer, county_b):
        client.force_login(city_reviewer)
        response = client.get(spec.url, {"county": county_b.pk})
        assert [row.pk for row in shown_rows(response)] == [rows[1].pk]


def test_the_navigation_offers_the_lists_to_staff_and_reviewers_only(
    client, county_a_clerk, city_reviewer, no_role_user
):
    every_list = [spec.url for spec in LISTS] + [
        reverse("cases:household_list"), reverse("cases:member_list"),
    ]
    for user in (county_a_clerk, city_reviewer):
        client.force_login(user)
        page = content(client.get(reverse("cases:home")))
        assert all(f'href="{url}"' in page for url in every_list)
    client.force_login(no_role_user)
    page = content(client.get(reverse("cases:home")))
    assert not any(f'href="{url}"' in page for url in every_list)


def test_the_current_list_is_marked_in_the_navigation(client, county_a_clerk):
    client.force_login(county_a_clerk)
    page = content(client.get(reverse("cases:workshop_list")))
    assert f'href="{reverse("cases:workshop_list")}" aria-current="page"' in page


#
# Cost of a page
#


def test_a_page_costs_the_same_queries_for_2_rows_as_for_30(
    client, spec, county_a, county_b, city_reviewer
):
    client.force_login(city_reviewer)
    for n in range(2):
        spec.make(county_a if n % 2 else county_b, f"记录{n}")
    client.get(spec.url)  # Warm up caches (content types, translations) before counting.
    with CaptureQueriesContext(connection) as with_2_rows:
        response = client.get(spec.url)
    assert len(shown_rows(response)) == 2
    for n in range(2, 30):
        spec.make(county_a if n % 2 else county_b, f"记录{n}")
    with CaptureQueriesContext(connection) as with_30_rows:
        response = client.get(spec.url)
    assert len(shown_rows(response)) == 25
    assert len(with_30_rows) == len(with_2_rows), "\n".join(
        query["sql"] for query in with_30_rows.captured_queries
    )


#
# Filters and search
#


def test_each_list_has_a_filter_that_narrows_its_rows(client, spec, county_a, county_a_clerk):
    case = spec.filter_case
    kept = spec.make(county_a, "留下的记录", **case.kept)
    spec.make(county_a, "筛掉的记录", **case.dropped)
    client.force_login(county_a_clerk)
    assert len(shown_rows(client.get(spec.url))) == 2
    response = client.get(spec.url, case.params)
    assert response.context["filter"].is_valid()
    assert [row.pk for row in shown_rows(response)] == [kept.pk]
    assert "留下的记录" in content(response)
    assert "筛掉的记录" not in content(response)


@pytest.mark.parametrize(
    ("list_name", "attribute", "value"),
    [
        ("labormodel", "in_service", "false"),
        ("labormodel", "is_local", "true"),
        ("labormodel", "year_awarded_min", "2012"),
        ("employment", "employed_on", "2018-08-31"),
        ("employment", "monthly_wage_max", "2000"),
        ("pairing", "mode", "industry"),
    ],
)
def test_more_filters(client, county_a, county_a_clerk, list_name, attribute, value):
    make = MAKERS[list_name]
    special = {
        "in_service": {"in_service": False},
        "is_local": {"is_local": True},
        "year_awarded_min": {"year_awarded": 2015},
        "employed_on": {"started_on": datetime.date(2018, 3, 1)},
        "monthly_wage_max": {"monthly_wage": "1800.00"},
        "mode": {"mode": "industry"},
    }[attribute]
    ordinary = {
        "in_service": {"in_service": True},
        "is_local": {"is_local": False},
        "year_awarded_min": {"year_awarded": 2001},
        "employed_on": {
            "started_on": datetime.date(2017, 3, 1), "ended_on": datetime.date(2018, 1, 31)
        },
        "monthly_wage_max": {"monthly_wage": "3000.00"},
        "mode": {"mode": "technical"},
    }[attribute]
    kept = make(county_a, "留下的记录", **special)
    make(county_a, "筛掉的记录", **ordinary)
    client.force_login(county_a_clerk)
    response = client.get(reverse(f"cases:{list_name}_list"), {attribute: value})
    assert [row.pk for row in shown_rows(response)] == [kept.pk]
    assert "筛掉的记录" not in content(response)


def test_labor_models_filter_by_expertise(client, county_a, county_a_clerk):
    planting = expertise_field("planting_breeding")
    expert = make_labormodel(county_a, "种植能手")
    expert.expertise.add(planting)
    make_labormodel(county_a, "其他劳模")
    client.force_login(county_a_clerk)
    response = client.get(reverse("cases:labormodel_list"), {"expertise": planting.pk})
    assert [row.pk for row in shown_rows(response)] == [expert.pk]
    assert planting.name in content(response)


def test_pairings_filter_by_the_village_of_a_household_or_a_village(
    client, county_a, county_a_clerk
):
    village = VillageFactory(township__county=county_a)
    household = household_in(county_a, village=village)
    for_household = make_pairing(county_a, "帮户", household=household)
    for_village = make_pairing(county_a, "帮村", household=None, village=village)
    make_pairing(county_a, "别村")
    client.force_login(county_a_clerk)
    response = client.get(reverse("cases:pairing_list"), {"village": village.pk})
    assert {row.pk for row in shown_rows(response)} == {for_household.pk, for_village.pk}
    response = client.get(reverse("cases:pairing_list"), {"township": village.township_id})
    assert {row.pk for row in shown_rows(response)} == {for_household.pk, for_village.pk}


#
# The search box finds people by the last digits of their ID number
#

WANTED_ID = build_resident_id("411727", datetime.date(1985, 5, 5), 105)  # ends with 105X
OTHER_ID = build_resident_id("411727", datetime.date(1990, 7, 7), 107)


def member_with_id(county, id_number, name):
    return member_in(county, id_number=id_number, name=name)


@pytest.mark.parametrize(
    ("list_name", "make_row"),
    [
        ("household", lambda county, id_number, label: (
            member_with_id(county, id_number, label).household
        )),
        ("member", member_with_id),
        ("employment", lambda county, id_number, label: EmploymentFactory(
            member=member_with_id(county, id_number, label)
        )),
        ("financeagreement", lambda county, id_number, label: FinanceAgreementFactory(
            household=member_with_id(county, id_number, label).household
        )),
        ("dividendpayment", lambda county, id_number, label: DividendPaymentFactory(
            agreement__household=member_with_id(county, id_number, label).household
        )),
        ("materialaid", lambda county, id_number, label: MaterialAidFactory(
            household=member_with_id(county, id_number, label).household
        )),
        ("pairing", lambda county, id_number, label: PairingFactory(
            household=member_with_id(county, id_number, label).household
        )),
        ("labormodel", lambda county, id_number, label: LaborModelFactory(
            county=county, id_number=id_number, name=label
        )),
    ],
)
def test_search_by_the_last_four_digits_of_an_id_number(
    client, county_a, county_a_clerk, list_name, make_row
):
    assert WANTED_ID[-4:] == "105X" and OTHER_ID[-4:] != WANTED_ID[-4:]
    wanted = make_row(county_a, WANTED_ID, "要找的人")
    make_row(county_a, OTHER_ID, "别的人")
    client.force_login(county_a_clerk)
    url = reverse(f"cases:{list_name}_list")
    response = client.get(url, {"q": WANTED_ID[-4:]})
    assert [row.pk for row in shown_rows(response)] == [wanted.pk]
    assert WANTED_ID not in content(response)


@pytest.mark.parametrize("list_name", ["employment", "labormodel", "materialaid"])
def test_a_lower_case_x_finds_the_id_number_too(client, county_a, county_a_clerk, list_name):
    if list_name == "labormodel":
        LaborModelFactory(county=county_a, id_number=WANTED_ID)
    elif list_name == "employment":
        EmploymentFactory(member=member_with_id(county_a, WANTED_ID, "甲"))
    else:
        MaterialAidFactory(household=member_with_id(county_a, WANTED_ID, "甲").household)
    client.force_login(county_a_clerk)
    response = client.get(reverse(f"cases:{list_name}_list"), {"q": "105x"})
    assert len(shown_rows(response)) == 1


def test_training_and_projects_are_found_by_an_attendee_or_beneficiary(
    client, county_a, county_a_clerk
):
    person = member_with_id(county_a, WANTED_ID, "参训人")
    attended = TrainingAttendanceFactory(
        session__county=county_a, member=person
    ).session
    TrainingSessionFactory(county=county_a)
    benefited = ProjectBeneficiaryFactory(project__county=county_a, member=person).project
    IndustryProjectFactory(county=county_a)
    client.force_login(county_a_clerk)
    response = client.get(reverse("cases:trainingsession_list"), {"q": "105X"})
    assert [row.pk for row in shown_rows(response)] == [attended.pk]
    response = client.get(reverse("cases:industryproject_list"), {"q": "105X"})
    assert [row.pk for row in shown_rows(response)] == [benefited.pk]


#
# Another county's choices are refused
#


@pytest.mark.parametrize(
    ("list_name", "parameter", "foreign"),
    [
        ("household", "village", lambda county: VillageFactory(township__county=county)),
        ("member", "village", lambda county: VillageFactory(township__county=county)),
        ("pairing", "village", lambda county: VillageFactory(township__county=county)),
        ("pairing", "township", lambda county: VillageFactory(township__county=county).township),
        ("industryproject", "village", lambda county: VillageFactory(township__county=county)),
        ("industryproject", "enterprise", lambda county: EnterpriseFactory(county=county)),
        ("workshop", "village", lambda county: VillageFactory(township__county=county)),
        ("financeagreement", "village", lambda county: VillageFactory(township__county=county)),
        ("financeagreement", "enterprise", lambda county: EnterpriseFactory(county=county)),
        ("dividendpayment", "enterprise", lambda county: EnterpriseFactory(county=county)),
        ("employment", "village", lambda county: VillageFactory(township__county=county)),
        ("employment", "workshop", lambda county: WorkshopFactory(enterprise__county=county)),
        ("volunteerevent", "team", lambda county: VolunteerTeamFactory(county=county)),
        ("materialaid", "village", lambda county: VillageFactory(township__county=county)),
    ],
)
def test_a_choice_from_another_county_is_rejected(
    client, county_a, county_b, county_a_clerk, list_name, parameter, foreign
):
    make = MAKERS[list_name]
    make(county_a, "甲县的记录")
    make(county_b, "乙县的记录")
    choice = foreign(county_b)
    client.force_login(county_a_clerk)
    url = reverse(f"cases:{list_name}_list")
    response = client.get(url, {parameter: choice.pk})
    assert response.status_code == 200
    assert parameter in response.context["filter"].form.errors
    assert shown_rows(response) == []
    assert "乙县的记录" not in content(response)
    # The filter card opens on narrow screens, so the error is seen.
    assert 'class="collapse d-lg-block mt-2 mt-lg-0 show"' in content(response)
    # Nor does the export leak what the page refused.
    text = export_csv(client, url, {parameter: choice.pk})
    assert len(list(csv.reader(io.StringIO(text)))) == 1


#
# Exports
#


def export_csv(client, url, params=None):
    response = export(client, url, {**(params or {}), "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return body.removeprefix("\ufeff")


def export_xlsx(client, url, params=None):
    response = export(client, url, {**(params or {}), "export": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_exports_carry_exactly_the_filtered_rows(client, spec, county_a, county_a_clerk):
    case = spec.filter_case
    spec.make(county_a, "留下的记录", **case.kept)
    spec.make(county_a, "筛掉的记录", **case.dropped)
    client.force_login(county_a_clerk)
    page = client.get(spec.url, case.params)
    headers = [str(column.header) for column in page.context["table"].columns]

    text = export_csv(client, spec.url, case.params)
    assert len(text.splitlines()) == 2
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2
    assert all(re.search(r"[\u4e00-\u9fff]", header) for header in rows[0])
    # The page's own columns, in Chinese, plus the county (files travel between offices) and,
    # last, the record's number of evidence files.
    assert [header for header in rows[0] if header != "县区"] == [*headers, "附件数"]
    assert "县区" in rows[0]
    assert any("留下的记录" in cell for cell in rows[1])

    sheet = export_xlsx(client, spec.url, case.params)
    assert len(sheet) == 2
    assert [str(header) for header in sheet[0]] == rows[0]
    assert any(isinstance(cell, str) and "留下的记录" in cell for cell in sheet[1])
    if spec.has_date:
        assert any(isinstance(cell, datetime.datetime) for cell in sheet[1])
    assert not any(isinstance(cell, str) and cell in {"True", "False"} for cell in sheet[1])


def test_exports_are_in_the_order_of_the_page(client, county_a, county_a_clerk):
    for amount, label in (("2500.00", "乙"), ("1000.00", "甲"), ("3000.00", "丙")):
        make_dividendpayment(county_a, label, amount=amount)
    client.force_login(county_a_clerk)
    url = reverse("cases:dividendpayment_list")
    sheet = export_xlsx(client, url, {"sort": "-amount"})
    amount_column = sheet[0].index(str(DividendPayment._meta.get_field("amount").verbose_name))
    assert [row[amount_column] for row in sheet[1:]] == [3000, 2500, 1000]


@pytest.mark.parametrize(
    ("list_name", "make_row"),
    [
        ("member", lambda county: member_in(county)),
        ("employment", lambda county: EmploymentFactory(member=member_in(county)).member),
        (
            "labormodel",
            lambda county: LaborModelFactory(
                county=county, id_number=WANTED_ID, phone="13812345678"
            ),
        ),
    ],
)
def test_exports_never_carry_a_full_id_number(
    client, county_a, county_a_clerk, list_name, make_row
):
    person = make_row(county_a)
    client.force_login(county_a_clerk)
    url = reverse(f"cases:{list_name}_list")
    text = export_csv(client, url)
    sheet = export_xlsx(client, url)
    cells = [str(cell) for row in sheet for cell in row if cell is not None]
    assert person.id_number not in text
    assert not any(person.id_number in cell for cell in cells)
    assert mask_id_number(person.id_number) in text
    assert mask_id_number(person.id_number) in cells
    if person.phone:
        assert person.phone not in text
        assert not any(person.phone in cell for cell in cells)


def test_the_member_list_shows_the_birth_year_only(client, county_a, county_a_clerk):
    """The masked ID number shows region and last digits; a whole birth date would complete it."""
    member = member_in(county_a, birth_date=datetime.date(1968, 11, 23))
    client.force_login(county_a_clerk)
    url = reverse("cases:member_list")

    page = client.get(url).content.decode()
    text = export_csv(client, url)
    sheet = export_xlsx(client, url)

    year_column = sheet[0].index("出生年份")
    assert sheet[1][year_column] == 1968
    assert member.birth_date.isoformat() not in text
    assert not any(isinstance(cell, datetime.date) for row in sheet for cell in row)
    for shown in (page, text):
        assert "1968-11-23" not in shown and "1968年11月23日" not in shown
    assert "1968" in page


@pytest.mark.parametrize(
    ("list_name", "make_row", "formula"),
    [
        ("household", lambda county: household_in(county, head_name="=1+1"), "=1+1"),
        ("labormodel", lambda county: LaborModelFactory(county=county, name="=1+1"), "=1+1"),
        (
            "employment",
            lambda county: EmploymentFactory(
                member=member_in(county), enterprise=None, employer_name="=HYPERLINK(1)"
            ),
            "=HYPERLINK(1)",
        ),
    ],
)
def test_exports_escape_cells_that_spreadsheets_would_run(
    client, county_a, county_a_clerk, list_name, make_row, formula
):
    make_row(county_a)
    client.force_login(county_a_clerk)
    url = reverse(f"cases:{list_name}_list")
    rows = list(csv.reader(io.StringIO(export_csv(client, url))))
    assert "'" + formula in rows[1]
    assert formula not in rows[1]
    sheet = export_xlsx(client, url)
    assert "'" + formula in sheet[1]
    assert formula not in sheet[1]


def test_money_is_exact_in_exports_and_grouped_on_the_page(client, county_a, county_a_clerk):
    make_industryproject(county_a, "大项目", funds="1234567.89")
    client.force_login(county_a_clerk)
    url = reverse("cases:industryproject_list")
    assert "1,234,567.89" in content(client.get(url))
    sheet = export_xlsx(client, url)
    funds_column = sheet[0].index(str(IndustryProject._meta.get_field("funds").verbose_name))
    assert sheet[1][funds_column] == pytest.approx(1234567.89)
    rows = list(csv.reader(io.StringIO(export_csv(client, url))))
    assert rows[1][funds_column] == "1234567.89"
