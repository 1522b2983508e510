"""Real-browser tests: Playwright driving the machine's Chromium against a live server.

Where no Chromium is installed the tests skip and say so; under CI (CI=true) a missing
Chromium is a failure, because there the browser journeys must run.
"""

import importlib
import os
import re
import shutil

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests.factories import UserFactory

# Playwright's sync API keeps an event loop in the test thread; the ORM calls the tests make
# around it (fixtures, assertions) are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct-horse-battery"

# What the data migrations load: reference data, the role groups and their permissions.
DATA_MIGRATIONS = [
    ("cases.migrations.0002_reference_data", "add_reference_data"),
    ("accounts.migrations.0003_role_groups", "create_role_groups"),
    ("accounts.migrations.0004_target_permissions", "grant"),
    ("cases.migrations.0007_privacy_logs", "grant"),
    ("imports.migrations.0002_register_export_permission", "grant"),
]


@pytest.fixture(scope="session")
def migrated_apps(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return MigrationLoader(connection).project_state().apps


@pytest.fixture(autouse=True)
def migrated_data(migrated_apps, transactional_db):
    """A live-server test runs on a transactional database, emptied after each test: put back
    what the data migrations loaded, with the models as those migrations see them. The flush
    also gave the content types new ids: forget the cached ones, which a review event or an
    attachment would otherwise point at (a foreign key error at commit, on SQLite)."""
    ContentType.objects.clear_cache()
    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(migrated_apps, None)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"no Chromium at {CHROMIUM}: browser tests need Debian's chromium package"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Opens a fresh browser context (its own cookies) on the live server; width in px."""
    contexts = []

    def open_page(width=1280):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": 900},
            locale="zh-CN",
            accept_downloads=True,
            # Bootstrap then skips its colour transitions: axe measuring a button still fading
            # into its hover colours found a contrast that no user sees, now and then.
            reduced_motion="reduce",
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def log_in(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def pick(page, label, query, option):
    """Choose in a Tom Select search box: type part of the text, click the matching option."""
    # The accessible name is the field's label, with "*" when the field is required. ("/" is
    # escaped because Playwright hands the pattern to the browser as a /regex/ literal.)
    name = re.escape(label).replace("/", r"\/")
    box = page.get_by_role("combobox", name=re.compile(rf"^{name}\*?$"))
    box.click()
    box.press_sequentially(query)
    page.get_by_role("option", name=re.compile(re.escape(option))).click()


def fill_member(page, index, name, id_number, relation):
    prefix = f"members-{index}"
    page.locator(f"[name='{prefix}-name']").fill(name)
    page.locator(f"[name='{prefix}-id_number']").fill(id_number)
    page.locator(f"[name='{prefix}-relation']").select_option(label=relation)


@pytest.fixture
def clerk_factory(transactional_db):
    return UserFactory
