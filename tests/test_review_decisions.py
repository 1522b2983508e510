"""The city's side of the review: approving and returning submitted records (the services and
their POST-only views), approving a filtered selection in bulk, the review queue, and what the
county sees of a return."""

import datetime

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.choices import ReviewStatus
from cases.kinds import REVIEWED_MODELS
from cases.models import Household, ReviewedRecord, ReviewEvent
from cases.services import (
    ReviewStepRefused,
    household_archive,
    record_approve,
    record_return,
    record_submit,
    records_bulk_approve,
)
from tests.factories import (
    EmploymentFactory,
    HouseholdFactory,
    LaborModelFactory,
    PairingFactory,
    UserFactory,
    VillageFactory,
)
from tests.support import set_status, sign_in, submitted_household

RETURN_COMMENT = "请补充致贫原因的证明材料"
COMMENT_REQUIRED = "退回修改时须填写审核意见。"


def events_of(record):
    return ReviewEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    )


def stored(record):
    return type(record).objects.filter(pk=record.pk).values().get()


def warm_content_type_cache():
    """``ContentType.objects.get_for_model`` queries once per model while its cache is cold;
    warm it so query counts compare the pages, not the cache."""
    ContentType.objects.get_for_models(*REVIEWED_MODELS)


@pytest.fixture
def household(county_a, county_a_clerk):
    return submitted_household(county_a, county_a_clerk)


@pytest.fixture
def second_reviewer(db):
    return UserFactory(username="reviewer2", role="city_reviewer", county=None)


#
# Services
#


class TestRecordApprove:
    def test_a_submitted_record_is_approved_with_one_event_and_one_history_row(
        self, household, city_reviewer
    ):
        version, history_rows = household.version, household.history.count()

        approved = record_approve(record=household, user=city_reviewer)

        household.refresh_from_db()
        assert household.review_status == approved.review_status == ReviewStatus.APPROVED
        assert household.version == version + 1
        [event] = events_of(household).filter(action=ReviewEvent.Action.APPROVED)
        assert (event.user, event.county, event.comment) == (city_reviewer, household.county, "")
        assert events_of(household).count() == 2  # the county's submit, and this decision
        assert household.history.count() == history_rows + 1
        latest = household.history.first()
        assert (latest.review_status, latest.history_type, latest.history_user) == (
            ReviewStatus.APPROVED, "~", city_reviewer
        )
        assert latest.version == household.version

    @pytest.mark.parametrize(
        "status", [ReviewStatus.DRAFT, ReviewStatus.APPROVED, ReviewStatus.RETURNED]
    )
    def test_only_a_submitted_record_is_approved_and_nothing_else_changes(
        self, household, city_reviewer, status
    ):
        set_status(household, status)
        before, history_rows = stored(household), household.history.count()
        events = events_of(household).count()

        with pytest.raises(ReviewStepRefused) as refused:
            record_approve(record=household, user=city_reviewer)

        assert refused.value.code == "not_submitted"
        label = ReviewStatus(status).label
        assert refused.value.messages == [
            f"该记录当前状态为“{label}”,只有待审核的记录可以审核通过或退回。"
        ]
        assert stored(household) == before
        assert events_of(household).count() == events
        assert household.history.count() == history_rows

    def test_two_reviewers_approving_the_same_stale_instance_change_it_once(
        self, household, city_reviewer, second_reviewer
    ):
        # Both opened the queue while the record was submitted.
        stale = Household.objects.get(pk=household.pk)

        record_approve(record=stale, user=city_reviewer)
        with pytest.raises(ReviewStepRefused) as refused:
            record_approve(record=stale, user=second_reviewer)

        assert "已审核" in refused.value.messages[0]
        [event] = events_of(household).filter(action=ReviewEvent.Action.APPROVED)
        assert event.user == city_reviewer
        household.refresh_from_db()
        assert household.version == stale.version + 1

    def test_approving_then_returning_the_same_stale_instance_keeps_the_approval(
        self, household, city_reviewer, second_reviewer
    ):
        stale = Household.objects.get(pk=household.pk)
        record_approve(record=stale, user=city_reviewer)
        with pytest.raises(ReviewStepRefused):
            record_return(record=stale, user=second_reviewer, comment=RETURN_COMMENT)
        household.refresh_from_db()
        assert household.review_status == ReviewStatus.APPROVED
        assert not events_of(household).filter(action=ReviewEvent.Action.RETURNED).exists()

    def test_only_city_reviewers_decide(
        self, household, county_a_clerk, county_b_clerk, administrator, no_role_user
    ):
        before = stored(household)
        for user in (county_a_clerk, county_b_clerk, administrator, no_role_user):
            with pytest.raises(PermissionDenied):
                record_approve(record=household, user=user)
            with pytest.raises(PermissionDenied):
                record_return(record=household, user=user, comment=RETURN_COMMENT)
        assert stored(household) == before
        assert events_of(household).count() == 1

    def test_an_archived_record_is_not_decided(self, household, county_a_clerk, city_reviewer):
        household_archive(household=household, user=county_a_clerk, reason="重复登记")
        with pytest.raises(ReviewStepRefused) as refused:
            record_approve(record=household, user=city_reviewer)
        assert refused.value.code == "archived"
        household.refresh_from_db()
        assert household.review_status == ReviewStatus.SUBMITTED

    def test_any_reviewed_model_is_decided(self, county_a, county_a_clerk, city_reviewer):
        pairing = PairingFactory(household__village__township__county=county_a)
        employment = EmploymentFactory(member__household__village__township__county=county_a)
        for record in (pairing, employment):
            record_submit(record=record, user=county_a_clerk)
        record_approve(record=pairing, user=city_reviewer)
        record_return(record=employment, user=city_reviewer, comment=RETURN_COMMENT)
        pairing.refresh_from_db()
        employment.refresh_from_db()
        assert pairing.review_status == ReviewStatus.APPROVED
        assert employment.review_status == ReviewStatus.RETURNED
        assert events_of(employment).get(action="returned").county == county_a


