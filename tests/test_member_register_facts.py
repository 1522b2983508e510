"""The national register's facts of a member (人编号, 在校生状况, 务工时间(月), 参加大病医疗),
kept by the import, are on the member rows of the household form and on the household's page."""

import pytest
from django.urls import reverse

from cases.choices import SchoolStatus
from tests.factories import HouseholdFactory, MemberFactory
from tests.forms import page_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(county_a):
    household = HouseholdFactory(village__township__county=county_a)
    return MemberFactory(household=household, relation="head", name="刘建国")


def test_the_member_rows_of_the_household_form_edit_the_register_facts(
    client, county_a_clerk, member
):
    url = reverse("cases:household_edit", args=[member.household_id])
    client.force_login(county_a_clerk)
    page = client.get(url)
    for name in ("person_number", "school_status", "work_months", "serious_illness_insurance"):
        assert f'name="members-0-{name}"' in page.content.decode()

    response = client.post(url, page_post_data(page, **{
        "members-0-person_number": "P00000001", "members-0-school_status": "grade_8",
        "members-0-work_months": "6", "members-0-serious_illness_insurance": "true",
    }))

    assert response.status_code == 302, response.context["formset"].errors
    member.refresh_from_db()
    assert (member.person_number, member.school_status, member.work_months) == (
        "P00000001", SchoolStatus.GRADE_8, 6
    )
    assert member.serious_illness_insurance is True


def test_a_register_fact_out_of_range_is_a_field_error(client, county_a_clerk, member):
    url = reverse("cases:household_edit", args=[member.household_id])
    client.force_login(county_a_clerk)

    response = client.post(
        url, page_post_data(client.get(url), **{"members-0-work_months": "13"})
    )

    assert response.status_code == 200
    assert "work_months" in response.context["formset"].forms[0].errors
    member.refresh_from_db()
    assert member.work_months is None


def test_unknown_insurance_stays_unknown(client, county_a_clerk, member):
    url = reverse("cases:household_edit", args=[member.household_id])
    client.force_login(county_a_clerk)

    response = client.post(url, page_post_data(client.get(url), **{
        "members-0-serious_illness_insurance": "unknown", "members-0-phone": "13811112222",
    }))

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.serious_illness_insurance is None and member.phone == "13811112222"


@pytest.mark.parametrize("language, words", [
    ("zh-hans", ["人编号 P00000001", "八年级", "6 个月", "参加大病医疗:否"]),
    ("en", ["person number P00000001", "Grade 8", "6 months",
               "covered by serious-illness insurance:no"]),
])
def test_the_household_page_shows_the_register_facts(
    client, county_a_clerk, member, language, words
):
    member.person_number, member.school_status = "P00000001", SchoolStatus.GRADE_8
    member.work_months, member.serious_illness_insurance = 6, False
    member.save()
    client.force_login(county_a_clerk)
    client.cookies["django_language"] = language

    page = client.get(reverse("cases:household_detail", args=[member.household_id]))

    content = page.content.decode()
    for word in words:
        assert word in content
