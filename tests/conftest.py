from urllib.parse import urlencode

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from tests.factories import CountyFactory, UserFactory

pytest_plugins = ["tests.log_audit"]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests last. Playwright keeps an event loop in the test thread, so from the first
    browser test on, the ORM works through new connection objects, which lack the database
    snapshot that transactional tests with ``serialized_rollback`` restore from."""
    items.sort(key=lambda item: "browser" in item.path.parts)


def verify_second_factor(client, user):
    """Marks the client's session as having passed a TOTP code (as django_otp.login does), for
    tests that are about something else than the login; returns the user's confirmed device."""
    device, _ = TOTPDevice.objects.get_or_create(user=user, defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def export(client, url, data, **extra):
    """Starts an export as the pages' buttons do: ``export`` (or the register's ``format``) is
    posted to the page's URL, whose query string carries the rest of ``data``."""
    query = dict(data)
    posted = {key: query.pop(key) for key in ("export", "format") if key in query}
    target = f"{url}?{urlencode(query, doseq=True)}" if query else url
    return client.post(target, posted, **extra)


def sign_in(client, user):
    """Logs the client in as ``user``; an administrator also passes the second factor, without
    which the portal shows administrators nothing (accounts.middleware)."""
    client.force_login(user)
    if user.is_administrator:
        verify_second_factor(client, user)
    return client


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, past the second factor Django admin requires."""
    client.force_login(admin_user)
    verify_second_factor(client, admin_user)
    return client


@pytest.fixture
def county_a(db):
    return CountyFactory(code="411727", name="汝南县")


@pytest.fixture
def county_b(db):
    return CountyFactory(code="411724", name="正阳县")


@pytest.fixture
def county_a_clerk(county_a):
    return UserFactory(username="clerk_a", county=county_a)


@pytest.fixture
def county_b_clerk(county_b):
    return UserFactory(username="clerk_b", county=county_b)


@pytest.fixture
def city_reviewer(db):
    return UserFactory(username="reviewer", role=Role.CITY_REVIEWER, county=None)


@pytest.fixture
def administrator(db):
    return UserFactory(username="administrator", role=Role.ADMINISTRATOR, county=None)


@pytest.fixture
def no_role_user(db):
    return UserFactory(username="nobody", role="", county=None)


@pytest.fixture(autouse=True)
def evidence_root(tmp_path_factory, monkeypatch):
    """Evidence files go to a directory of the test's own, never into the working tree. The
    file fields took their storage when the model was defined, so theirs is replaced: the
    configured storage's options (file modes), another location."""
    from django.conf import settings
    from django.core.files.storage import FileSystemStorage

    from evidence.models import Attachment

    root = tmp_path_factory.mktemp("evidence")
    storage = FileSystemStorage(**{**settings.STORAGES["evidence"]["OPTIONS"], "location": root})
    for name in ("file", "thumbnail"):
        monkeypatch.setattr(Attachment._meta.get_field(name), "storage", storage)
    return root


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files (imports) go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def run_jobs_on_commit(django_capture_on_commit_callbacks, monkeypatch):
    """The import views queue a job once the request's transaction commits; the test's
    transaction never commits, so run what was queued when each POST returns (as in
    production)."""
    from django.test import Client

    post = Client.post

    def post_and_commit(self, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(self, *args, **kwargs)

    monkeypatch.setattr(Client, "post", post_and_commit)
