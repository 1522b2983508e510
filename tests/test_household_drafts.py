""""提交本户全部草稿" on the case page: every draft of the household in one step, with one
confirmation listing them; what cannot be submitted is named, the rest is submitted."""

import pytest
from django.urls import reverse

from cases.choices import ReviewStatus
from cases.models import ReviewEvent
from cases.services import records_submit
from tests import factories as f


@pytest.fixture
def case(county_a, county_b):
    head = f.MemberFactory(household__village__township__county=county_a)
    household = head.household
    spouse = f.MemberFactory(household=household)
    session = f.TrainingSessionFactory(county=county_a)
    for member in (head, spouse):  # one session, two attendees: submitted once
        f.TrainingAttendanceFactory(session=session, member=member)
    employment = f.EmploymentFactory(member=head)
    returned = f.MaterialAidFactory(household=household, review_status=ReviewStatus.RETURNED)
    approved = f.FinanceAgreementFactory(household=household, review_status=ReviewStatus.APPROVED)
    # A session another county held for this household's member is theirs to submit.
    foreign = f.TrainingSessionFactory(county=county_b)
    f.TrainingAttendanceFactory(session=foreign, member=spouse, county=county_b)
    return household, [household, session, employment, returned], approved, foreign


def page_drafts(client, household):
    return client.get(reverse("cases:household_detail", args=[household.pk])).context["drafts"]


def post_drafts(client, household, keys):
    return client.post(
        reverse("cases:household_submit_drafts", args=[household.pk]), {"record": keys},
        follow=True,
    )


def test_every_draft_of_the_household_is_listed_once_and_submitted_in_one_step(
    client, county_a_clerk, case
):
    household, drafts, approved, foreign = case
    client.force_login(county_a_clerk)
    listed = page_drafts(client, household)
    keys = [draft.key for draft in listed]
    assert keys[0] == f"household:{household.pk}"
    assert sorted(keys) == sorted(f"{record._meta.model_name}:{record.pk}" for record in drafts)
    page = client.get(reverse("cases:household_detail", args=[household.pk])).content.decode()
    assert page.count("提交本户全部草稿") == 1
    for draft in listed:
        assert draft.label in page  # in the one confirmation

    response = post_drafts(client, household, keys)
    assert "已提交 4 条记录" in response.content.decode()
    for record in drafts:
        record.refresh_from_db()
        assert record.review_status == ReviewStatus.SUBMITTED
    assert ReviewEvent.objects.filter(action=ReviewEvent.Action.RESUBMITTED).count() == 1
    approved.refresh_from_db()
    foreign.refresh_from_db()
    assert (approved.review_status, foreign.review_status) == (
        ReviewStatus.APPROVED, ReviewStatus.DRAFT,
    )
    assert page_drafts(client, household) == []


def test_only_what_the_confirmation_listed_is_submitted(client, county_a_clerk, case):
    household, drafts, _approved, foreign = case
    client.force_login(county_a_clerk)
    household_key = f"household:{household.pk}"
    post_drafts(client, household, [household_key, f"trainingsession:{foreign.pk}"])
    statuses = []
    for record in drafts:
        record.refresh_from_db()
        statuses.append(record.review_status)
    assert statuses == [ReviewStatus.SUBMITTED] + [ReviewStatus.DRAFT, ReviewStatus.DRAFT,
                                                    ReviewStatus.RETURNED]
    foreign.refresh_from_db()
    assert foreign.review_status == ReviewStatus.DRAFT


def test_a_record_that_cannot_be_submitted_is_named_and_the_others_are_submitted(
    county_a_clerk, case
):
    _household, drafts, _approved, _foreign = case
    session = drafts[1]
    stale = type(session).objects.get(pk=session.pk)
    records_submit(records=[session], user=county_a_clerk)  # meanwhile, in another tab
    submitted, refused = records_submit(records=[stale, drafts[2]], user=county_a_clerk)
    assert [record.pk for record in submitted] == [drafts[2].pk]
    assert [record.pk for record, _reason in refused] == [session.pk]
    assert refused[0][1]


def test_the_refused_record_is_named_on_the_page(client, county_a_clerk, case, monkeypatch):
    household, drafts, _approved, _foreign = case
    session = drafts[1]
    client.force_login(county_a_clerk)
    listed = [draft.key for draft in page_drafts(client, household)]
    real_submit = records_submit

    def submitted_meanwhile(*, records, user):
        records_submit(records=[type(session).objects.get(pk=session.pk)], user=user)
        return real_submit(records=records, user=user)

    monkeypatch.setattr("cases.views.households.records_submit", submitted_meanwhile)
    page = post_drafts(client, household, listed).content.decode()
    assert "已提交 3 条记录" in page
    assert f"未能提交 技术培训 {session.topic}" in page


def test_others_get_no_button_and_may_not_post(client, county_b_clerk, city_reviewer, case):
    household, drafts, _approved, _foreign = case
    client.force_login(city_reviewer)
    assert page_drafts(client, household) == []
    keys = [f"{record._meta.model_name}:{record.pk}" for record in drafts]
    assert client.post(
        reverse("cases:household_submit_drafts", args=[household.pk]), {"record": keys}
    ).status_code == 403
    client.force_login(county_b_clerk)
    assert client.post(
        reverse("cases:household_submit_drafts", args=[household.pk]), {"record": keys}
    ).status_code == 404
    household.refresh_from_db()
    assert household.review_status == ReviewStatus.DRAFT