class TestRecordReturn:
    def test_a_submitted_record_is_returned_with_the_comment(self, household, city_reviewer):
        history_rows = household.history.count()

        returned = record_return(
            record=household, user=city_reviewer, comment=f"  {RETURN_COMMENT}\n"
        )

        household.refresh_from_db()
        assert household.review_status == returned.review_status == ReviewStatus.RETURNED
        [event] = events_of(household).filter(action=ReviewEvent.Action.RETURNED)
        assert (event.comment, event.user, event.county) == (
            RETURN_COMMENT, city_reviewer, household.county
        )
        assert household.history.count() == history_rows + 1
        assert household.history.first().review_status == ReviewStatus.RETURNED

    @pytest.mark.parametrize("comment", ["", "   \n ", None])
    def test_a_return_without_a_comment_is_refused_in_chinese(
        self, household, city_reviewer, comment
    ):
        before, history_rows = stored(household), household.history.count()

        with pytest.raises(ValidationError) as refused:
            record_return(record=household, user=city_reviewer, comment=comment)

        assert not isinstance(refused.value, ReviewStepRefused)
        assert refused.value.messages == [COMMENT_REQUIRED]
        assert refused.value.code == "comment_required"
        assert stored(household) == before
        assert events_of(household).count() == 1
        assert household.history.count() == history_rows

    @pytest.mark.parametrize(
        "status", [ReviewStatus.DRAFT, ReviewStatus.APPROVED, ReviewStatus.RETURNED]
    )
    def test_only_a_submitted_record_is_returned(self, household, city_reviewer, status):
        set_status(household, status)
        before = stored(household)
        with pytest.raises(ReviewStepRefused):
            record_return(record=household, user=city_reviewer, comment=RETURN_COMMENT)
        assert stored(household) == before
        assert not events_of(household).filter(action=ReviewEvent.Action.RETURNED).exists()

    def test_a_returned_record_resubmitted_can_be_decided_again(
        self, household, county_a_clerk, city_reviewer
    ):
        record_return(record=household, user=city_reviewer, comment=RETURN_COMMENT)
        record_submit(record=household, user=county_a_clerk)
        record_approve(record=household, user=city_reviewer)
        assert [e.action for e in events_of(household)] == [
            "approved", "resubmitted", "returned", "submitted"
        ]


