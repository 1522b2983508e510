"""The review queue at a city office's pace: each row's key facts, the record opened beside
the queue, deciding the ticked rows at once with one comment, "approve all" only for a
filtered selection, and the city home's pending counts."""

import pytest
from django.urls import reverse

from cases.choices import ReviewStatus
from cases.models import ReviewEvent
from cases.services import record_submit
from tests import factories as f
from tests.support import submitted_household

COMMENT = "请补充签字的协议扫描件"


@pytest.fixture
def agreement(county_a, county_a_clerk):
    household = f.HouseholdFactory(village__township__county=county_a, head_name="周桂英")
    record = f.FinanceAgreementFactory(
        household=household, enterprise__name="汝南县绿源合作社", funds="48000.00"
    )
    return record_submit(record=record, user=county_a_clerk)


@pytest.fixture
def three(county_a, county_a_clerk):
    return [submitted_household(county_a, county_a_clerk) for _ in range(3)]


def key(record):
    return f"{record._meta.model_name}:{record.pk}"


def test_a_row_shows_who_what_how_much_when_and_for_which_household(
    client, city_reviewer, agreement
):
    client.force_login(city_reviewer)
    row = client.get(reverse("cases:review_queue")).context["rows"][0]
    assert (str(row.facts.who), str(row.facts.amount), row.facts.date, row.facts.household) == (
        "汝南县绿源合作社", "48000.00", agreement.signed_on, agreement.household,
    )
    assert str(row.facts.what) == agreement.get_model_display()


def test_a_record_opens_beside_the_queue_with_its_decisions(client, city_reviewer, agreement):
    client.force_login(city_reviewer)
    response = client.get(reverse("cases:review_queue"), {"open": key(agreement)})
    opened = response.context["opened"]
    assert opened.pk == agreement.pk
    page = response.content.decode()
    assert 'id="opened-record"' in page and "周桂英" in page
    assert reverse("cases:record_approve", args=["financeagreement", agreement.pk]) in page
    for nonsense in ("household:999999", "user:1", "financeagreement:x", ""):
        assert client.get(reverse("cases:review_queue"), {"open": nonsense}).context[
            "opened"] is None


def test_the_ticked_rows_are_approved_at_once(client, city_reviewer, three):
    client.force_login(city_reviewer)
    client.post(reverse("cases:review_decide_selected"), {
        "record": [key(three[0]), key(three[2])], "decision": "approve",
    })
    statuses = [type(r).objects.get(pk=r.pk).review_status for r in three]
    assert statuses == [ReviewStatus.APPROVED, ReviewStatus.SUBMITTED, ReviewStatus.APPROVED]


def test_the_ticked_rows_are_returned_with_one_comment(client, city_reviewer, three):
    client.force_login(city_reviewer)
    client.post(reverse("cases:review_decide_selected"), {
        "record": [key(three[0]), key(three[1])], "decision": "return", "comment": COMMENT,
    })
    returned = ReviewEvent.objects.filter(action=ReviewEvent.Action.RETURNED)
    assert sorted(returned.values_list("object_id", "comment")) == sorted(
        [(three[0].pk, COMMENT), (three[1].pk, COMMENT)]
    )


def test_a_batch_that_cannot_all_be_decided_changes_nothing_and_says_why(
    client, city_reviewer, three
):
    client.force_login(city_reviewer)
    response = client.post(reverse("cases:review_decide_selected"), {
        "record": [key(r) for r in three], "decision": "return", "comment": "  ",
    }, follow=True)
    assert "未做任何修改" in response.content.decode()
    assert {type(r).objects.get(pk=r.pk).review_status for r in three} == {
        ReviewStatus.SUBMITTED}


def test_county_staff_may_not_decide_in_a_batch(client, county_a_clerk, three):
    client.force_login(county_a_clerk)
    response = client.post(reverse("cases:review_decide_selected"), {
        "record": [key(three[0])], "decision": "approve",
    })
    assert response.status_code == 403


def test_approve_all_is_offered_only_for_a_filtered_selection_with_its_count(
    client, city_reviewer, county_a, three
):
    client.force_login(city_reviewer)
    unfiltered = client.get(reverse("cases:review_queue")).content.decode()
    assert reverse("cases:review_bulk_approve") not in unfiltered
    filtered = client.get(reverse("cases:review_queue"), {"county": county_a.pk})
    page = filtered.content.decode()
    assert reverse("cases:review_bulk_approve") in page
    assert "确定将筛选出的 3 条待审核记录全部审核通过吗" in page

    client.post(reverse("cases:review_bulk_approve"), {})
    assert {type(r).objects.get(pk=r.pk).review_status for r in three} == {
        ReviewStatus.SUBMITTED}


def test_the_city_home_counts_what_waits_per_county_and_kind(
    client, city_reviewer, county_a, three, agreement
):
    client.force_login(city_reviewer)
    response = client.get(reverse("cases:home"))
    pending = response.context["pending"]
    assert pending.total == 4
    assert [(label, total) for label, total, _url in pending.kinds] == [
        ("贫困户", 3), ("金融扶贫带贫协议", 1)]
    cell = pending.rows[0].cells[0]
    page = response.content.decode()
    assert cell.url.replace("&", "&amp;") in page
    assert client.get(cell.url).context["counts"].total == 3
    assert reverse("cases:review_queue") in page


def test_county_staff_get_no_pending_counts(client, county_a_clerk, three):
    client.force_login(county_a_clerk)
    assert "pending" not in client.get(reverse("cases:home")).context
