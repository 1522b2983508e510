"""Login throttling (django-axes on username + IP together) and the password policy."""

import logging

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User

PASSWORD = "correct-horse-battery"
OFFICE_IP = "10.20.30.40"


def attempt(client, username, password, ip=OFFICE_IP):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def signed_in(response):
    return response.status_code == 302 and response.url == reverse("cases:home")


def test_the_limit_counts_failures_and_the_next_one_locks(client, county_a_clerk, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "clerk_a", "wrong password 1").status_code == 200
    # Below the limit the right password still works, and success clears the count.
    assert signed_in(attempt(client, "clerk_a", PASSWORD))
    client.post(reverse("logout"))

    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "clerk_a", "wrong password 2")
    locked = attempt(client, "clerk_a", PASSWORD)
    assert locked.status_code == 429
    assert "账号已临时锁定" in locked.content.decode()


def test_a_shared_office_ip_does_not_lock_out_colleagues(
    client, county_a_clerk, county_b_clerk, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "clerk_a", "wrong password")
    assert attempt(client, "clerk_a", PASSWORD).status_code == 429

    # Same office, same address: a colleague signs in.
    assert signed_in(attempt(client, "clerk_b", PASSWORD))
    client.post(reverse("logout"))
    # The locked user from another address too: the pair is locked, not the name alone.
    assert signed_in(attempt(client, "clerk_a", PASSWORD, ip="10.20.30.41"))


def test_guessing_many_usernames_from_one_address_locks_none_of_the_others(
    client, county_a_clerk, settings
):
    for n in range(settings.AXES_FAILURE_LIMIT * 3):
        attempt(client, f"nobody{n}", "wrong password")
    assert signed_in(attempt(client, "clerk_a", PASSWORD))


def test_each_failure_is_logged_with_username_and_address_and_no_password(
    client, county_a_clerk, caplog, settings
):
    secret_guess = "my-wrong-guess-7731"
    with caplog.at_level(logging.INFO):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            attempt(client, "clerk_a", secret_guess)

    failures = [
        r for r in caplog.records
        if r.name == "accounts.security" and r.getMessage().startswith("login failed")
    ]
    assert [r.getMessage() for r in failures] == [
        f"login failed for username 'clerk_a' from {OFFICE_IP}"
    ] * settings.AXES_FAILURE_LIMIT
    assert all(r.levelno == logging.WARNING for r in failures)
    assert any(
        r.name.startswith("axes") and "Locking out" in r.getMessage() for r in caplog.records
    )
    assert not [r for r in caplog.records if secret_guess in r.getMessage()]


class TestPasswordPolicy:
    def test_a_64_character_passphrase_with_spaces_and_chinese_is_accepted(
        self, client, county_a_clerk
    ):
        passphrase = (
            "驻马店 劳模助力脱贫 二〇一八年八月 correct horse battery staple "
            "结对帮扶 西平县上蔡县平舆县遂平"
        )
        assert len(passphrase) == 64
        validate_password(passphrase, county_a_clerk)

        client.force_login(county_a_clerk)
        response = client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": passphrase, "new_password2": passphrase},
        )
        assert response.status_code == 302
        assert User.objects.get(pk=county_a_clerk.pk).check_password(passphrase)

    def test_eleven_characters_are_refused_and_twelve_accepted(self, db):
        with pytest.raises(ValidationError) as excinfo:
            validate_password("Qz7!mK2@pL9")
        assert [e.code for e in excinfo.value.error_list] == ["password_too_short"]
        validate_password("Qz7!mK2@pL9#")

    def test_the_password_change_form_refuses_a_short_password(self, client, county_a_clerk):
        short = "Qz7!mK2@pL9"
        client.force_login(county_a_clerk)
        response = client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": short, "new_password2": short},
        )
        assert response.status_code == 200
        assert "password_too_short" in [
            e.code for e in response.context["form"].errors.as_data()["new_password2"]
        ]
        assert User.objects.get(pk=county_a_clerk.pk).check_password(PASSWORD)
