"""Observability: request ids, JSON logs, error pages and the health check."""

import io
import json
import logging
import re
import socket
import time

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from cases.choices import ReviewStatus
from reliefportal.middleware import RequestContextFilter
from tests.factories import HouseholdFactory, PairingFactory, UserFactory
from tests.forms import page_post_data


@pytest.fixture
def log_lines():
    """What the configured console handler writes (JSON in the test settings, as in
    production), one parsed object per line."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RequestContextFilter) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    lines = []

    def read():
        lines[:] = [json.loads(line) for line in stream.getvalue().splitlines() if line]
        return lines

    yield read
    handler.setStream(previous)


def access_lines(lines):
    return [line for line in lines if line["logger"] == "reliefportal.request"]


#
# Request id
#


def test_a_request_id_is_generated_and_returned(client, db):
    first = client.get("/accounts/login/")
    second = client.get("/accounts/login/")
    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_the_proxys_request_id_is_kept(client, db):
    response = client.get("/accounts/login/", headers={"X-Request-ID": "f3c1a2b4d5e6-proxy"})
    assert response["X-Request-ID"] == "f3c1a2b4d5e6-proxy"


@pytest.mark.parametrize(
    "incoming", ["short", "x" * 65, "id with spaces 123", "abc123456\nInjected: yes", "<script>1"]
)
def test_an_odd_incoming_request_id_is_replaced(client, db, incoming):
    response = client.get("/accounts/login/", headers={"X-Request-ID": incoming})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


#
# Structured logs
#


def test_each_request_logs_one_json_line_with_its_context(client, county_a_clerk, log_lines):
    household = HouseholdFactory(village__township__county=county_a_clerk.county)
    client.force_login(county_a_clerk)
    response = client.get(
        f"/households/{household.pk}/",
        headers={"X-Request-ID": "trace-0001-abcd"},
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 200
    [line] = access_lines(log_lines())
    assert line["level"] == "INFO"
    assert line["request_id"] == "trace-0001-abcd"
    assert line["user_id"] == county_a_clerk.pk
    assert line["ip"] == "192.0.2.7"
    assert line["path"] == f"/households/{household.pk}/"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", line["time"])


def test_anonymous_requests_log_no_user(client, db, log_lines):
    client.get("/accounts/login/")
    [line] = access_lines(log_lines())
    assert line["user_id"] is None
    assert line["status"] == 200


def test_the_query_string_is_not_logged(client, county_a_clerk, log_lines):
    """Searches carry names and ID numbers; the log keeps the path only."""
    client.force_login(county_a_clerk)
    client.get("/households/", {"q": "411727198001010011"})
    text = json.dumps(log_lines(), ensure_ascii=False)
    assert "411727198001010011" not in text
    assert access_lines(log_lines())[0]["path"] == "/households/"


def test_the_proxys_address_is_used_only_when_trusted(client, db, log_lines, settings):
    forwarded = {"X-Forwarded-For": "203.0.113.9, 198.51.100.4"}
    client.get("/accounts/login/", headers=forwarded, REMOTE_ADDR="127.0.0.1")
    settings.TRUST_X_FORWARDED_FOR = True
    client.get("/accounts/login/", headers=forwarded, REMOTE_ADDR="127.0.0.1")
    untrusted, trusted = access_lines(log_lines())
    assert untrusted["ip"] == "127.0.0.1"
    # The last entry is the one our nginx appended; the first is whatever the client claimed.
    assert trusted["ip"] == "198.51.100.4"


def test_a_save_is_logged_with_the_object_id_and_who_made_it(client, county_a_clerk, log_lines):
    household = HouseholdFactory(village__township__county=county_a_clerk.county)
    url = reverse("cases:household_edit", args=[household.pk])
    client.force_login(county_a_clerk)
    data = page_post_data(client.get(url), head_name="改名后的户主")
    response = client.post(url, data, headers={"X-Request-ID": "trace-save-0001"})
    assert response.status_code == 302
    [saved] = [line for line in log_lines() if line["logger"] == "cases.records"]
    assert saved["message"] == f"cases.household {household.pk} saved"
    assert saved["object_id"] == household.pk
    assert saved["model"] == "cases.household"
    assert saved["user_id"] == county_a_clerk.pk
    assert saved["request_id"] == "trace-save-0001"
    assert "改名后的户主" not in json.dumps(log_lines(), ensure_ascii=False)


def test_a_review_decision_is_logged_with_the_object_id(client, city_reviewer, log_lines):
    pairing = PairingFactory(review_status=ReviewStatus.SUBMITTED)
    client.force_login(city_reviewer)
    client.post(reverse("cases:record_approve", args=["pairing", pairing.pk]))
    client.post(reverse("cases:record_approve", args=["pairing", pairing.pk]))
    approved, refused = [line for line in log_lines() if line["logger"] == "cases.records"]
    assert approved["message"] == f"cases.pairing {pairing.pk} approved"
    assert approved["level"] == "INFO"
    assert refused["message"] == f"cases.pairing {pairing.pk} decision refused"
    assert refused["level"] == "WARNING"
    assert {approved["user_id"], refused["user_id"]} == {city_reviewer.pk}
    assert approved["request_id"] != refused["request_id"]


def test_log_lines_outside_a_request_have_empty_context(log_lines):
    logging.getLogger("reliefportal.tests").warning(
        "household %s archived", 42, extra={"household_id": 42}
    )
    [line] = [x for x in log_lines() if x["logger"] == "reliefportal.tests"]
    assert line["message"] == "household 42 archived"
    assert line["household_id"] == 42
    assert line["request_id"] is None
    assert line["user_id"] is None


#
# Error pages, as production shows them (DEBUG off)
#


@pytest.mark.urls("tests.ops_urls")
def test_a_server_error_shows_the_request_id_and_no_internals(db, log_lines, settings):
    assert settings.DEBUG is False
    client = Client(raise_request_exception=False)
    response = client.get("/ops-test/broken/", headers={"X-Request-ID": "trace-0500-abcd"})
    assert response.status_code == 500
    assert response["X-Request-ID"] == "trace-0500-abcd"
    body = response.content.decode()
    assert "服务器错误" in body
    assert "trace-0500-abcd" in body
    assert "Traceback" not in body
    assert "4711" not in body
    assert "RuntimeError" not in body
    # The log has the whole story, under the same request id.
    error = next(line for line in log_lines() if line["level"] == "ERROR")
    assert error["request_id"] == "trace-0500-abcd"
    assert "RuntimeError: secret internal detail 4711" in error["exc_info"]
    assert "request" not in error


@pytest.mark.urls("tests.ops_urls")
def test_the_server_error_page_needs_no_context_processor(db, settings):
    """A failing context processor (say, the database is gone) must not break the 500 page."""
    template_settings = [dict(settings.TEMPLATES[0])]
    template_settings[0]["OPTIONS"] = {
        **template_settings[0]["OPTIONS"],
        "context_processors": ["tests.test_ops.failing_context_processor"],
    }
    settings.TEMPLATES = template_settings
    response = Client(raise_request_exception=False).get("/ops-test/broken/")
    assert response.status_code == 500
    assert response["X-Request-ID"] in response.content.decode()


def failing_context_processor(request):
    raise RuntimeError("context processor failed")


@pytest.mark.urls("tests.ops_urls")
def test_not_found_and_forbidden_pages_show_the_request_id(client, county_a_clerk):
    client.force_login(county_a_clerk)
    not_found = client.get("/households/999999/")
    forbidden = client.get("/ops-test/forbidden/")
    assert not_found.status_code == 404
    assert forbidden.status_code == 403
    for response, heading in ((not_found, "页面不存在"), (forbidden, "无权访问")):
        body = response.content.decode()
        assert heading in body
        assert response["X-Request-ID"] in body


def test_a_bad_request_page_shows_the_request_id(client, db):
    response = client.get("/accounts/login/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    body = response.content.decode()
    assert "请求无效" in body
    assert response["X-Request-ID"] in body
    assert "attacker.example" not in body


#
# Health check
#


def test_health_answers_ok_when_the_database_answers(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_is_exempt_from_the_https_redirect(client, db, settings):
    """The load balancer probes the app server over plain HTTP."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health/").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


