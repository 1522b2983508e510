import pytest
from django.urls import reverse

from tests.factories import MemberFactory


@pytest.fixture
def members(county_a, county_b):
    return (
        MemberFactory(household__village__township__county=county_a, name="李四"),
        MemberFactory(household__village__township__county=county_b, name="李四"),
    )


def lookup(client, source, q):
    response = client.get(reverse("cases:autocomplete", args=[source]), {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


def test_matches_only_rows_of_the_users_county(client, county_a_clerk, members):
    own, foreign = members
    client.force_login(county_a_clerk)
    results = lookup(client, "member", "李四")
    assert [row["value"] for row in results] == [own.pk]


def test_labels_mask_id_numbers(client, county_a_clerk, members):
    own, _ = members
    client.force_login(county_a_clerk)
    label = lookup(client, "member", own.id_number[-4:])[0]["text"]
    assert own.id_number not in label
    assert own.id_number[-4:] in label


def test_reviewers_get_nothing_to_pick_because_they_do_not_edit(client, city_reviewer, members):
    client.force_login(city_reviewer)
    assert lookup(client, "member", "李四") == []


def test_unknown_source_is_404_and_anonymous_is_sent_to_login(client, county_a_clerk):
    assert client.get(reverse("cases:autocomplete", args=["member"])).status_code == 302
    client.force_login(county_a_clerk)
    assert client.get(reverse("cases:autocomplete", args=["user"])).status_code == 404
