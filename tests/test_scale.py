"""The synthetic data generator, the benchmark command, and the dashboard's snapshots kept
current with the records (issue #6)."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Q
from django.utils import timezone

from cases import models as m
from cases.choices import AidKind, ReviewStatus
from cases.indicators import Period, breakdowns, compute_indicators, monthly_trend
from cases.models import County, IndicatorSnapshot
from cases.services import household_archive, record_submit, records_bulk_approve
from cases.summaries import dashboard_data
from cases.validators import birth_date_from_id, sex_from_id, validate_resident_id
from tests.factories import LaborModelFactory
from tests.support import AS_OF, build_records

ASSISTANCE = (
    m.Pairing, m.TrainingSession, m.TrainingAttendance, m.IndustryProject,
    m.ProjectBeneficiary, m.Workshop, m.FinanceAgreement, m.DividendPayment, m.Employment,
    m.VolunteerEvent, m.MaterialAid,
)


@pytest.fixture
def generated(db):
    call_command("generate_data", households=120, counties=3, seed=7, stdout=StringIO())


class TestGenerator:
    def test_it_builds_every_kind_of_row_at_the_size_asked(self, generated):
        assert m.Household.objects.count() == 120
        assert County.objects.count() == 3
        assert m.UnionBody.objects.count() == 4  # the city's and one per county
        assert 250 <= m.Member.objects.count() <= 480  # one to five per household
        assert m.LaborModel.objects.count() >= 3
        for model in ASSISTANCE:
            assert model.objects.exists(), model.__name__
        assert set(m.MaterialAid.objects.values_list("kind", flat=True)) == set(AidKind.values)
        statuses = set(m.Household.objects.values_list("review_status", flat=True))
        assert ReviewStatus.APPROVED in statuses and len(statuses) > 1

    def test_id_numbers_are_valid_unique_and_agree_with_birth_date_and_sex(self, generated):
        members = list(m.Member.objects.all())
        numbers = [member.id_number for member in members]
        assert len(set(numbers)) == len(numbers)
        for member in members:
            validate_resident_id(member.id_number)
            assert member.birth_date == birth_date_from_id(member.id_number)
            assert member.sex == sex_from_id(member.id_number)
        for labor_model in m.LaborModel.objects.exclude(id_number=""):
            validate_resident_id(labor_model.id_number)
        # The encrypted column is searchable as the pages search it.
        member = members[0]
        assert list(m.Member.objects.filter(id_number=member.id_number)) == [member]

    def test_every_row_is_in_the_county_of_what_it_belongs_to(self, generated):
        derived = {
            m.Village: "township__county",
            m.Household: "village__county",
            m.Member: "household__county",
            m.TrainingAttendance: "session__county",
            m.ProjectBeneficiary: "project__county",
            m.Workshop: "enterprise__county",
            m.FinanceAgreement: "household__county",
            m.DividendPayment: "agreement__county",
            m.Employment: "member__county",
            m.VolunteerEvent: "team__county",
            m.MaterialAid: "household__county",
        }
        for model, path in derived.items():
            assert not model.objects.exclude(county=F(path)).exists(), model.__name__
        assert not m.Pairing.objects.exclude(
            Q(county=F("household__county")) | Q(county=F("village__county"))
        ).exists()
        # Helpers help in their own county.
        assert not m.Pairing.objects.filter(labor_model__isnull=False).exclude(
            county=F("labor_model__county")
        ).exists()
        assert not m.Employment.objects.filter(enterprise__isnull=False).exclude(
            county=F("enterprise__county")
        ).exists()

    def test_rows_pass_the_models_own_validation(self, generated):
        for model in (m.Household, m.Member, m.LaborModel, *ASSISTANCE):
            for row in model.objects.order_by("pk")[:5]:
                row.full_clean()

    def test_a_database_with_households_is_refused_unless_appending(self, generated):
        with pytest.raises(CommandError):
            call_command("generate_data", households=10, stdout=StringIO())
        call_command(
            "generate_data", households=30, counties=1, append=True, seed=8, stdout=StringIO()
        )
        assert m.Household.objects.count() == 150
        assert County.objects.count() == 4
        numbers = list(m.Member.objects.values_list("id_number_digest", flat=True))
        assert len(set(numbers)) == len(numbers)


def test_the_benchmark_runs_and_prints_every_operation(db):
    out = StringIO()
    call_command("bench", households=60, repeat=2, stdout=out)
    output = out.getvalue()
    for operation in (
        "household list, page 1", "household list, county + exited", "household list, page",
        "household list, search", "household case page", "labor-model page",
        "city dashboard, 2019 (snapshots)", "county dashboard, 2019 (recomputed)",
        "review queue", "export .csv",
    ):
        assert operation in output, operation
    assert "ratio" in output
    assert m.Household.objects.count() == 60


#
# Snapshots agree with the records
#


def assert_snapshots_current(user, period):
    """The dashboard's figures (from snapshots) equal the figures computed from the records."""
    data = dashboard_data(user=user, period=period)
    assert data.table.totals() == compute_indicators(user=user, period=period).totals()
    assert data.trend == monthly_trend(user=user, period=period)
    assert data.parts == breakdowns(user=user, period=period)
    return data


