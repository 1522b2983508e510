"""The indicator definitions (docs/figures.md) on small, hand-built cases: each test
builds records whose right answer is obvious, including the edge cases the definitions exist
for, and checks the figure."""

import ast
import datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.choices import PovertyStatus, ReviewStatus
from cases.indicators import Period, compute_indicators
from cases.models import Household, HouseholdEvent
from tests.factories import (
    EmploymentFactory,
    FinanceAgreementFactory,
    HouseholdFactory,
    IndustryProjectFactory,
    LaborModelFactory,
    MemberFactory,
    PairingFactory,
    ProjectBeneficiaryFactory,
    TrainingAttendanceFactory,
    TrainingSessionFactory,
)

APPROVED = ReviewStatus.APPROVED
AS_OF = Period(end=datetime.date(2018, 8, 31))


def figures(user, period=AS_OF, **kwargs):
    return compute_indicators(user=user, period=period, **kwargs).totals()


def exited_member(county, exit_date):
    household = HouseholdFactory(
        village__township__county=county,
        status=PovertyStatus.EXITED,
        exit_date=exit_date,
        review_status=APPROVED,
    )
    return MemberFactory(household=household)


def session(county, held_on, status=APPROVED):
    return TrainingSessionFactory(county=county, held_on=held_on, review_status=status)


def attend_march_training(county, member):
    TrainingAttendanceFactory(session=session(county, datetime.date(2018, 3, 1)), member=member)


class TestTraining:
    def test_a_person_trained_twice_is_counted_once(self, county_a, city_reviewer):
        member = MemberFactory(household__village__township__county=county_a)
        for day in (datetime.date(2018, 3, 1), datetime.date(2018, 5, 1)):
            TrainingAttendanceFactory(session=session(county_a, day), member=member)
        result = figures(city_reviewer)
        assert result["training_sessions"] == 2
        assert result["people_trained"] == 1

    def test_exited_counts_only_exits_on_or_after_the_first_training(
        self, county_a, city_reviewer
    ):
        trained_on = datetime.date(2018, 3, 1)
        cases = {
            "exit after training": exited_member(county_a, datetime.date(2018, 6, 1)),
            "exit on the training day": exited_member(county_a, trained_on),
            "exit before training": exited_member(county_a, datetime.date(2018, 1, 1)),
            "exit after the period": exited_member(county_a, datetime.date(2018, 12, 1)),
        }
        training = session(county_a, trained_on)
        for member in cases.values():
            TrainingAttendanceFactory(session=training, member=member)
        result = figures(city_reviewer)
        assert result["people_trained"] == 4
        assert result["people_trained_exited"] == 2

    def test_returned_to_poverty_is_not_exited_from_its_return_on(self, county_a, city_reviewer):
        """返贫 today: not exited today, still exited on a past day (as it was then)."""
        member = exited_member(county_a, datetime.date(2018, 6, 1))
        attend_march_training(county_a, member)
        member.household.status = PovertyStatus.RETURNED
        member.household.save()
        today = Period(end=timezone.localdate())
        assert figures(city_reviewer, today)["people_trained_exited"] == 0
        assert figures(city_reviewer)["people_trained_exited"] == 1

    def test_returned_before_the_day_is_not_exited_on_it(self, county_a, city_reviewer):
        member = exited_member(county_a, datetime.date(2018, 6, 1))
        attend_march_training(county_a, member)
        household = member.household
        before = household.standing()
        household.status = PovertyStatus.RETURNED
        Household.objects.filter(pk=household.pk).update(status=PovertyStatus.RETURNED)
        HouseholdEvent.objects.record([(household, before)], changed_on=datetime.date(2018, 7, 1))
        assert figures(city_reviewer)["people_trained_exited"] == 0
        assert figures(city_reviewer, Period(end=datetime.date(2018, 6, 30)))[
            "people_trained_exited"
        ] == 1

    def test_archived_households_and_unapproved_sessions_do_not_count(
        self, county_a, city_reviewer
    ):
        archived = MemberFactory(household__village__township__county=county_a)
        archived.household.archived_at = timezone.make_aware(datetime.datetime(2018, 8, 31, 23))
        archived.household.save()
        attend_march_training(county_a, archived)
        for status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED, ReviewStatus.SUBMITTED):
            TrainingAttendanceFactory(
                session=session(county_a, datetime.date(2018, 3, 1), status),
                member=MemberFactory(household__village__township__county=county_a),
            )
        result = figures(city_reviewer)
        assert result["training_sessions"] == 1
        assert result["people_trained"] == 0
        with_submitted = figures(city_reviewer, include_submitted=True)
        assert with_submitted["training_sessions"] == 2
        assert with_submitted["people_trained"] == 1

    def test_a_period_counts_only_its_own_sessions(self, county_a, city_reviewer):
        member = MemberFactory(household__village__township__county=county_a)
        for day in (datetime.date(2017, 11, 1), datetime.date(2018, 2, 1)):
            TrainingAttendanceFactory(session=session(county_a, day), member=member)
        year_2018 = Period(start=datetime.date(2018, 1, 1), end=datetime.date(2018, 12, 31))
        assert figures(city_reviewer, year_2018)["training_sessions"] == 1
        assert figures(city_reviewer, AS_OF)["training_sessions"] == 2


