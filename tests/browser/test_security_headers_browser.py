"""The Content-Security-Policy in a real browser: the main pages, the dashboard's charts and
the search-as-you-type selects work under it, and Chromium reports no violation."""


import pytest
from playwright.sync_api import expect

from accounts.models import Role
from tests.browser.conftest import log_in
from tests.factories import (
    CountyFactory,
    LaborModelFactory,
    MemberFactory,
    PairingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Records every CSP violation the page reports, before any of the page's own scripts run.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


# Opens the tooltip of the first bar; true when that changed the chart's pixels.
SHOW_TOOLTIP = """async (name) => {
  const element = document.querySelector(`[data-chart="${name}"]`);
  const canvas = element.querySelector("canvas");
  const before = canvas.toDataURL();
  window.echarts.getInstanceByDom(element).dispatchAction(
    { type: "showTip", seriesIndex: 0, dataIndex: 0 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  return canvas.toDataURL() !== before;
}"""

# What the dashboard avoids: an HTML tooltip is markup with style="" attributes.
HTML_TOOLTIP = """async () => {
  const element = document.createElement("div");
  element.className = "dashboard-chart";
  document.body.appendChild(element);
  const chart = window.echarts.init(element);
  chart.setOption({
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: ["a"] }, yAxis: { type: "value" },
    series: [{ type: "bar", data: [1] }],
  });
  chart.dispatchAction({ type: "showTip", seriesIndex: 0, dataIndex: 0 });
  await new Promise((resolve) => setTimeout(resolve, 500));
}"""


def watched_page(new_page):
    page = new_page()
    console = []
    page.on(
        "console",
        lambda message: console.append(message.text)
        if "Content Security Policy" in message.text
        else None,
    )
    page.add_init_script(WATCH_VIOLATIONS)
    return page, console


def assert_no_violation(page, console):
    assert page.evaluate("window.__cspViolations") == [], page.url
    assert console == [], page.url


def test_main_pages_charts_and_autocomplete_run_under_the_policy(new_page):
    county = CountyFactory(code="411727", name="汝南县")
    UserFactory(username="clerk", county=county)
    UserFactory(username="city", role=Role.CITY_REVIEWER, county=None)
    member = MemberFactory(household__village__township__county=county)
    PairingFactory(household=member.household)
    LaborModelFactory(county=county, name="王春生")

    page, console = watched_page(new_page)
    log_in(page, "clerk")
    assert_no_violation(page, console)

    # Home, a list, a case page, and the user menu (Bootstrap's dropdown, placed by Popper).
    page.goto("/households/")
    assert_no_violation(page, console)
    page.goto(f"/households/{member.household.pk}/")
    page.locator("#user-menu-button").click()
    expect(page.locator("[aria-labelledby='user-menu-button']")).to_be_visible()
    assert_no_violation(page, console)

    # A search-as-you-type select (Tom Select): it fetches and shows the matches.
    page.goto("/pairings/new/")
    box = page.locator(".ts-wrapper").first.locator("input")
    box.click()
    box.press_sequentially("王春")
    expect(page.locator(".ts-dropdown .option", has_text="王春生")).to_be_visible()
    page.locator(".ts-dropdown .option", has_text="王春生").click()
    assert_no_violation(page, console)

    # The dashboard: every chart is drawn on a canvas, and a tooltip is drawn on it too.
    page.goto("/dashboard/")
    charts = page.locator("[data-chart]")
    expect(charts.first.locator("canvas")).to_be_visible()
    assert charts.count() == 5
    for index in range(charts.count()):
        expect(charts.nth(index)).to_have_class("dashboard-chart is-drawn")
        expect(charts.nth(index).locator("canvas")).to_have_count(1)
    assert page.evaluate(SHOW_TOOLTIP, "honour_levels"), "the tooltip changed nothing on the chart"
    assert_no_violation(page, console)

    # The two-factor page with its inline-SVG QR code.
    page.goto("/accounts/two-factor/")
    expect(page.locator(".two-factor-qr svg")).to_be_visible()
    assert_no_violation(page, console)

    # The city's dashboard and review queue.
    city, city_console = watched_page(new_page)
    log_in(city, "city")
    city.goto("/dashboard/")
    expect(city.locator("[data-chart] canvas").first).to_be_visible()
    city.goto("/review/")
    assert_no_violation(city, city_console)


def test_the_policy_blocks_inline_script_and_style_attributes(new_page):
    """The policy is enforced, and the listener sees violations: a script injected into the
    page does not run, and an HTML chart tooltip's style="" attributes are refused."""
    UserFactory(username="clerk", county=CountyFactory(code="411727", name="汝南县"))
    page, _console = watched_page(new_page)
    log_in(page, "clerk")
    page.goto("/dashboard/")
    page.evaluate(HTML_TOOLTIP)
    assert any(v.startswith("style-src") for v in page.evaluate("window.__cspViolations"))
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__injected = true";
          document.body.appendChild(script);
        }"""
    )
    assert page.evaluate("window.__injected === undefined")
    assert any("script-src" in v for v in page.evaluate("window.__cspViolations"))