class TestRecordsBulkApprove:
    def test_approves_only_the_submitted_rows_of_the_selection(
        self, county_a, county_b, county_a_clerk, county_b_clerk, city_reviewer
    ):
        mine = [submitted_household(county_a, county_a_clerk) for _ in range(3)]
        draft = HouseholdFactory(village__township__county=county_a)
        returned = submitted_household(county_a, county_a_clerk)
        record_return(record=returned, user=city_reviewer, comment=RETURN_COMMENT)
        other_county = submitted_household(county_b, county_b_clerk)
        history_rows = {h.pk: h.history.count() for h in mine}

        approved = records_bulk_approve(
            records_queryset=Household.objects.filter(county=county_a), user=city_reviewer
        )

        assert approved == 3
        for household in mine:
            household.refresh_from_db()
            assert household.review_status == ReviewStatus.APPROVED
            assert household.version == 3  # created 1, submitted 2, approved 3
            [event] = events_of(household).filter(action="approved")
            assert (event.user, event.county) == (city_reviewer, county_a)
            assert household.history.count() == history_rows[household.pk] + 1
            latest = household.history.first()
            assert (latest.review_status, latest.history_user, latest.version) == (
                ReviewStatus.APPROVED, city_reviewer, household.version
            )
        for untouched, status in (
            (draft, ReviewStatus.DRAFT),
            (returned, ReviewStatus.RETURNED),
            (other_county, ReviewStatus.SUBMITTED),
        ):
            untouched.refresh_from_db()
            assert untouched.review_status == status
            assert not events_of(untouched).filter(action="approved").exists()

    def test_archived_rows_are_left_alone(self, county_a, county_a_clerk, city_reviewer):
        archived = submitted_household(county_a, county_a_clerk)
        household_archive(household=archived, user=county_a_clerk, reason="重复登记")
        assert records_bulk_approve(
            records_queryset=Household.objects.all(), user=city_reviewer
        ) == 0
        archived.refresh_from_db()
        assert archived.review_status == ReviewStatus.SUBMITTED

    def test_an_empty_selection_approves_nothing(self, city_reviewer, db):
        assert records_bulk_approve(
            records_queryset=Household.objects.none(), user=city_reviewer
        ) == 0

    def test_only_city_reviewers_bulk_approve(
        self, household, county_a_clerk, administrator
    ):
        for user in (county_a_clerk, administrator):
            with pytest.raises(PermissionDenied):
                records_bulk_approve(records_queryset=Household.objects.all(), user=user)
        household.refresh_from_db()
        assert household.review_status == ReviewStatus.SUBMITTED


def test_every_reviewed_model_is_in_the_queue():
    """The queue and the counts go through REVIEWED_MODELS; a new reviewed model missing from
    it would never reach the city."""
    reviewed = {
        model for model in apps.get_app_config("cases").get_models()
        if issubclass(model, ReviewedRecord)
    }
    assert set(REVIEWED_MODELS) == reviewed


#
# Views: approve, return, bulk approve
#


def approve_url(record):
    return reverse("cases:record_approve", args=[record._meta.model_name, record.pk])


def return_url(record):
    return reverse("cases:record_return", args=[record._meta.model_name, record.pk])


@pytest.fixture
def queue_url():
    return reverse("cases:review_queue")


@pytest.fixture
def bulk_url():
    return reverse("cases:review_bulk_approve")