class TestSnapshotsFollowTheRecords:
    period = Period(end=AS_OF)

    def test_after_creates_edits_archives_and_reviews(
        self, county_a, county_b, county_a_clerk, county_b_clerk, city_reviewer
    ):
        build_records(county_a, 2)
        build_records(county_b, 1)
        first = assert_snapshots_current(city_reviewer, self.period)
        assert IndicatorSnapshot.objects.count() == 2
        assert first.table.totals()["labor_models"] == 3

        # Create: a labor model awarded before the period's end.
        new = LaborModelFactory(
            county=county_a, review_status=ReviewStatus.APPROVED, year_awarded=2010
        )
        data = assert_snapshots_current(city_reviewer, self.period)
        assert data.table.totals()["labor_models"] == 4

        # Edit: it moves out of the counted rows.
        new.review_status = ReviewStatus.DRAFT
        new.save()
        data = assert_snapshots_current(city_reviewer, self.period)
        assert data.table.totals()["labor_models"] == 3

        # Archive: a household whose members were trained stops counting.
        trained = m.Household.objects.filter(
            county=county_a, members__attendance__isnull=False, archived_at__isnull=True
        ).first()
        # A past period keeps it (it was registered then); as of today it no longer counts.
        before = data.table.totals()["people_trained"]
        today = Period(end=timezone.localdate())
        before_today = assert_snapshots_current(city_reviewer, today).table.totals()
        household_archive(household=trained, user=county_a_clerk, reason="户籍迁出")
        data = assert_snapshots_current(city_reviewer, self.period)
        assert data.table.totals()["people_trained"] == before
        after_today = assert_snapshots_current(city_reviewer, today).table.totals()
        assert after_today["people_trained"] < before_today["people_trained"]

        # Review: submissions, then the city's bulk approval, which sends no signals. Labor
        # models count once approved (registered households count whatever their review).
        for labor_model in LaborModelFactory.create_batch(2, county=county_b, year_awarded=2010):
            record_submit(record=labor_model, user=county_b_clerk)
        counted_before = dashboard_data(user=city_reviewer, period=self.period).table.totals()
        submitted = m.LaborModel.objects.filter(
            county=county_b, review_status=ReviewStatus.SUBMITTED
        )
        assert records_bulk_approve(records_queryset=submitted, user=city_reviewer) == 2
        data = assert_snapshots_current(city_reviewer, self.period)
        assert data.table.totals()["labor_models"] == counted_before["labor_models"] + 2

    def test_a_county_is_recomputed_only_when_its_own_records_change(
        self, county_a, county_b, city_reviewer
    ):
        build_records(county_a, 1)
        build_records(county_b, 1)
        dashboard_data(user=city_reviewer, period=self.period)
        stamps = dict(IndicatorSnapshot.objects.values_list("county_id", "computed_at"))
        LaborModelFactory(county=county_a, review_status=ReviewStatus.APPROVED)
        dashboard_data(user=city_reviewer, period=self.period)
        after = dict(IndicatorSnapshot.objects.values_list("county_id", "computed_at"))
        assert after[county_b.pk] == stamps[county_b.pk]
        assert after[county_a.pk] > stamps[county_a.pk]

    def test_the_page_says_when_its_figures_were_computed(self, client, county_a, city_reviewer):
        build_records(county_a, 1)
        client.force_login(city_reviewer)
        response = client.get("/dashboard/", {"period": "as_of", "as_of": "2018-08-31"})
        computed_at = IndicatorSnapshot.objects.get().computed_at
        assert b"data-computed-at" in response.content
        local = computed_at.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
        assert local.strftime("%Y-%m-%d %H:%M:%S").encode() in response.content

