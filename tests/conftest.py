import os
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from accounts.models import Role
from tests.factories import CountyFactory, TownshipFactory, UserFactory, VillageFactory
from tests.support import county_rows, household_in, verify_second_factor

pytest_plugins = ["tests.log_audit"]

DEMO = "tests/demo/"

# Hypothesis draws the same examples on every run (derandomize: a seed derived from each test),
# so a run fails or passes the same way in CI and on a laptop, and keeps no example database.
# HYPOTHESIS_PROFILE=explore draws new ones.
# Loaded here, before the test modules build their settings objects on the default profile.
# The fuzz tests (tests/test_fuzz_forms.py) take their number of examples from the profile: a
# fixed 200 per form in the suite, 1,000 new ones when exploring.
hypothesis_settings.register_profile(
    "suite", derandomize=True, database=None, deadline=None, max_examples=200
)
hypothesis_settings.register_profile(
    "explore", derandomize=False, database=None, deadline=None, max_examples=1000
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under pytest-xdist, the tests of tests/demo/ go to one worker, together, so the demo is
    loaded once (tests/demo/conftest.py); every other test goes to whichever worker is free.
    (xdist's own ``--dist loadgroup`` names groups by rewriting node ids, which pytest 9
    ignores.)"""
    from xdist.scheduler import LoadScopeScheduling

    class DemoTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return DEMO if nodeid.startswith(DEMO) else nodeid

    return DemoTogether(config, log)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests last. Playwright keeps an event loop in the test thread, so from the first
    browser test on, the ORM works through new connection objects, which lack the database
    snapshot that transactional tests with ``serialized_rollback`` restore from."""
    items.sort(key=lambda item: "browser" in item.path.parts)


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


@pytest.fixture
def clerk_client(client, county_a_clerk):
    """The test client, signed in as county A's clerk."""
    client.force_login(county_a_clerk)
    return client


@pytest.fixture
def village_a(county_a):
    """A village of county A, by the names the import test files use."""
    township = TownshipFactory(county=county_a, name="老君庙镇")
    return VillageFactory(township=township, name="后刘庄村")


@pytest.fixture
def household(county_a):
    return household_in(county_a)


@pytest.fixture
def w(county_a, county_b):
    """Counties A and B, each with a row of everything a record form may choose."""
    return SimpleNamespace(a=county_rows(county_a), b=county_rows(county_b))


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the portal's default language. A request in English leaves English
    active in the test's thread after the response (LocaleMiddleware activates a language and
    nothing restores it), and under pytest-xdist the test that follows differs between runs."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


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
