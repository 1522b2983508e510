"""Security headers on every page: CSP without inline script, HSTS, nosniff, Referrer-Policy,
no framing, and ``Cache-Control: no-store`` on everything a signed-in user is shown."""

import re

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories
from tests.support import export, verify_second_factor


def csp_directives(response):
    header = response.headers["Content-Security-Policy"]
    return {
        name: sources
        for name, *sources in (part.split() for part in header.split(";") if part.strip())
    }


def assert_security_headers(response, *, signed_in):
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["img-src"] == ["'self'", "data:"]
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    if signed_in:
        cache_control = {part.strip() for part in response.headers["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= cache_control


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)


def assert_no_inline_code(html):
    """What the CSP would block: inline scripts (json_script data is allowed, it never runs),
    on*= handlers, and style attributes."""
    assert not INLINE_SCRIPT.findall(html)
    assert not EVENT_HANDLER.findall(html)
    assert not STYLE_ATTRIBUTE.findall(html)


def routes_without_arguments(resolver=None, prefix=""):
    """Every named route of the URL configuration that takes no argument."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from routes_without_arguments(pattern, namespace)
        elif (
            isinstance(pattern, URLPattern)
            and pattern.name
            and not pattern.pattern.converters
            and "(" not in str(pattern.pattern)
        ):
            yield f"{prefix}{pattern.name}"


@pytest.fixture
def household(county_a):
    return factories.MemberFactory(household__village__township__county=county_a).household


def test_production_settings_send_hsts_for_a_year_with_subdomains():
    assert settings.SECURE_HSTS_SECONDS == 365 * 24 * 3600
    assert settings.SECURE_HSTS_INCLUDE_SUBDOMAINS
    assert settings.SESSION_COOKIE_SECURE and settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_SECURE


def test_the_login_page_has_the_headers(client, db):
    response = client.get(reverse("login"), secure=True)
    assert response.status_code == 200
    assert_security_headers(response, signed_in=False)
    assert_no_inline_code(response.content.decode())


@pytest.mark.parametrize(
    "url_name",
    [
        "cases:home",
        "cases:dashboard",
        "cases:household_list",
        "cases:member_list",
        "cases:household_add",
        "cases:pairing_list",
        "password_change",
        "two_factor",
    ],
)
def test_signed_in_pages_have_the_headers_and_no_inline_code(
    client, county_a_clerk, household, url_name
):
    client.force_login(county_a_clerk)
    response = client.get(reverse(url_name), secure=True)
    assert response.status_code == 200
    assert_security_headers(response, signed_in=True)
    assert_no_inline_code(response.content.decode())


def test_case_page_and_exports_are_not_stored(client, county_a_clerk, household):
    client.force_login(county_a_clerk)
    page = client.get(reverse("cases:household_detail", args=[household.pk]), secure=True)
    assert page.status_code == 200
    assert_security_headers(page, signed_in=True)
    assert_no_inline_code(page.content.decode())
    for export_format in ("csv", "xlsx"):
        response = export(
            client, reverse("cases:member_list"), {"export": export_format}, secure=True
        )
        assert response.status_code == 200
        assert response.headers["Content-Type"] != "text/html; charset=utf-8"
        assert "no-store" in response.headers["Cache-Control"]


def test_dashboard_passes_chart_data_as_json_not_script(client, city_reviewer, household):
    client.force_login(city_reviewer)
    html = client.get(reverse("cases:dashboard"), secure=True).content.decode()
    assert '<script id="dashboard-data" type="application/json">' in html
    assert_no_inline_code(html)


def test_every_get_route_without_arguments_has_the_headers(
    client, county_a_clerk, city_reviewer, admin_user
):
    """Every route of the URL configuration that takes no argument, as county staff and as a
    city reviewer (the portal) and as a verified administrator (Django admin): whatever the
    status, the headers are there, and HTML pages carry no inline code."""
    names = sorted(set(routes_without_arguments()))
    assert "cases:home" in names and "admin:index" in names and "login" in names
    html_pages = set()
    for name in names:
        users = [admin_user] if name.startswith("admin:") else [county_a_clerk, city_reviewer]
        for user in users:
            client.force_login(user)
            if user == admin_user:
                verify_second_factor(client, admin_user)
            response = client.get(reverse(name), secure=True)
            assert response.status_code < 500, name
            assert_security_headers(response, signed_in=True)
            is_html = response.headers.get("Content-Type", "").startswith("text/html")
            if is_html and response.status_code == 200:
                assert_no_inline_code(response.content.decode())
                html_pages.add(name)
    assert {"cases:review_queue", "cases:report", "cases:dashboard", "admin:index"} <= html_pages
    assert len(html_pages) > 60
