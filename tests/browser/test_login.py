import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_county_clerk_logs_in_and_sees_their_county(new_page, county_a_clerk):
    page = new_page()
    log_in(page, county_a_clerk.username)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "汝南县" in page.locator("header").inner_text()


def test_a_wrong_password_keeps_the_user_on_the_login_page(new_page, county_a_clerk):
    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(county_a_clerk.username)
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    assert "/accounts/login/" in page.url
    assert page.locator(".alert-danger").get_by_text("正确的用户名").is_visible()
    # The error summary at the top has the focus, so a screen reader starts there.
    expect(page.locator("[data-error-summary]")).to_be_focused()


def test_the_error_summary_links_put_the_focus_in_the_field(new_page, county_a_clerk):
    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(county_a_clerk.username)
    page.get_by_role("button", name="登录").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="密码").click()
    expect(page.get_by_label("密码")).to_be_focused()
