"""申请转移: a clerk whose number meets the neutral "already registered" answer files a transfer
request from that page; it keeps the number's keyed digest only, says nothing of where the
record is, is seen by its own county and the city only, and the city finds the holding county
and answers."""

import pytest
from django.urls import reverse

from cases.models import TransferRequest
from cases.transfers import TRANSFERABLE
from cases.uniqueness import duplicate_message
from tests.factories import (
    HouseholdFactory,
    LaborModelFactory,
    MemberFactory,
    next_resident_id,
)
from tests.forms import page_post_data
from tests.support import village_in

pytestmark = pytest.mark.django_db


def held_number(kind, county):
    """A number a record of ``county`` holds."""
    if kind == "household":
        return HouseholdFactory(village=village_in(county)).register_number
    if kind == "member":
        return MemberFactory(household__village=village_in(county)).id_number
    return LaborModelFactory(county=county, id_number=next_resident_id()).id_number


def edit_page(kind, county):
    """The clerk's edit page of a record of ``county``, and the POST key of its number."""
    if kind == "labormodel":
        record = LaborModelFactory(county=county, id_number=next_resident_id())
        return reverse("cases:labormodel_edit", args=[record.pk]), "id_number"
    household = HouseholdFactory(village=village_in(county))
    url = reverse("cases:household_edit", args=[household.pk])
    if kind == "household":
        return url, "register_number"
    MemberFactory(household=household)
    return url, "members-0-id_number"


def submit_number(client, kind, county, number):
    url, key = edit_page(kind, county)
    return client.post(url, page_post_data(client.get(url), **{key: number}))


def label_of(kind):
    return "户编号" if kind == "household" else "身份证号"


@pytest.mark.parametrize("kind", ["household", "member", "labormodel"])
def test_a_clerk_files_a_request_from_the_error_page_and_the_city_answers_it(
    kind, client, county_a, county_a_clerk, county_b, city_reviewer
):
    theirs = held_number(kind, county_b)
    client.force_login(county_a_clerk)

    refused = submit_number(client, kind, county_a, theirs)
    content = refused.content.decode()
    assert duplicate_message(label_of(kind)) in content
    assert reverse("cases:transfer_create") in content and "申请转移" in content
    assert county_b.name not in content
    [offer] = refused.context["transfer_offers"]
    assert (offer["kind"], offer["number"]) == (kind, theirs)

    filed = client.post(reverse("cases:transfer_create"), {
        "kind": kind, "number": theirs, "note": "已迁入本县",
    })
    transfer = TransferRequest.objects.get()
    assert filed.status_code == 302 and filed["Location"] == transfer.get_absolute_url()
    assert (transfer.requested_by, transfer.county, transfer.kind, transfer.note) == (
        county_a_clerk, county_a, kind, "已迁入本县",
    )
    model, field_name, digest_of = TRANSFERABLE[kind]
    assert transfer.field_name == field_name and transfer.number_digest == digest_of(theirs)
    stored = TransferRequest.objects.values().get()
    assert not [value for value in stored.values() if theirs in str(value)]

    mine = client.get(transfer.get_absolute_url()).content.decode()
    assert "待处理" in mine and county_b.name not in mine and theirs not in mine

    client.force_login(city_reviewer)
    assert "待处理的转移申请(1 条)" in client.get(reverse("cases:home")).content.decode()
    listed = client.get(reverse("cases:transfer_list")).content.decode()
    assert transfer.get_absolute_url() in listed
    city_page = client.get(transfer.get_absolute_url())
    assert list(city_page.context["holders"]) == [county_b]
    answered = client.post(transfer.get_absolute_url(), {"reply": "已转入汝南县"})
    assert answered.status_code == 302
    transfer.refresh_from_db()
    assert (transfer.status, transfer.handled_by, transfer.reply) == (
        TransferRequest.Status.HANDLED, city_reviewer, "已转入汝南县",
    )
    assert transfer.handled_at is not None
    assert "待处理的转移申请(0 条)" in client.get(reverse("cases:home")).content.decode()

    client.force_login(county_a_clerk)
    answer = client.get(transfer.get_absolute_url()).content.decode()
    assert "已转入汝南县" in answer and "已处理" in answer


