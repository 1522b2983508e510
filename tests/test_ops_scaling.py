"""Scaling out: the Redis cache and session setting, and the read-replica router."""

import os

import pytest
import redis
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from cases.models import Household
from reliefportal.routers import ReadReplicaRouter, use_read_replica
from tests.factories import HouseholdFactory, UserFactory
from tests.support import production_settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_reachable():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        return False


@pytest.fixture
def real_redis():
    if not redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must have Redis at {REDIS_URL} (.ci/run starts it)")
        pytest.skip(f"no Redis at {REDIS_URL}")
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()


#
# Redis
#


def test_without_redis_the_cache_is_local_and_sessions_in_the_database(monkeypatch):
    built = production_settings(monkeypatch, SECRET_KEY="x")
    assert built["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert built["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


def test_redis_url_puts_cache_and_sessions_in_redis(monkeypatch, real_redis, client, db, settings):
    built = production_settings(monkeypatch, SECRET_KEY="x", REDIS_URL=REDIS_URL)
    settings.CACHES = built["CACHES"]
    settings.SESSION_ENGINE = built["SESSION_ENGINE"]
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"

    cache = caches["default"]
    cache.set("round-trip", {"county": "汝南县"}, 30)
    assert cache.get("round-trip") == {"county": "汝南县"}
    assert any(b"round-trip" in key for key in real_redis.keys("*"))

    # A session written by one app server is read from Redis by another.
    user = UserFactory()
    client.force_login(user)
    session_keys = [key for key in real_redis.keys("*") if b"django.contrib.sessions" in key]
    assert len(session_keys) == 1
    assert client.get(reverse("cases:home")).status_code == 200


#
# Read replica
#


def test_the_replica_is_configured_only_by_its_url(monkeypatch):
    assert "replica" not in production_settings(monkeypatch, SECRET_KEY="x")["DATABASES"]
    built = production_settings(
        monkeypatch,
        SECRET_KEY="x",
        DATABASE_URL="postgres://app@primary.internal/reliefportal",
        DATABASE_REPLICA_URL="postgres://reader@replica.internal/reliefportal",
    )
    assert built["DATABASES"]["replica"]["HOST"] == "replica.internal"
    assert built["DATABASES"]["default"]["HOST"] == "primary.internal"


def test_the_replica_is_never_migrated_or_written():
    router = ReadReplicaRouter()
    assert router.allow_migrate("replica", "cases") is False
    assert router.allow_migrate("default", "cases") is True
    with use_read_replica():
        assert router.db_for_write(Household) == "default"


class ReplicaRoutingTests(TransactionTestCase):
    """With a second alias on the test database, as a replica would be (same rows): committed
    rows, so the second connection sees what the first wrote. The alias exists only for these
    tests, so the rest of the suite runs without a replica."""

    databases = {"default", "replica"}
    # Transactional tests empty the database; this puts back the reference data.
    serialized_rollback = True

    @classmethod
    def setUpClass(cls):
        connections.settings["replica"] = {**connections["default"].settings_dict}
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        connections["replica"].close()
        del connections["replica"]
        del connections.settings["replica"]

    def test_reads_go_to_the_replica_only_inside_the_context(self):
        household = HouseholdFactory()
        with (
            CaptureQueriesContext(connections["replica"]) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            assert Household.objects.count() == 1
            with use_read_replica():
                assert Household.objects.count() == 1
                household.head_name = "改名"
                household.save()  # writes still go to the primary
            assert Household.objects.filter(head_name="改名").count() == 1
        assert [q["sql"].split()[0] for q in on_replica.captured_queries] == ["SELECT"]
        on_primary_sql = [q["sql"] for q in on_primary.captured_queries]
        assert on_primary_sql[0].startswith("SELECT COUNT")
        assert any(sql.startswith('UPDATE "cases_household"') for sql in on_primary_sql)
        assert on_primary_sql[-1].startswith("SELECT COUNT")

    def assert_read_from_replica(self, url, posted=None):
        self.client.force_login(UserFactory(role=Role.CITY_REVIEWER, county=None))
        with (
            CaptureQueriesContext(connections["replica"]) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            response = self.client.post(url, posted) if posted else self.client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200
        assert on_replica.captured_queries, "nothing was read from the replica"
        # The primary still records who exported what (an INSERT), but reads no household.
        households_read = [
            q["sql"]
            for q in on_primary.captured_queries
            if q["sql"].startswith("SELECT") and "cases_household" in q["sql"]
        ]
        assert households_read == []
        return body

    def test_the_dashboard_reads_the_replica(self):
        HouseholdFactory()
        self.assert_read_from_replica(reverse("cases:dashboard"))

    def test_exports_read_the_replica(self):
        household = HouseholdFactory(head_name="复制库户主")
        body = self.assert_read_from_replica(reverse("cases:household_list"), {"export": "csv"})
        assert household.head_name in body.decode("utf-8-sig")

    def test_other_pages_read_the_primary(self):
        household = HouseholdFactory()
        self.client.force_login(UserFactory(role=Role.CITY_REVIEWER, county=None))
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            response = self.client.get(reverse("cases:household_detail", args=[household.pk]))
        assert response.status_code == 200
        assert on_replica.captured_queries == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_a_replica_the_context_reads_the_primary():
    HouseholdFactory()
    with CaptureQueriesContext(connections["default"]) as on_primary, use_read_replica():
        assert Household.objects.count() == 1
    assert len(on_primary.captured_queries) == 1


#
# Log format
#


def test_logs_are_json_in_production_and_text_on_request(monkeypatch):
    def formatter(**environ):
        built = production_settings(monkeypatch, SECRET_KEY="x", **environ)
        return built["LOGGING"]["handlers"]["console"]["formatter"]

    assert formatter() == "json"
    assert formatter(LOG_FORMAT="text") == "text"
    assert formatter(DEBUG="true") == "text"
    assert formatter(DEBUG="true", LOG_FORMAT="json") == "json"


def test_an_unknown_log_format_is_a_configuration_error(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT"):
        production_settings(monkeypatch, SECRET_KEY="x", LOG_FORMAT="xml")