class TestDecisionViews:
    def test_a_reviewer_approves_and_goes_back_to_the_queue(
        self, client, household, city_reviewer, queue_url
    ):
        client.force_login(city_reviewer)
        response = client.post(approve_url(household), {"next": f"{queue_url}?page=2"})
        assert response.status_code == 302
        assert response.url == f"{queue_url}?page=2"
        household.refresh_from_db()
        assert household.review_status == ReviewStatus.APPROVED
        assert events_of(household).filter(action="approved").count() == 1

    def test_an_outside_next_is_ignored(self, client, household, city_reviewer, queue_url):
        client.force_login(city_reviewer)
        response = client.post(approve_url(household), {"next": "https://evil.example/"})
        assert response.url == queue_url

    def test_a_reviewer_returns_with_a_comment(self, client, household, city_reviewer):
        client.force_login(city_reviewer)
        response = client.post(return_url(household), {"comment": RETURN_COMMENT}, follow=True)
        assert "已退回县区修改" in response.content.decode()
        household.refresh_from_db()
        assert household.review_status == ReviewStatus.RETURNED
        assert events_of(household).get(action="returned").comment == RETURN_COMMENT

    def test_a_return_without_a_comment_is_refused_with_a_message(
        self, client, household, city_reviewer
    ):
        client.force_login(city_reviewer)
        response = client.post(return_url(household), {"comment": "  "}, follow=True)
        page = response.content.decode()
        # At the top of the page, where app.js moves the focus.
        message = page[page.index("data-error-message"):]
        assert message.index(COMMENT_REQUIRED) < message.index("</div>")
        assert page.index("data-error-message") < page.index('name="comment"')
        household.refresh_from_db()
        assert household.review_status == ReviewStatus.SUBMITTED

    def test_the_second_reviewer_is_told_and_nothing_changes(
        self, client, household, city_reviewer, second_reviewer
    ):
        client.force_login(city_reviewer)
        client.post(approve_url(household))
        client.force_login(second_reviewer)
        response = client.post(approve_url(household), follow=True)
        assert "只有待审核的记录可以审核通过或退回" in response.content.decode()
        assert events_of(household).filter(action="approved").count() == 1

    def test_a_draft_is_not_approved(self, client, county_a, city_reviewer):
        draft = HouseholdFactory(village__township__county=county_a)
        client.force_login(city_reviewer)
        client.post(approve_url(draft))
        draft.refresh_from_db()
        assert draft.review_status == ReviewStatus.DRAFT
        assert not events_of(draft).exists()

    @pytest.mark.parametrize("user_fixture", ["county_a_clerk", "county_b_clerk", "administrator"])
    def test_others_get_403_and_nothing_changes(
        self, client, request, household, user_fixture, queue_url, bulk_url
    ):
        sign_in(client, request.getfixturevalue(user_fixture))
        before = stored(household)
        assert client.post(approve_url(household)).status_code == 403
        assert client.post(return_url(household), {"comment": "x"}).status_code == 403
        assert client.post(bulk_url).status_code == 403
        assert client.get(queue_url).status_code == 403
        assert stored(household) == before
        assert events_of(household).count() == 1

    def test_anonymous_users_are_sent_to_login(self, client, household, queue_url, bulk_url):
        for response in (
            client.post(approve_url(household)),
            client.post(return_url(household), {"comment": "x"}),
            client.post(bulk_url),
            client.get(queue_url),
        ):
            assert response.status_code == 302
            assert response.url.startswith(reverse("login"))
        household.refresh_from_db()
        assert household.review_status == ReviewStatus.SUBMITTED

    def test_get_is_not_allowed(self, client, household, city_reviewer, bulk_url):
        client.force_login(city_reviewer)
        assert client.get(approve_url(household)).status_code == 405
        assert client.get(return_url(household)).status_code == 405
        assert client.get(bulk_url).status_code == 405

    @pytest.mark.parametrize(
        "model_name, pk", [("household", 987654), ("member", 1), ("user", 1), ("nonsense", 1)]
    )
    def test_missing_records_and_unreviewed_models_answer_404(
        self, client, city_reviewer, model_name, pk
    ):
        client.force_login(city_reviewer)
        for name in ("cases:record_approve", "cases:record_return"):
            assert client.post(reverse(name, args=[model_name, pk])).status_code == 404


