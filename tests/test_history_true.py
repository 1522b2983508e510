"""Figures "as of" a past day read the households' standing on that day, from their dated
events: archiving a household today, or its 返贫 today, leaves the 2018-08-31 figures on every
surface as they were, while today's figures change. The events are written by every save
(form, service, import) and derived from history for existing households (migration 0013)."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from cases.choices import PovertyStatus, ReviewStatus
from cases.models import Household, HouseholdEvent
from cases.services import household_archive
from tests.factories import (
    EmploymentFactory,
    FinanceAgreementFactory,
    HouseholdFactory,
    MemberFactory,
    TrainingAttendanceFactory,
    TrainingSessionFactory,
)
from tests.forms import page_post_data
from tests.support import build_records
from tests.surfaces import assert_surfaces_agree, client_for, every_surface

pytestmark = pytest.mark.django_db

APPROVED = ReviewStatus.APPROVED
AS_OF_PARAMS = {"period": "as_of", "as_of": "2018-08-31"}
Kind = HouseholdEvent.Kind


def helped_household(county, exit_date=datetime.date(2018, 6, 1)):
    """An exited household whose member was trained in March 2018, employed and with an
    agreement: it counts in the 2018-08-31 figures."""
    household = HouseholdFactory(
        village__township__county=county, status=PovertyStatus.EXITED, exit_date=exit_date,
        review_status=APPROVED,
    )
    member = MemberFactory(household=household)
    session = TrainingSessionFactory(
        county=county, held_on=datetime.date(2018, 3, 1), review_status=APPROVED
    )
    TrainingAttendanceFactory(session=session, member=member)
    EmploymentFactory(member=member, review_status=APPROVED)
    FinanceAgreementFactory(household=household, review_status=APPROVED)
    return household


def test_archiving_and_returning_today_leave_the_2018_figures_unchanged_everywhere(
    county_a, county_b, city_reviewer, county_a_clerk, county_b_clerk
):
    build_records(county_a, 1)
    build_records(county_b, 1)
    archived = helped_household(county_a)
    returned = helped_household(county_b)
    clerks = [county_a_clerk, county_b_clerk]
    counties = [county_a, county_b]
    in_2018 = every_surface(city_reviewer, clerks, counties, AS_OF_PARAMS)
    today = every_surface(city_reviewer, clerks, counties)
    assert_surfaces_agree(in_2018)

    household_archive(household=archived, user=county_a_clerk, reason="户籍迁出")
    editor = client_for(county_b_clerk)
    url = reverse("cases:household_edit", args=[returned.pk])
    response = editor.post(url, page_post_data(editor.get(url), status=PovertyStatus.RETURNED))
    assert response.status_code == 302, response.context["form"].errors
    returned.refresh_from_db()
    assert returned.status == PovertyStatus.RETURNED

    assert every_surface(city_reviewer, clerks, counties, AS_OF_PARAMS) == in_2018
    now = every_surface(city_reviewer, clerks, counties)
    assert_surfaces_agree(now)
    city, later = today["json"]["city"], now["json"]["city"]
    assert later["people_trained"] == city["people_trained"] - 1  # the archived one's member
    assert later["people_trained_exited"] == city["people_trained_exited"] - 2
    assert later["finance_households"] == city["finance_households"] - 1


def test_a_household_that_returned_before_the_day_is_not_exited_on_it(county_a, city_reviewer):
    from cases.indicators import Period, compute_indicators

    household = helped_household(county_a, exit_date=datetime.date(2018, 4, 10))
    before = household.standing()
    Household.objects.filter(pk=household.pk).update(status=PovertyStatus.RETURNED)
    household.status = PovertyStatus.RETURNED
    HouseholdEvent.objects.record([(household, before)], changed_on=datetime.date(2018, 7, 1))
    # Exited again in 2019: exited on days from then on, not in between.
    household.refresh_from_db()
    household.status, household.exit_date = PovertyStatus.EXITED, datetime.date(2019, 3, 1)
    household.save()

    def exited_on(day):
        table = compute_indicators(user=city_reviewer, period=Period(end=day))
        return table.total("people_trained_exited")

    assert exited_on(datetime.date(2018, 6, 30)) == 1
    assert exited_on(datetime.date(2018, 8, 31)) == 0
    assert exited_on(datetime.date(2019, 3, 1)) == 1


class TestEvents:
    def kinds(self, household):
        return [(e.kind, e.on) for e in household.events.order_by("on", "id")]

    def test_each_save_records_what_changed_and_when(self, county_a, county_a_clerk):
        today = timezone.localdate()
        household = HouseholdFactory(village__township__county=county_a)
        assert self.kinds(household) == []
        household.status, household.exit_date = PovertyStatus.EXITED, datetime.date(2018, 6, 1)
        household.save()
        # A corrected exit date replaces the exit, rather than adding a second one.
        household.exit_date = datetime.date(2018, 5, 1)
        household.save()
        household.status = PovertyStatus.RETURNED
        household.save()
        household_archive(household=household, user=county_a_clerk, reason="重复登记")
        assert self.kinds(household) == [
            (Kind.EXITED, datetime.date(2018, 5, 1)),
            (Kind.RETURNED, today),
            (Kind.ARCHIVED, today),
        ]

    def test_an_edit_that_does_not_touch_the_standing_records_nothing(self, county_a):
        household = HouseholdFactory(
            village__township__county=county_a, status=PovertyStatus.EXITED,
            exit_date=datetime.date(2018, 6, 1),
        )
        household = Household.objects.get(pk=household.pk)
        household.phone = "13800000000"
        household.save()
        assert self.kinds(household) == [(Kind.EXITED, datetime.date(2018, 6, 1))]

    def test_the_migration_derives_the_events_from_history(self, county_a):
        household = HouseholdFactory(
            village__township__county=county_a, status=PovertyStatus.EXITED,
            exit_date=datetime.date(2017, 12, 20),
        )
        household = Household.objects.get(pk=household.pk)
        household.status = PovertyStatus.RETURNED
        household.save()
        # Registered exited in December 2017, returned to poverty on 2018-04-02.
        household.history.update(history_date=timezone.make_aware(datetime.datetime(2017, 12, 21)))
        latest = household.history.order_by("-history_id").first()
        latest.history_date = timezone.make_aware(datetime.datetime(2018, 4, 2, 9))
        latest.save()
        untracked = HouseholdFactory(
            village__township__county=county_a, status=PovertyStatus.EXITED,
            exit_date=datetime.date(2018, 2, 1),
        )
        untracked.history.all().delete()
        HouseholdEvent.objects.all().delete()

        migration = importlib.import_module("cases.migrations.0014_household_events")
        migration.backfill_events(apps, None)

        assert self.kinds(household) == [
            (Kind.EXITED, datetime.date(2017, 12, 20)),
            (Kind.RETURNED, datetime.date(2018, 4, 2)),
        ]
        assert self.kinds(untracked) == [(Kind.EXITED, datetime.date(2018, 2, 1))]
