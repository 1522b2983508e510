"""Sessions end after 30 minutes idle and 12 hours in all; logout, a password change and
deactivating the account end them."""

import time
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.test import Client
from django.urls import reverse

from accounts.sessions import LAST_SEEN_KEY, LOGIN_AT_KEY

PASSWORD = "correct-horse-battery"


def session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def log_in(client, user, password=PASSWORD):
    response = client.post(reverse("login"), {"username": user.username, "password": password})
    assert response.status_code == 302 and response.url == reverse("cases:home")
    return client.session.session_key


def home(client):
    return client.get(reverse("cases:home"))


def shift_session(client, **seconds_ago):
    """Pretends the login and the last request were that many seconds ago."""
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[{"login": LOGIN_AT_KEY, "last_seen": LAST_SEEN_KEY}[key]] = now - ago
    session.save()


def assert_signed_out(response):
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_sets_a_secure_http_only_same_site_cookie_for_30_minutes(client, county_a_clerk):
    log_in(client, county_a_clerk)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == 1800
    assert cookie["secure"] and cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_each_request_pushes_the_idle_limit_on(client, county_a_clerk):
    log_in(client, county_a_clerk)
    shift_session(client, login=25 * 60, last_seen=25 * 60)

    assert home(client).status_code == 200
    assert client.session[LAST_SEEN_KEY] >= time.time() - 5
    assert client.session.get_expiry_age() == 1800


def test_session_ends_after_30_minutes_idle(client, county_a_clerk):
    old_key = log_in(client, county_a_clerk)
    shift_session(client, login=31 * 60, last_seen=30 * 60 + 1)

    assert_signed_out(home(client))
    assert SESSION_KEY not in client.session
    assert not session_store()().exists(old_key)


def test_session_ends_12_hours_after_login_however_active(client, county_a_clerk):
    log_in(client, county_a_clerk)
    shift_session(client, login=12 * 3600 - 60, last_seen=60)
    assert home(client).status_code == 200

    shift_session(client, login=12 * 3600 + 1, last_seen=60)
    assert_signed_out(home(client))
    assert SESSION_KEY not in client.session


def test_a_signed_in_session_without_login_time_is_ended(client, county_a_clerk):
    log_in(client, county_a_clerk)
    session = client.session
    del session[LOGIN_AT_KEY]
    session.save()

    assert_signed_out(home(client))


def test_logout_deletes_the_session(client, county_a_clerk):
    old_key = log_in(client, county_a_clerk)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    assert client.post(reverse("logout")).status_code == 302

    assert not session_store()().exists(old_key)
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert_signed_out(home(replay))


def test_password_change_ends_other_sessions_and_keeps_this_one(county_a_clerk):
    office, phone = Client(), Client()
    log_in(office, county_a_clerk)
    log_in(phone, county_a_clerk)
    assert home(phone).status_code == 200

    new_password = "a brand new passphrase 2018"
    response = office.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )

    assert response.status_code == 302 and response.url == reverse("password_change_done")
    assert home(office).status_code == 200
    assert_signed_out(home(phone))
    assert SESSION_KEY not in phone.session


@pytest.mark.parametrize("reactivate", [False, True])
def test_deactivating_an_account_ends_its_sessions(county_a_clerk, reactivate):
    office, phone = Client(), Client()
    office_key = log_in(office, county_a_clerk)
    log_in(phone, county_a_clerk)

    county_a_clerk.is_active = False
    county_a_clerk.save()
    assert_signed_out(home(office))
    assert not session_store()().exists(office_key)
    if reactivate:
        # The sessions are gone, not merely refused: re-activating does not bring them back.
        county_a_clerk.is_active = True
        county_a_clerk.save()
    assert_signed_out(home(phone))
    assert_signed_out(home(office))


def test_session_keys_change_at_login(client, county_a_clerk):
    client.get(reverse("login"))
    client.session.save()
    anonymous_key = client.session.session_key
    assert isinstance(client.session, SessionBase)

    assert log_in(client, county_a_clerk) != anonymous_key
