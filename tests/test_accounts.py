import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Role, User

PASSWORD = "correct-horse-battery"


class TestRoleAndCounty:
    def test_county_staff_without_a_county_is_a_field_error(self, db):
        user = User(username="lost", role=Role.COUNTY_STAFF)
        with pytest.raises(ValidationError) as excinfo:
            user.full_clean()
        assert excinfo.value.message_dict["county"] == ["县区工作人员必须选择所属县区。"]

    def test_county_staff_without_a_county_is_refused_by_the_database(self, db):
        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.create(username="lost", role=Role.COUNTY_STAFF)

    def test_a_reviewer_cannot_be_tied_to_a_county(self, county_a):
        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.create(username="odd", role=Role.CITY_REVIEWER, county=county_a)

    def test_groups_follow_the_role(self, county_a_clerk):
        assert list(county_a_clerk.groups.values_list("name", flat=True)) == ["县区总工会工作人员"]
        county_a_clerk.role, county_a_clerk.county = Role.CITY_REVIEWER, None
        county_a_clerk.save()
        assert list(county_a_clerk.groups.values_list("name", flat=True)) == ["市总工会审核人员"]
        assert county_a_clerk.has_perm("cases.view_household")
        assert not county_a_clerk.has_perm("cases.change_household")

    def test_county_staff_may_not_delete_households(self, county_a_clerk):
        assert county_a_clerk.has_perm("cases.change_household")
        assert not county_a_clerk.has_perm("cases.delete_household")

    def test_administrators_are_staff_with_account_permissions(self, administrator):
        administrator.refresh_from_db()
        assert administrator.is_staff
        assert administrator.has_perm("accounts.add_user")


class TestLogin:
    def login(self, client, username, password, ip="10.1.1.1"):
        return client.post(
            reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
        )

    def test_login_page_is_in_chinese_by_default(self, client, db):
        response = client.get(reverse("login"))
        assert response.status_code == 200
        assert '<html lang="zh-hans">' in response.content.decode()
        assert "登录" in response.content.decode()

    def test_successful_login_lands_on_home(self, client, county_a_clerk):
        response = self.login(client, "clerk_a", PASSWORD)
        assert response.status_code == 302
        assert response.url == reverse("cases:home")

    def test_repeated_failures_lock_the_username_from_that_address_only(
        self, client, county_a_clerk, county_b_clerk, settings
    ):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.login(client, "clerk_a", "wrong-password")
        locked = self.login(client, "clerk_a", PASSWORD)
        assert locked.status_code == 429
        assert "_auth_user_id" not in client.session
        # A colleague in the same office, behind the same IP, can still log in.
        assert self.login(client, "clerk_b", PASSWORD).status_code == 302

    def test_passwords_shorter_than_12_characters_are_refused(self, db):
        with pytest.raises(ValidationError):
            validate_password("Short-1234")
        validate_password("a long passphrase of several words")

    def test_logout_is_a_post_and_ends_the_session(self, client, county_a_clerk):
        client.force_login(county_a_clerk)
        response = client.post(reverse("logout"))
        assert response.status_code == 302
        assert "_auth_user_id" not in client.session


def test_pages_need_login(client, db):
    response = client.get(reverse("cases:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_english_can_be_chosen(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page
    assert "Log in" in page



def test_leaving_the_administrator_role_removes_admin_access(administrator):
    administrator.role = Role.CITY_REVIEWER
    administrator.save()
    administrator.refresh_from_db()
    assert not administrator.is_staff


def test_full_names_are_written_family_name_first(db):
    assert User(first_name="秀兰", last_name="王").get_full_name() == "王秀兰"