def _unreachable(settings_dict, port):
    if connection.vendor == "postgresql":
        return {**settings_dict, "HOST": "127.0.0.1", "PORT": port}
    return {**settings_dict, "NAME": "/nonexistent-directory/reliefportal.sqlite3"}


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _assert_unavailable_quickly(client):
    started = time.monotonic()
    response = client.get("/health/")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert elapsed < 2
    # Nothing about why: no host, port, driver or exception for whoever asks.
    assert response.json() == {"status": "unavailable"}
    return elapsed


def test_health_fails_fast_when_the_database_refuses(client, db, monkeypatch):
    default = connections["default"]
    unreachable = _unreachable(default.settings_dict, _closed_port())
    monkeypatch.setattr(default, "settings_dict", unreachable)
    _assert_unavailable_quickly(client)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a server that never answers is a network case"
)
def test_health_fails_within_two_seconds_when_the_database_hangs(client, db, monkeypatch):
    """A server that accepts the connection and never answers (a hung host, a full backlog)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        default = connections["default"]
        hung = _unreachable(default.settings_dict, silent.getsockname()[1])
        monkeypatch.setattr(default, "settings_dict", hung)
        elapsed = _assert_unavailable_quickly(client)
    assert elapsed > 1  # it really waited for the database rather than failing at once


def test_a_user_sees_nothing_more_from_health(client, db, monkeypatch):
    client.force_login(UserFactory(role="", county=None))
    default = connections["default"]
    unreachable = _unreachable(default.settings_dict, _closed_port())
    monkeypatch.setattr(default, "settings_dict", unreachable)
    assert client.get("/health/").json() == {"status": "unavailable"}