class TestScope:
    def test_county_staff_get_their_county_and_the_city_gets_the_sum(
        self, county_a, county_b, county_a_clerk, city_reviewer, no_role_user
    ):
        for county, people in ((county_a, 2), (county_b, 3)):
            training = session(county, datetime.date(2018, 3, 1))
            for _ in range(people):
                TrainingAttendanceFactory(
                    session=training,
                    member=MemberFactory(household__village__township__county=county),
                )
        assert figures(county_a_clerk)["people_trained"] == 2
        table = compute_indicators(user=city_reviewer, period=AS_OF)
        assert table.value(county_b.pk, "people_trained") == 3
        assert table.total("people_trained") == 5
        assert figures(no_role_user)["people_trained"] == 0


class TestLaborModels:
    def test_levels_stock_and_participation(self, county_a, city_reviewer):
        LaborModelFactory(county=county_a, honour_level="national", review_status=APPROVED)
        LaborModelFactory(county=county_a, year_awarded=2019, review_status=APPROVED)
        LaborModelFactory(county=county_a, in_service=False, review_status=APPROVED)
        pairing_statuses = {
            "active": None,
            "ended before the date": datetime.date(2018, 7, 1),
            "ends after the date": datetime.date(2019, 1, 1),
        }
        for end_date in pairing_statuses.values():
            model = LaborModelFactory(county=county_a, review_status=APPROVED)
            PairingFactory(
                labor_model=model,
                household__village__township__county=county_a,
                start_date=datetime.date(2018, 6, 1),
                end_date=end_date,
                review_status=APPROVED,
            )
        result = figures(city_reviewer)
        assert result["labor_models"] == 5
        assert result["labor_models_national"] == 1
        assert result["labor_models_in_service_local"] == 4
        assert result["labor_models_participating"] == 2


class TestProjectsFinanceAndJobs:
    def test_money_is_summed_exactly_and_households_counted_once(self, county_a, city_reviewer):
        household = HouseholdFactory(village__township__county=county_a)
        for funds in ("1000000.10", "2500000.25"):
            FinanceAgreementFactory(
                household=household, funds=funds, review_status=APPROVED,
                enterprise__review_status=APPROVED,
                signed_on=datetime.date(2018, 1, int(funds[0])),
            )
        IndustryProjectFactory(county=county_a, funds="71278500.05", review_status=APPROVED)
        result = figures(city_reviewer)
        assert result["finance_households"] == 1
        assert result["finance_enterprises"] == 2
        assert result["finance_funds"] == Decimal("3500000.35")
        assert result["enterprise_projects"] == 1
        assert result["enterprise_project_funds"] == Decimal("71278500.05")

    def test_project_beneficiaries_exited_after_joining(self, county_a, city_reviewer):
        project = IndustryProjectFactory(county=county_a, review_status=APPROVED)
        joined = datetime.date(2018, 4, 1)
        for exit_date in (datetime.date(2018, 5, 1), datetime.date(2018, 3, 1)):
            ProjectBeneficiaryFactory(
                project=project, member=exited_member(county_a, exit_date), since=joined
            )
        result = figures(city_reviewer)
        assert result["project_beneficiaries"] == 2
        assert result["project_beneficiaries_exited"] == 1

    def test_stable_employment_is_a_job_held_on_the_date(self, county_a, city_reviewer):
        def job(**kwargs):
            member = MemberFactory(household__village__township__county=county_a)
            return EmploymentFactory(member=member, review_status=APPROVED, **kwargs)

        held = job()
        job(ended_on=datetime.date(2018, 8, 1))
        job(is_stable=False)
        job(started_on=datetime.date(2018, 9, 1))
        EmploymentFactory(member=held.member, review_status=APPROVED)
        assert figures(city_reviewer)["stable_employed"] == 1


def test_the_query_count_does_not_grow_with_the_records(county_a, city_reviewer):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            compute_indicators(user=city_reviewer, period=AS_OF)
        return len(queries)

    def add_records(n):
        for _ in range(n):
            member = MemberFactory(household__village__township__county=county_a)
            attend_march_training(county_a, member)
            EmploymentFactory(member=member, review_status=APPROVED)

    add_records(2)
    few = count_queries()
    add_records(20)
    assert count_queries() == few


def test_no_model_imports_the_indicators():
    """The indicators count the models, so a model importing them would be an import circle."""
    for path in (Path(settings.BASE_DIR) / "cases" / "models").glob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {
            node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        } | {
            alias.name
            for node in ast.walk(tree) if isinstance(node, ast.Import)
            for alias in node.names
        }
        assert not {name for name in imported if name and name.startswith("cases.indicators")}, (
            path.name
        )