class TestBulkApproveView:
    def test_approves_the_filtered_selection_only_in_constant_queries(
        self, client, county_a, county_b, county_a_clerk, county_b_clerk, city_reviewer,
        bulk_url, queue_url,
    ):
        village_a = VillageFactory(township__county=county_a)
        village_b = VillageFactory(township__county=county_b)

        def make(count):
            households = [
                record_submit(record=HouseholdFactory(village=village_a), user=county_a_clerk)
                for _ in range(count)
            ]
            drafts = [HouseholdFactory(village=village_a) for _ in range(2)]
            others = [
                record_submit(record=HouseholdFactory(village=village_b), user=county_b_clerk)
                for _ in range(2)
            ]
            return households, drafts, others

        warm_content_type_cache()
        client.force_login(city_reviewer)
        data = {"county": county_a.pk, "next": f"{queue_url}?county={county_a.pk}"}

        two, drafts, others = make(2)
        with CaptureQueriesContext(connection) as two_rows:
            response = client.post(bulk_url, data)
        assert response.url == f"{queue_url}?county={county_a.pk}"
        twenty, more_drafts, more_others = make(20)
        with CaptureQueriesContext(connection) as twenty_rows:
            client.post(bulk_url, data)

        assert len(twenty_rows) == len(two_rows)
        assert Household.objects.filter(review_status=ReviewStatus.APPROVED).count() == 22
        for household in two + twenty:
            household.refresh_from_db()
            assert household.review_status == ReviewStatus.APPROVED
            assert events_of(household).filter(action="approved").count() == 1
        for household in drafts + more_drafts:
            household.refresh_from_db()
            assert household.review_status == ReviewStatus.DRAFT
        for household in others + more_others:
            household.refresh_from_db()
            assert household.review_status == ReviewStatus.SUBMITTED
            assert not events_of(household).filter(action="approved").exists()

    def test_the_kind_filter_keeps_other_kinds(
        self, client, county_a, county_a_clerk, city_reviewer, household, bulk_url
    ):
        pairing = PairingFactory(household__village__township__county=county_a)
        record_submit(record=pairing, user=county_a_clerk)
        client.force_login(city_reviewer)
        response = client.post(bulk_url, {"kind": "pairing"}, follow=True)
        assert "已审核通过 1 条记录。" in response.content.decode()
        pairing.refresh_from_db()
        household.refresh_from_db()
        assert pairing.review_status == ReviewStatus.APPROVED
        assert household.review_status == ReviewStatus.SUBMITTED

    def test_records_submitted_after_the_page_was_shown_are_left_for_later(
        self, client, household, county_a, county_a_clerk, city_reviewer, bulk_url
    ):
        shown_at = timezone.now()
        later = submitted_household(county_a, county_a_clerk)
        events_of(later).update(created_at=shown_at + datetime.timedelta(seconds=5))
        client.force_login(city_reviewer)
        client.post(bulk_url, {"county": county_a.pk, "shown_at": shown_at.isoformat()})
        household.refresh_from_db()
        later.refresh_from_db()
        assert household.review_status == ReviewStatus.APPROVED
        assert later.review_status == ReviewStatus.SUBMITTED

    def test_an_invalid_filter_changes_nothing(self, client, household, city_reviewer, bulk_url):
        client.force_login(city_reviewer)
        response = client.post(bulk_url, {"county": "999999"}, follow=True)
        assert "筛选条件有误" in response.content.decode()
        household.refresh_from_db()
        assert household.review_status == ReviewStatus.SUBMITTED


#
# The queue
#


def at(minutes):
    return timezone.now() - datetime.timedelta(days=1) + datetime.timedelta(minutes=minutes)


def submitted_at(record, when):
    events_of(record).filter(action__in=["submitted", "resubmitted"]).update(created_at=when)


def queue_keys(response):
    return [(row._meta.model_name, row.pk) for row in response.context["rows"]]


