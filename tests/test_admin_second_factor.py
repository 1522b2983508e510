"""Finding 1 of the attack run: an administrator signed in with a password alone reached
every county's records. Every route of the site, enumerated from the URL resolver, now sends
such an administrator to the two-factor page before its view runs."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, reverse

from accounts.middleware import OPEN_BEFORE_SECOND_FACTOR
from cases.models import Household
from tests.factories import HouseholdFactory
from tests.routes import PAGE_KWARGS, walk
from tests.support import verify_second_factor

# A value for every route argument; the redirect comes before any lookup, so no record needs
# to exist behind it.
SAMPLE_KWARGS = {
    **PAGE_KWARGS,
    "pk": 1, "id": 1, "object_id": "1", "content_type_id": 1,
    "model_name": "household", "field_name": "phone", "app_label": "cases",
}


def url_of_unnamed(route):
    """Django admin's unnamed routes: the redirect of an object's old URL and the catch-all."""
    route = route.replace("(?P<url>.*)$", "no-such-page/")
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(SAMPLE_KWARGS[match[1]]), route)


def reverse_with_samples(name, kwargs):
    try:
        return reverse(name, kwargs={key: SAMPLE_KWARGS[key] for key in kwargs})
    except NoReverseMatch:
        pass
    # Routes written as regular expressions: Django admin's app index (a named group) and
    # simple-history's pages (positional groups).
    for attempt in ({"kwargs": {"app_label": "cases"}}, {"args": [1]}, {"args": [1, 1]}):
        try:
            return reverse(name, **attempt)
        except NoReverseMatch:
            continue
    raise AssertionError(f"no sample URL for {name}")


def every_url():
    urls = []
    for name, route, kwargs in walk(get_resolver().url_patterns):
        if name in OPEN_BEFORE_SECOND_FACTOR:
            continue
        if name.endswith(":None"):
            urls.append((name, url_of_unnamed(route)))
            continue
        urls.append((name, reverse_with_samples(name, kwargs)))
    return urls


def is_two_factor_redirect(response, url):
    if response.status_code != 302:
        return False
    location = urlparse(response["Location"])
    return location.path == reverse("two_factor") and parse_qs(location.query)["next"] == [url]


@pytest.mark.django_db
@pytest.mark.parametrize("with_device", [False, True], ids=["no device", "device not verified"])
def test_every_url_sends_an_unverified_administrator_to_the_second_factor(
    administrator, with_device
):
    if with_device:
        verify_second_factor(Client(), administrator)
    client = Client()
    client.force_login(administrator)
    urls = every_url()
    assert len(urls) > 200  # the portal's routes and Django admin's
    for name, url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert is_two_factor_redirect(response, url), (name, method.__name__, response)


@pytest.mark.django_db
def test_an_unverified_administrator_changes_nothing(administrator, county_b):
    household = HouseholdFactory(village__county=county_b, head_name="乙县户主")
    client = Client()
    client.force_login(administrator)
    response = client.post(
        reverse("cases:household_edit", args=[household.pk]), {"head_name": "管理员改的"}
    )
    assert response.status_code == 302
    assert Household.objects.get(pk=household.pk).head_name == "乙县户主"


@pytest.mark.django_db
def test_the_open_pages_stay_open_and_a_verified_administrator_gets_through(administrator):
    client = Client()
    client.force_login(administrator)
    assert client.get(reverse("health")).status_code == 200
    verify_second_factor(client, administrator)
    assert client.get(reverse("cases:household_list")).status_code == 200


@pytest.mark.django_db
def test_the_password_login_of_an_administrator_lands_on_two_factor_set_up(
    client, administrator
):
    response = client.post(
        reverse("login"),
        {"username": "administrator", "password": "correct-horse-battery"},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor"))
    assert response.context["state"] == "setup"
