"""Accessibility of the county workspace's main pages, in a real browser, at a desktop width and
at a phone width: axe-core finds no serious or critical violation, a phone does not scroll
sideways, and the main navigation opens from the keyboard."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from cases.models import PovertyCause
from cases.validators import build_resident_id
from tests.browser.conftest import log_in
from tests.factories import (
    ExportJobFactory,
    HouseholdFactory,
    LaborModelFactory,
    MemberFactory,
    PairingFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1280, 375)
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture
def household(county_a_clerk):
    """A household of clerk_a's county with two members and a pairing, so the case page shows
    its tables filled in. (The data migrations' poverty causes may have been flushed by an
    earlier live_server test.)"""
    PovertyCause.objects.get_or_create(code="illness", defaults={"name": "因病"})
    household = HouseholdFactory(
        village__township__county=county_a_clerk.county,
        village__township__name="老君庙镇",
        village__name="大王庄村",
        head_name="张建国",
        register_number="4117271030020718",
    )
    for name, relation, birth_date, sequence in (
        ("张建国", "head", datetime.date(1968, 5, 12), 713),
        ("李秀兰", "spouse", datetime.date(1970, 8, 3), 524),
    ):
        MemberFactory(
            household=household,
            name=name,
            relation=relation,
            id_number=build_resident_id("411727", birth_date, sequence),
        )
    PairingFactory(household=household, labor_model=LaborModelFactory(county=household.county))
    return household


def pages_to_check(household, export_job):
    return {
        "home": "/",
        "household list": "/households/",
        "household page": household.get_absolute_url(),
        "household form": "/households/new/",
        # Tom Select search boxes, single and multiple (static/js/autocomplete.js).
        "training form": "/training/new/",
        "background export": export_job.get_absolute_url(),
        "my exports": "/exports/",
    }


def blocking_violations(page):
    violations = Axe().run(page).response["violations"]
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"      {' '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_main_pages_have_no_serious_accessibility_violations(
    new_page, household, county_a_clerk, width
):
    export_job = ExportJobFactory(log__user=county_a_clerk)
    page = new_page(width)
    log_in(page, "clerk_a")
    problems = []
    for name, url in pages_to_check(household, export_job).items():
        page.goto(url)
        expect(page.locator("main h1")).to_be_visible()
        violations = blocking_violations(page)
        if violations:
            problems.append(f"{name} ({url}) at {width}px:\n{describe(violations)}")
        if width < 576:
            scroll_width, window_width = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if scroll_width > window_width:
                problems.append(
                    f"{name} ({url}) at {width}px scrolls sideways: "
                    f"{scroll_width}px wide in a {window_width}px window"
                )
    assert not problems, "\n".join(problems)


def tab_to(page, target, most=15):
    """Press Tab until ``target`` has the focus; fail if it is not reached in ``most`` presses."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{most} presses of Tab never reached {target}")


def test_on_a_phone_the_main_navigation_opens_from_the_keyboard(new_page, county_a_clerk):
    page = new_page(375)
    log_in(page, "clerk_a")
    page.goto("/")
    toggler = page.get_by_role("button", name="展开或收起导航菜单")
    menu = page.locator("#main-navbar")
    expect(toggler).to_be_visible()
    expect(menu.get_by_role("link", name="首页")).to_be_hidden()

    # From the top of the page, Tab goes past the skip link and the brand to the toggler.
    tab_to(page, toggler)
    page.keyboard.press("Enter")
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="首页")).to_be_visible()
    expect(menu.get_by_role("button", name="贫困户")).to_be_visible()

    # The menu's items come next in the tab order, and a submenu opens from the keyboard too.
    page.keyboard.press("Tab")
    expect(menu.get_by_role("link", name="首页")).to_be_focused()
    tab_to(page, menu.get_by_role("button", name="贫困户"))
    page.keyboard.press("Enter")
    households_link = menu.get_by_role("link", name="贫困户")
    expect(households_link).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(households_link).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/households/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("贫困户")