class TestReviewQueue:
    def test_lists_submitted_records_by_county_and_kind_oldest_first(
        self, client, county_a, county_b, county_a_clerk, county_b_clerk, city_reviewer,
        queue_url,
    ):
        # 正阳县 (411724) comes before 汝南县 (411727); households before pairings.
        newer_a = submitted_household(county_a, county_a_clerk)
        older_a = submitted_household(county_a, county_a_clerk)
        pairing_a = PairingFactory(household__village__township__county=county_a)
        record_submit(record=pairing_a, user=county_a_clerk)
        household_b = submitted_household(county_b, county_b_clerk)
        draft = HouseholdFactory(village__township__county=county_a)
        approved = submitted_household(county_a, county_a_clerk)
        record_approve(record=approved, user=city_reviewer)
        for record, minutes in ((pairing_a, 1), (older_a, 2), (newer_a, 3), (household_b, 4)):
            submitted_at(record, at(minutes))

        client.force_login(city_reviewer)
        response = client.get(queue_url)

        assert response.status_code == 200
        assert queue_keys(response) == [
            ("household", household_b.pk),
            ("household", older_a.pk),
            ("household", newer_a.pk),
            ("pairing", pairing_a.pk),
        ]
        content = response.content.decode()
        assert approve_url(older_a) in content and return_url(older_a) in content
        assert f"open=household%3A{older_a.pk}" in content
        assert county_a_clerk.get_username() in content
        assert approve_url(draft) not in content and approve_url(approved) not in content
        # Every figure matches the rows, and links to them.
        counts = response.context["counts"]
        assert counts.total == response.context["page_obj"].paginator.count == 4
        assert [(row.county, row.total) for row in counts.rows] == [(county_b, 1), (county_a, 3)]
        assert [(label, total) for label, total, url in counts.kinds] == [
            ("贫困户", 3), ("结对帮扶", 1)
        ]
        cell = counts.rows[1].cells[0]
        assert cell.count == 2
        assert f"county={county_a.pk}" in cell.url and "kind=household" in cell.url
        assert client.get(cell.url).context["counts"].total == 2

    def test_filters_by_county_kind_and_submission_date(
        self, client, county_a, county_b, county_a_clerk, county_b_clerk, city_reviewer,
        queue_url,
    ):
        old = submitted_household(county_a, county_a_clerk)
        submitted_at(old, timezone.make_aware(datetime.datetime(2020, 1, 10, 9)))
        recent = submitted_household(county_a, county_a_clerk)
        other = submitted_household(county_b, county_b_clerk)
        pairing = PairingFactory(household__village__township__county=county_a)
        record_submit(record=pairing, user=county_a_clerk)
        client.force_login(city_reviewer)

        def keys(**params):
            response = client.get(queue_url, params)
            assert response.context["counts"].total == len(response.context["rows"])
            return set(queue_keys(response))

        assert keys(county=county_b.pk) == {("household", other.pk)}
        assert keys(kind="pairing") == {("pairing", pairing.pk)}
        assert keys(county=county_a.pk, kind="household") == {
            ("household", old.pk), ("household", recent.pk)
        }
        assert keys(submitted_after="2020-01-01", submitted_before="2020-01-31") == {
            ("household", old.pk)
        }
        response = client.get(queue_url, {"kind": "member"})
        assert response.context["counts"].total == 0 and response.context["filter"].errors

    def test_costs_the_same_queries_for_2_and_20_rows(
        self, client, county_a, county_a_clerk, city_reviewer, queue_url
    ):
        village = VillageFactory(township__county=county_a)
        labor_model = LaborModelFactory(county=county_a)

        def make(count):
            for _ in range(count):
                household = HouseholdFactory(village=village)
                record_submit(record=household, user=county_a_clerk)
                pairing = PairingFactory(household=household, labor_model=labor_model)
                record_submit(record=pairing, user=county_a_clerk)

        warm_content_type_cache()
        client.force_login(city_reviewer)
        make(1)
        with CaptureQueriesContext(connection) as two_rows:
            assert len(client.get(queue_url).context["rows"]) == 2
        make(9)
        with CaptureQueriesContext(connection) as twenty_rows:
            assert len(client.get(queue_url).context["rows"]) == 20
        assert len(twenty_rows) == len(two_rows)

    def test_pages_hold_50_rows(self, client, county_a, county_a_clerk, city_reviewer, queue_url):
        village = VillageFactory(township__county=county_a)
        records = [
            record_submit(record=HouseholdFactory(village=village), user=county_a_clerk)
            for _ in range(51)
        ]
        for minutes, record in enumerate(records):
            submitted_at(record, at(minutes))
        client.force_login(city_reviewer)
        first = client.get(queue_url)
        assert len(first.context["rows"]) == 50
        second = client.get(queue_url, {"page": 2})
        assert queue_keys(second) == [("household", records[-1].pk)]
        assert second.context["counts"].total == 51

    def test_a_resubmitted_record_goes_back_to_the_queue(
        self, client, household, county_a_clerk, city_reviewer, queue_url
    ):
        client.force_login(city_reviewer)
        client.post(return_url(household), {"comment": RETURN_COMMENT})
        assert queue_keys(client.get(queue_url)) == []

        record_submit(record=household, user=county_a_clerk)

        response = client.get(queue_url)
        assert queue_keys(response) == [("household", household.pk)]
        [row] = response.context["rows"]
        resubmitted = events_of(household).get(action="resubmitted")
        assert (row.submitted_by, row.submitted_at) == (county_a_clerk, resubmitted.created_at)

    def test_records_submitted_without_an_event_are_listed_by_their_update_time(
        self, client, county_a, city_reviewer, queue_url
    ):
        # As the demo data: stored as submitted, no review event.
        household = HouseholdFactory(
            village__township__county=county_a, review_status=ReviewStatus.SUBMITTED
        )
        client.force_login(city_reviewer)
        [row] = client.get(queue_url).context["rows"]
        assert (row.pk, row.submitted_by, row.submitted_at) == (
            household.pk, None, household.updated_at
        )

    def test_the_navigation_offers_the_queue_to_city_reviewers_only(
        self, client, city_reviewer, county_a_clerk, queue_url
    ):
        client.force_login(city_reviewer)
        assert f'href="{queue_url}"' in client.get(reverse("cases:home")).content.decode()
        client.force_login(county_a_clerk)
        assert f'href="{queue_url}"' not in client.get(reverse("cases:home")).content.decode()


