"""One counting rule for every register (``cases.indicators.COUNTING_RULES``): help records and
helpers count when approved (or submitted, with the option), registered households and their
members whatever their review, in the figures and the trend alike; one percentage rounding for
the dashboard and the report; the rules on the dashboard's help page."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.choices import PovertyStatus, ReviewStatus
from cases.indicators import COUNTING_RULES, Period, compute_indicators, monthly_trend, percent
from tests.factories import (
    AdvancedCollectiveFactory,
    EmploymentFactory,
    EnterpriseFactory,
    FinanceAgreementFactory,
    HouseholdFactory,
    IndustryProjectFactory,
    LaborModelFactory,
    MemberFactory,
    PairingFactory,
    TrainingAttendanceFactory,
    TrainingSessionFactory,
)
from tests.surfaces import client_for

pytestmark = pytest.mark.django_db

APPROVED = ReviewStatus.APPROVED
AS_OF = Period(end=datetime.date(2018, 8, 31))
AS_OF_PARAMS = {"period": "as_of", "as_of": "2018-08-31"}


def figures(user, include_submitted=False):
    return compute_indicators(
        user=user, period=AS_OF, include_submitted=include_submitted
    ).totals()


def test_one_in_80_is_the_same_share_on_the_dashboard_and_in_the_report(
    county_a, city_reviewer
):
    models = [
        LaborModelFactory(county=county_a, in_service=True, is_local=True, review_status=APPROVED)
        for _ in range(80)
    ]
    PairingFactory(
        labor_model=models[0], household__village__township__county=county_a,
        household__review_status=APPROVED, review_status=APPROVED,
    )
    client = client_for(city_reviewer)
    dashboard = client.get(reverse("cases:dashboard"), AS_OF_PARAMS).context
    report = client.get(reverse("cases:report"), AS_OF_PARAMS).context
    # Half-even rounding would make 1.25 → 1.2 on one of them.
    assert dashboard["overall_rate"] == Decimal("1.3")
    assert dashboard["participation"][0]["rate"] == Decimal("1.3")
    assert report["city"]["figures"]["participating_share"] == Decimal("1.3")
    assert percent(1, 80) == Decimal("1.3")
    assert percent(1, 0) is None


def test_registered_people_count_whatever_their_households_review_their_help_only_approved(
    county_a, city_reviewer
):
    household = HouseholdFactory(
        village__township__county=county_a, status=PovertyStatus.EXITED,
        exit_date=datetime.date(2018, 6, 1), review_status=ReviewStatus.DRAFT,
    )
    member = MemberFactory(household=household)
    session = TrainingSessionFactory(
        county=county_a, held_on=datetime.date(2018, 3, 1), review_status=APPROVED
    )
    TrainingAttendanceFactory(session=session, member=member)
    job = EmploymentFactory(member=member, review_status=ReviewStatus.SUBMITTED)
    FinanceAgreementFactory(
        household=household, review_status=ReviewStatus.SUBMITTED, funds="1000.00"
    )

    def trend(include_submitted):
        months = monthly_trend(
            user=city_reviewer, period=Period(start=datetime.date(2018, 1, 1), end=AS_OF.end),
            include_submitted=include_submitted,
        )
        return sum(months["households_exited"]), sum(months["people_employed"])

    # The draft household's trained member and its exit count, by every figure and the trend.
    result = figures(city_reviewer)
    assert (result["people_trained"], result["people_trained_exited"]) == (1, 1)
    assert result["households_trained"] == 1
    # The submitted job and agreement only with the option, in the figures and the trend alike.
    assert (result["stable_employed"], result["finance_households"]) == (0, 0)
    assert result["finance_funds"] == 0
    assert trend(False) == (1, 0)
    result = figures(city_reviewer, include_submitted=True)
    assert (result["stable_employed"], result["finance_households"]) == (1, 1)
    assert result["finance_funds"] == Decimal("1000.00")
    assert trend(True) == (1, 1)
    job.review_status = ReviewStatus.RETURNED
    job.save()
    assert figures(city_reviewer, include_submitted=True)["stable_employed"] == 0


def test_helpers_count_only_approved(county_a, city_reviewer):
    household = HouseholdFactory(village__township__county=county_a, review_status=APPROVED)
    enterprise = EnterpriseFactory(county=county_a, review_status=ReviewStatus.DRAFT)
    FinanceAgreementFactory(enterprise=enterprise, household=household, review_status=APPROVED)
    collective = AdvancedCollectiveFactory(county=county_a, review_status=ReviewStatus.RETURNED)
    IndustryProjectFactory(
        county=county_a, enterprise=None, collective=collective, review_status=APPROVED
    )
    result = figures(city_reviewer)
    assert (result["finance_enterprises"], result["collectives_participating"]) == (0, 0)
    enterprise.review_status = collective.review_status = APPROVED
    enterprise.save()
    collective.save()
    result = figures(city_reviewer)
    assert (result["finance_enterprises"], result["collectives_participating"]) == (1, 1)


def test_the_help_page_states_every_rule_and_is_linked_from_the_dashboard(county_a_clerk):
    client = client_for(county_a_clerk)
    dashboard = client.get(reverse("cases:dashboard")).content.decode()
    assert reverse("cases:dashboard_help") in dashboard
    page = client.get(reverse("cases:dashboard_help")).content.decode()
    for register, rule in COUNTING_RULES:
        assert str(register) in page
        assert str(rule) in page
