"""Submitting a record for the city's review: the compare-and-set transition, its review event
and history row, and the POST-only view that calls it."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from cases.choices import ReviewStatus
from cases.models import Household, Pairing, ReviewEvent
from cases.services import ReviewStepRefused, household_archive, record_submit
from tests.factories import (
    MemberFactory,
    PairingFactory,
    ReviewEventFactory,
)
from tests.support import set_status


def events_of(record):
    return ReviewEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    )


class TestRecordSubmit:
    def test_a_draft_becomes_submitted_with_an_event_and_a_history_row(
        self, household, county_a_clerk
    ):
        version, history_rows = household.version, household.history.count()

        submitted = record_submit(record=household, user=county_a_clerk)

        household.refresh_from_db()
        assert household.review_status == submitted.review_status == ReviewStatus.SUBMITTED
        assert household.version == version + 1
        [event] = events_of(household)
        assert event.action == ReviewEvent.Action.SUBMITTED
        assert (event.user, event.county, event.record) == (
            county_a_clerk, household.county, household
        )
        assert household.history.count() == history_rows + 1
        latest = household.history.first()
        assert latest.review_status == ReviewStatus.SUBMITTED
        assert latest.history_type == "~"
        assert latest.history_user == county_a_clerk
        assert latest.version == household.version

    def test_a_returned_record_is_resubmitted(self, household, county_a_clerk, city_reviewer):
        set_status(household, ReviewStatus.RETURNED)
        ReviewEventFactory(
            record=household, action="returned", comment="请补充致贫原因", user=city_reviewer
        )

        record_submit(record=household, user=county_a_clerk)

        household.refresh_from_db()
        assert household.review_status == ReviewStatus.SUBMITTED
        assert [e.action for e in events_of(household)] == ["resubmitted", "returned"]

    @pytest.mark.parametrize("status", [ReviewStatus.SUBMITTED, ReviewStatus.APPROVED])
    def test_a_submitted_or_approved_record_is_refused_and_nothing_changes(
        self, household, county_a_clerk, status
    ):
        set_status(household, status)
        before = Household.objects.filter(pk=household.pk).values().get()
        history_rows = household.history.count()

        with pytest.raises(ReviewStepRefused) as refused:
            record_submit(record=household, user=county_a_clerk)

        assert refused.value.messages == ["只有草稿或已退回的记录可以提交"]
        assert Household.objects.filter(pk=household.pk).values().get() == before
        assert not events_of(household).exists()
        assert household.history.count() == history_rows

    def test_two_submits_of_the_same_stale_instance_leave_exactly_one_event(
        self, household, county_a_clerk
    ):
        # Two tabs (or a double click) each holding the draft as loaded before either submit.
        stale = Household.objects.get(pk=household.pk)

        record_submit(record=stale, user=county_a_clerk)
        with pytest.raises(ReviewStepRefused):
            record_submit(record=stale, user=county_a_clerk)

        assert events_of(household).count() == 1
        household.refresh_from_db()
        assert household.version == stale.version + 1

    def test_any_reviewed_model_can_be_submitted(self, county_a, county_a_clerk):
        pairing = PairingFactory(household__village__township__county=county_a)
        record_submit(record=pairing, user=county_a_clerk)
        pairing.refresh_from_db()
        assert pairing.review_status == ReviewStatus.SUBMITTED
        assert events_of(pairing).get().county == county_a

    def test_only_staff_of_the_records_county_submit(
        self, household, county_b_clerk, city_reviewer, administrator
    ):
        for user in (county_b_clerk, city_reviewer, administrator):
            with pytest.raises(PermissionDenied):
                record_submit(record=household, user=user)
        household.refresh_from_db()
        assert household.review_status == ReviewStatus.DRAFT
        assert not events_of(household).exists()

    def test_an_archived_household_is_not_submitted(self, household, county_a_clerk):
        household_archive(household=household, user=county_a_clerk, reason="重复登记")
        with pytest.raises(ReviewStepRefused) as refused:
            record_submit(record=household, user=county_a_clerk)
        assert refused.value.code == "archived"
        household.refresh_from_db()
        assert household.review_status == ReviewStatus.DRAFT


def test_a_return_without_a_comment_is_refused_by_the_database(household, city_reviewer):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewEventFactory(record=household, action="returned", comment="", user=city_reviewer)


class TestSubmitView:
    def url(self, record):
        return reverse("cases:record_submit", args=[record._meta.model_name, record.pk])

    def test_county_staff_submit_and_go_back_to_the_records_page(
        self, client, household, county_a_clerk
    ):
        client.force_login(county_a_clerk)
        response = client.post(self.url(household), follow=True)
        assert response.redirect_chain == [(household.get_absolute_url(), 302)]
        assert "已提交市总工会审核。" in response.content.decode()
        household.refresh_from_db()
        assert household.review_status == ReviewStatus.SUBMITTED

    def test_a_pairing_goes_back_to_its_households_page(self, client, county_a, county_a_clerk):
        pairing = PairingFactory(household__village__township__county=county_a)
        client.force_login(county_a_clerk)
        response = client.post(self.url(pairing))
        assert response.url == pairing.household.get_absolute_url()
        assert Pairing.objects.get(pk=pairing.pk).review_status == ReviewStatus.SUBMITTED

    def test_a_second_submit_is_refused_with_a_message(self, client, household, county_a_clerk):
        client.force_login(county_a_clerk)
        client.post(self.url(household))
        response = client.post(self.url(household), follow=True)
        assert "只有草稿或已退回的记录可以提交" in response.content.decode()
        assert events_of(household).count() == 1

    def test_city_reviewers_get_403_and_nothing_changes(self, client, household, city_reviewer):
        client.force_login(city_reviewer)
        assert client.post(self.url(household)).status_code == 403
        household.refresh_from_db()
        assert household.review_status == ReviewStatus.DRAFT
        assert not events_of(household).exists()

    def test_another_county_gets_404_and_nothing_changes(self, client, household, county_b_clerk):
        client.force_login(county_b_clerk)
        assert client.post(self.url(household)).status_code == 404
        household.refresh_from_db()
        assert household.review_status == ReviewStatus.DRAFT

    def test_get_is_not_allowed(self, client, household, county_a_clerk):
        client.force_login(county_a_clerk)
        assert client.get(self.url(household)).status_code == 405

    def test_anonymous_users_are_sent_to_login(self, client, household):
        response = client.post(self.url(household))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    @pytest.mark.parametrize("model_name", ["member", "county", "user", "nonsense"])
    def test_models_that_are_not_reviewed_answer_404(
        self, client, county_a, county_a_clerk, model_name
    ):
        member = MemberFactory(household__village__township__county=county_a)
        client.force_login(county_a_clerk)
        url = reverse("cases:record_submit", args=[model_name, member.pk])
        assert client.post(url).status_code == 404

    def test_a_missing_record_answers_404(self, client, county_a_clerk):
        client.force_login(county_a_clerk)
        url = reverse("cases:record_submit", args=["household", 987654])
        assert client.post(url).status_code == 404


def test_submit_returns_to_a_local_next_page_but_never_to_another_site(client, county_a_clerk):
    pairing = PairingFactory(household__village__township__county=county_a_clerk.county)
    url = reverse("cases:record_submit", args=["pairing", pairing.pk])
    client.force_login(county_a_clerk)
    household_page = pairing.household.get_absolute_url()
    assert client.post(url, {"next": household_page}).url == household_page
    pairing.review_status = "draft"
    pairing.save()
    assert client.post(url, {"next": "https://evil.example/"}).url == pairing.get_absolute_url()
