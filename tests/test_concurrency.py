"""Edits and review decisions made at the same moment by two people.

The admin's version check runs on every database. The races run on PostgreSQL only: each
thread has its own connection and really waits on the other's row lock; SQLite serialises
every write to the whole file, so the race the tests are about cannot happen there.
"""

import functools
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from cases.choices import ReviewStatus
from cases.models import Household, Pairing, ReviewEvent
from cases.services import record_approve, record_return
from tests.factories import HouseholdFactory, PairingFactory, UserFactory
from tests.forms import form_post_data, page_post_data

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs row locks and one connection per thread (PostgreSQL)",
)

CONFLICT = "您打开此页面后"


#
# Django admin
#


def admin_change_data(response, **changes):
    data = form_post_data(response.context["adminform"].form)
    data.update(changes)
    return data


@pytest.fixture
def pairing_admin(admin_client, county_a):
    pairing = PairingFactory(household__village__township__county=county_a)
    url = reverse("admin:cases_pairing_change", args=[pairing.pk])
    return admin_client, pairing, url


def test_the_admin_form_carries_the_version_it_was_opened_at(pairing_admin):
    client, pairing, url = pairing_admin
    form = client.get(url).context["adminform"].form
    assert form["loaded_version"].value() == pairing.version
    assert 'type="hidden" name="loaded_version"' in str(form["loaded_version"])


def test_the_admin_refuses_to_overwrite_a_change_saved_meanwhile(pairing_admin):
    client, pairing, url = pairing_admin
    opened = client.get(url)
    # Someone else saves the pairing after the administrator opened it.
    other = Pairing.objects.get(pk=pairing.pk)
    other.plan = "电商销售培训"
    other.save()

    refused = client.post(url, admin_change_data(opened, plan="管理员的修改"))
    assert refused.status_code == 200
    body = refused.content.decode()
    assert CONFLICT in body
    assert "电商销售培训" in body  # the other person's change is named
    pairing.refresh_from_db()
    assert pairing.plan == "电商销售培训"

    # The refused form now carries the current version: submitting again is deliberate.
    again = client.post(url, admin_change_data(refused, plan="管理员的修改"))
    assert again.status_code == 302
    pairing.refresh_from_db()
    assert pairing.plan == "管理员的修改"
    assert pairing.version == other.version + 1


def test_the_admin_saves_an_unchanged_record_normally(pairing_admin):
    client, pairing, url = pairing_admin
    response = client.post(url, admin_change_data(client.get(url), plan="新的帮扶措施"))
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.plan == "新的帮扶措施"


def test_the_admin_refuses_a_change_without_a_version(pairing_admin):
    client, pairing, url = pairing_admin
    data = admin_change_data(client.get(url), plan="无版本")
    del data["loaded_version"]
    assert client.post(url, data).status_code == 200
    pairing.refresh_from_db()
    assert pairing.plan != "无版本"


def test_the_admin_still_adds_records(admin_client, county_a):
    pairing = PairingFactory(household__village__township__county=county_a)
    response = admin_client.get(reverse("admin:cases_pairing_add"))
    assert "loaded_version" in response.context["adminform"].form.fields
    data = {
        "labor_model": pairing.labor_model_id,
        "household": pairing.household_id,
        "mode": pairing.mode,
        "start_date": "2019-03-01",
        "plan": "新增的结对",
    }
    assert admin_client.post(reverse("admin:cases_pairing_add"), data).status_code == 302
    assert Pairing.objects.filter(plan="新增的结对").exists()


#
# Simultaneous saves of one record (PostgreSQL)
#


def run_together(*jobs):
    """Run each job in its own thread (so on its own database connection), released at the
    same instant, and return their results in order."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # noqa: BLE001 (the test inspects it)
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_of_100_pairs_of_simultaneous_saves_exactly_one_wins_and_nothing_is_lost():
    household = HouseholdFactory()
    clerks = [UserFactory(county=household.county) for _ in range(2)]
    clients = []
    for clerk in clerks:
        client = Client()
        client.force_login(clerk)
        clients.append(client)
    url = reverse("cases:household_edit", args=[household.pk])
    history_before = household.history.count()

    outcomes = []
    for pair in range(100):
        # Both open the form at the same version, then both save at once.
        opened = [client.get(url) for client in clients]
        names = [f"第{pair}对-甲", f"第{pair}对-乙"]
        posts = [
            functools.partial(client.post, url, page_post_data(page, head_name=name))
            for client, page, name in zip(clients, opened, names, strict=True)
        ]
        responses = run_together(*posts)
        won = [r.status_code == 302 for r in responses]
        refused = [r.status_code == 200 and CONFLICT in r.content.decode() for r in responses]
        stored = Household.objects.get(pk=household.pk)
        outcomes.append((won, refused))
        assert sorted(won) == [False, True], (pair, responses)
        assert sorted(refused) == [False, True], pair
        # The stored name is the winner's: no update was lost, none half-applied.
        assert stored.head_name == names[won.index(True)]
        assert stored.version == household.version + 1 + pair

    assert sum(sum(won) for won, _ in outcomes) == 100
    assert household.history.count() == history_before + 100


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_approve_and_return_make_exactly_one_transition():
    reviewers = [
        UserFactory(role=Role.CITY_REVIEWER, county=None, username=f"reviewer{i}")
        for i in range(2)
    ]
    for _ in range(20):
        pairing = PairingFactory(review_status=ReviewStatus.SUBMITTED)
        history_before = pairing.history.count()
        approve = Pairing.objects.get(pk=pairing.pk)
        return_ = Pairing.objects.get(pk=pairing.pk)
        results = run_together(
            lambda a=approve: record_approve(record=a, user=reviewers[0]),
            lambda r=return_: record_return(record=r, user=reviewers[1], comment="请补充材料"),
        )
        succeeded = [r for r in results if isinstance(r, Pairing)]
        refused = [r for r in results if isinstance(r, ValidationError)]
        assert len(succeeded) == 1 and len(refused) == 1, results
        pairing.refresh_from_db()
        assert pairing.review_status == succeeded[0].review_status
        assert pairing.review_status in {ReviewStatus.APPROVED, ReviewStatus.RETURNED}
        assert ReviewEvent.objects.filter(object_id=pairing.pk).count() == 1
        assert pairing.history.count() == history_before + 1



def test_the_admin_reverts_to_an_earlier_version_as_a_new_version(pairing_admin):
    client, pairing, url = pairing_admin
    first = pairing.history.earliest()
    pairing.plan = "第二版措施"
    pairing.save()
    revert_url = reverse("admin:cases_pairing_simple_history", args=[pairing.pk, first.pk])
    page = client.get(revert_url)
    assert page.context["adminform"].form["loaded_version"].value() == pairing.version
    response = client.post(revert_url, admin_change_data(page))
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.plan == first.plan
    # The revert is a new version, not the old number again.
    assert pairing.version == first.version + 2


def test_the_admin_refuses_a_revert_when_the_record_changed_meanwhile(pairing_admin):
    client, pairing, url = pairing_admin
    first = pairing.history.earliest()
    revert_url = reverse("admin:cases_pairing_simple_history", args=[pairing.pk, first.pk])
    page = client.get(revert_url)
    pairing.plan = "别人刚改的措施"
    pairing.save()
    response = client.post(revert_url, admin_change_data(page))
    assert response.status_code == 200
    assert CONFLICT in response.content.decode()
    pairing.refresh_from_db()
    assert pairing.plan == "别人刚改的措施"