#
# What the county sees of a return
#


class TestReturnSeenByTheCounty:
    def test_the_comment_is_on_the_household_page_and_the_home_page(
        self, client, household, county_a_clerk, city_reviewer
    ):
        record_return(record=household, user=city_reviewer, comment=RETURN_COMMENT)
        client.force_login(county_a_clerk)

        page = client.get(household.get_absolute_url()).content.decode()
        assert f"市总工会退回意见:{RETURN_COMMENT}" in page
        assert "修改后重新提交" in page

        home = client.get(reverse("cases:home"))
        assert [r.pk for r in home.context["work"].recent_returns] == [household.pk]
        assert RETURN_COMMENT in home.content.decode()

    def test_a_returned_pairing_shows_the_comment_on_the_household_timeline(
        self, client, county_a, county_a_clerk, city_reviewer
    ):
        pairing = PairingFactory(household__village__township__county=county_a)
        record_submit(record=pairing, user=county_a_clerk)
        record_return(record=pairing, user=city_reviewer, comment="帮扶措施过于笼统")
        client.force_login(county_a_clerk)
        page = client.get(pairing.household.get_absolute_url()).content.decode()
        assert "退回意见:帮扶措施过于笼统" in page

    def test_another_county_never_sees_it(self, client, household, county_b_clerk, city_reviewer):
        record_return(record=household, user=city_reviewer, comment=RETURN_COMMENT)
        client.force_login(county_b_clerk)
        assert client.get(household.get_absolute_url()).status_code == 404
        assert RETURN_COMMENT not in client.get(reverse("cases:home")).content.decode()
