"""Two-factor authentication (TOTP, django-otp): offered to every user, required for Django
admin, and each code accepted once."""

import time
from base64 import b32encode
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib import admin
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.views import PENDING_LOGIN_KEY
from tests.support import verify_second_factor

PASSWORD = "correct-horse-battery"


def code(device, steps_ahead=0):
    """The code an authenticator app shows now (or that many 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device):
    right = {code(device, n) for n in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


@pytest.fixture
def device(county_a_clerk):
    return TOTPDevice.objects.create(user=county_a_clerk, name="phone", confirmed=True)


def password_step(client, username="clerk_a", next_url=None):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def signed_in(client):
    return SESSION_KEY in client.session


class TestSetUp:
    def test_the_page_shows_a_qr_code_and_the_secret_of_a_new_unconfirmed_device(
        self, client, county_a_clerk
    ):
        client.force_login(county_a_clerk)
        response = client.get(reverse("two_factor"))

        assert response.status_code == 200
        device = TOTPDevice.objects.get(user=county_a_clerk)
        assert not device.confirmed
        html = response.content.decode()
        assert '<svg' in html and "<path" in html
        secret = b32encode(device.bin_key).decode()
        assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
        assert device.config_url.startswith("otpauth://totp/ReliefPortal%3Aclerk_a?secret=")
        # A reload keeps the secret the user may already have scanned.
        client.get(reverse("two_factor"))
        assert list(TOTPDevice.objects.filter(user=county_a_clerk)) == [device]

    def test_a_code_confirms_the_device_and_verifies_the_session(self, client, county_a_clerk):
        client.force_login(county_a_clerk)
        client.get(reverse("two_factor"))
        device = TOTPDevice.objects.get(user=county_a_clerk)

        response = client.post(reverse("two_factor"), {"code": code(device)})

        assert response.status_code == 302
        device.refresh_from_db()
        assert device.confirmed
        assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
        assert client.get(reverse("two_factor")).context["state"] == "enabled"

    def test_a_wrong_code_does_not_confirm(self, client, county_a_clerk):
        client.force_login(county_a_clerk)
        client.get(reverse("two_factor"))
        device = TOTPDevice.objects.get(user=county_a_clerk)

        response = client.post(reverse("two_factor"), {"code": wrong_code(device)})

        assert response.status_code == 200
        assert response.context["form"].errors["code"]
        device.refresh_from_db()
        assert not device.confirmed

    def test_removing_the_device_needs_a_fresh_code(self, client, county_a_clerk, device):
        client.force_login(county_a_clerk)
        verify_second_factor(client, county_a_clerk)
        used = code(device)
        assert device.verify_token(used)

        # The code just used does not remove it...
        response = client.post(reverse("two_factor"), {"code": used})
        assert response.status_code == 200
        assert TOTPDevice.objects.filter(pk=device.pk).exists()

        # ...the next one does (after the throttling delay the failure above started).
        device.refresh_from_db()
        device.throttle_reset()
        response = client.post(reverse("two_factor"), {"code": code(device, steps_ahead=1)})
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=county_a_clerk).exists()


class TestLogin:
    def test_without_a_device_the_password_is_enough(self, client, county_a_clerk):
        response = password_step(client)
        assert response.url == reverse("cases:home")
        assert signed_in(client)

    def test_with_a_device_the_password_alone_does_not_sign_in(self, client, device):
        response = password_step(client)

        assert response.status_code == 302 and response.url == reverse("login_verify")
        assert not signed_in(client)
        home = client.get(reverse("cases:home"))
        assert home.status_code == 302 and home.url.startswith(reverse("login"))

    def test_the_code_completes_the_login_and_keeps_next(self, client, device):
        password_step(client, next_url=reverse("cases:member_list"))

        response = client.post(reverse("login_verify"), {"code": code(device)})

        assert response.status_code == 302 and response.url == reverse("cases:member_list")
        assert signed_in(client)
        assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
        assert PENDING_LOGIN_KEY not in client.session
        assert client.get(reverse("cases:member_list")).status_code == 200

    def test_a_wrong_code_is_summarised_at_the_top_linking_to_the_field(self, client, device):
        password_step(client)

        response = client.post(reverse("login_verify"), {"code": wrong_code(device)})

        assert not signed_in(client)
        page = response.content.decode()
        assert response.context["form"].errors["code"]
        assert 'href="#id_code"' in page[page.index("data-error-summary"):]

    def test_a_used_code_is_refused_the_second_time(self, device):
        first, second = Client(), Client()
        used = code(device)
        password_step(first)
        assert first.post(reverse("login_verify"), {"code": used}).status_code == 302
        device.refresh_from_db()
        accepted_step = device.last_t
        assert accepted_step >= int(time.time() // 30) - 1

        password_step(second)
        response = second.post(reverse("login_verify"), {"code": used})

        assert response.status_code == 200
        assert "已经用过" in response.context["form"].errors["code"][0]
        assert not signed_in(second)
        device.refresh_from_db()
        assert device.last_t == accepted_step

    def test_wrong_codes_are_throttled(self, client, device):
        password_step(client)
        response = client.post(reverse("login_verify"), {"code": wrong_code(device)})
        assert response.status_code == 200 and not signed_in(client)

        # Straight after a failure even the right code must wait (1 s, doubling each failure).
        response = client.post(reverse("login_verify"), {"code": code(device)})
        assert "次数过多" in response.context["form"].errors["code"][0]
        assert not signed_in(client)
        device.refresh_from_db()
        assert device.throttling_failure_count == 1

    def test_the_code_step_expires(self, client, device, settings):
        password_step(client)
        session = client.session
        session[PENDING_LOGIN_KEY]["started"] -= settings.TWO_FACTOR_LOGIN_TIMEOUT + 1
        session.save()

        response = client.post(reverse("login_verify"), {"code": code(device)})

        assert response.status_code == 302 and response.url == reverse("login")
        assert not signed_in(client)

    def test_the_code_step_without_a_password_step_goes_back_to_login(self, client, device):
        response = client.post(reverse("login_verify"), {"code": code(device)})
        assert response.status_code == 302 and response.url == reverse("login")
        assert not signed_in(client)

    def test_a_wrong_password_never_reaches_the_code_step(self, client, device):
        response = client.post(reverse("login"), {"username": "clerk_a", "password": "nope" * 4})
        assert response.status_code == 200
        assert PENDING_LOGIN_KEY not in client.session


class TestAdmin:
    def test_anonymous_visitors_go_through_the_portal_login(self, client, db):
        response = client.get(reverse("admin:index"), follow=True)
        assert response.redirect_chain[-1][0] == f"{reverse('login')}?next=/admin/"

    def test_an_administrator_without_a_device_is_sent_to_set_one_up(self, client, admin_user):
        client.force_login(admin_user)

        response = client.get(reverse("admin:index"), follow=True)

        url = urlparse(response.redirect_chain[-1][0])
        assert url.path == reverse("two_factor")
        assert parse_qs(url.query)["next"] == ["/admin/"]
        assert response.context["state"] == "setup"

        device = TOTPDevice.objects.get(user=admin_user)
        response = client.post(
            reverse("two_factor"), {"code": code(device), "next": "/admin/"}
        )
        assert response.status_code == 302 and response.url == "/admin/"
        assert client.get(reverse("admin:index")).status_code == 200

    def test_an_administrator_signed_in_with_the_password_alone_must_give_a_code(
        self, client, admin_user
    ):
        device = TOTPDevice.objects.create(user=admin_user, name="phone", confirmed=True)
        client.force_login(admin_user)

        response = client.get(reverse("admin:cases_household_changelist"), follow=True)
        assert response.context["state"] == "verify"
        assert client.get(reverse("admin:index")).status_code == 302

        response = client.post(
            reverse("two_factor"),
            {"code": code(device), "next": reverse("admin:cases_household_changelist")},
        )
        assert response.url == reverse("admin:cases_household_changelist")
        assert client.get(response.url).status_code == 200

    def test_the_admin_login_form_cannot_sign_in_with_a_password(self, client, admin_user):
        response = client.post(
            reverse("admin:login"), {"username": admin_user.username, "password": "password"}
        )
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
        assert not signed_in(client)

    def test_the_full_login_of_an_administrator_with_a_device_opens_admin(
        self, client, admin_user
    ):
        admin_user.set_password(PASSWORD)
        admin_user.save()
        device = TOTPDevice.objects.create(user=admin_user, name="phone", confirmed=True)

        response = password_step(client, username=admin_user.username, next_url="/admin/")
        response = client.post(response.url, {"code": code(device)})

        assert response.url == "/admin/"
        assert client.get("/admin/").status_code == 200

    def test_device_secrets_are_not_in_admin_and_an_administrator_can_reset_a_device(
        self, admin_client, county_a_clerk, device
    ):
        assert TOTPDevice not in admin.site._registry
        response = admin_client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "reset_two_factor", "_selected_action": [county_a_clerk.pk]},
        )
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=county_a_clerk).exists()


def test_next_pointing_to_another_site_is_ignored(client, county_a_clerk):
    client.force_login(county_a_clerk)
    client.get(reverse("two_factor"))
    device = TOTPDevice.objects.get(user=county_a_clerk)

    response = client.post(
        reverse("two_factor"), {"code": code(device), "next": "https://evil.example/admin/"}
    )

    assert response.status_code == 302 and response.url == reverse("two_factor")