@pytest.mark.parametrize("kind", ["household", "member", "labormodel"])
def test_the_page_answers_alike_whether_the_record_is_in_the_clerks_county_or_another(
    kind, client, county_a, county_a_clerk, county_b
):
    client.force_login(county_a_clerk)
    across = submit_number(client, kind, county_a, held_number(kind, county_b))
    within = submit_number(client, kind, county_a, held_number(kind, county_a))

    for response in (across, within):
        content = response.content.decode()
        assert duplicate_message(label_of(kind)) in content
        assert [offer["kind"] for offer in response.context["transfer_offers"]] == [kind]
    assert county_b.name not in across.content.decode()


def file_request(client, clerk, county_b, note=""):
    theirs = held_number("labormodel", county_b)
    client.force_login(clerk)
    client.post(reverse("cases:transfer_create"), {
        "kind": "labormodel", "number": theirs, "note": note,
    })
    return TransferRequest.objects.get()


def test_another_countys_clerk_sees_nothing_of_a_request(
    client, county_a_clerk, county_b, county_b_clerk
):
    transfer = file_request(client, county_a_clerk, county_b)

    client.force_login(county_b_clerk)
    assert client.get(transfer.get_absolute_url()).status_code == 404
    assert client.post(transfer.get_absolute_url(), {"reply": "x"}).status_code == 404
    listed = client.get(reverse("cases:transfer_list"))
    assert transfer.get_absolute_url() not in listed.content.decode()
    transfer.refresh_from_db()
    assert transfer.is_open


def test_a_clerk_cannot_answer_their_own_request(client, county_a_clerk, county_b):
    transfer = file_request(client, county_a_clerk, county_b)

    assert client.post(transfer.get_absolute_url(), {"reply": "自己批准"}).status_code == 403
    page = client.get(transfer.get_absolute_url())
    assert page.context["form"] is None and page.context["holders"] is None
    transfer.refresh_from_db()
    assert transfer.is_open and transfer.reply == ""


def test_an_answered_request_cannot_be_answered_again(
    client, county_a_clerk, county_b, city_reviewer
):
    transfer = file_request(client, county_a_clerk, county_b)
    client.force_login(city_reviewer)
    client.post(transfer.get_absolute_url(), {"reply": "第一次"})

    again = client.post(transfer.get_absolute_url(), {"reply": "第二次"})
    assert again.status_code == 200 and again.context["form"] is None
    transfer.refresh_from_db()
    assert transfer.reply == "第一次"


def test_an_empty_reply_is_a_field_error(client, county_a_clerk, county_b, city_reviewer):
    transfer = file_request(client, county_a_clerk, county_b)
    client.force_login(city_reviewer)

    response = client.post(transfer.get_absolute_url(), {"reply": ""})
    assert response.status_code == 200 and response.context["form"].errors["reply"]
    transfer.refresh_from_db()
    assert transfer.is_open


def test_a_number_no_record_holds_is_not_filed(client, county_a_clerk):
    client.force_login(county_a_clerk)
    response = client.post(reverse("cases:transfer_create"), {
        "kind": "member", "number": next_resident_id(), "note": "x",
    })
    assert response.status_code == 200
    assert "无需申请转移" in response.content.decode()
    assert not TransferRequest.objects.exists()


def test_only_county_staff_file_requests(client, city_reviewer, county_b):
    client.force_login(city_reviewer)
    response = client.post(reverse("cases:transfer_create"), {
        "kind": "labormodel", "number": held_number("labormodel", county_b),
    })
    assert response.status_code == 403 and not TransferRequest.objects.exists()
