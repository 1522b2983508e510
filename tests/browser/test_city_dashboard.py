from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

# The Zhumadian Daily, 2018-08-31: each indicator as the dashboard must show it that day.
ARTICLE = {
    "labor_models": "3,002",
    "labor_models_national": "61",
    "labor_models_provincial": "413",
    "labor_models_city": "1,255",
    "labor_models_county": "1,273",
    "labor_models_in_service_local": "1,950",
    "training_sessions": "298",
    "people_trained": "27,438",
    "people_trained_exited": "17,129",
    "enterprise_projects": "117",
    "enterprise_project_funds": "7,127.85 万元",
    "workshops": "196",
    "project_beneficiaries": "14,496",
    "project_beneficiaries_exited": "1,405",
    "finance_enterprises": "161",
    "finance_households": "8,251",
    "finance_funds": "4.1 亿元",
    "stable_employed": "22,314",
    "volunteer_teams": "28",
    "volunteer_events": "359",
    "collectives_participating": "77",
    "collective_projects": "79",
    "collective_project_funds": "1,498.00 万元",
    "collective_employed": "4,524",
    "collective_employed_exited": "753",
}


def test_the_city_sees_the_articles_figures_as_of_its_date_and_drills_down(new_page):
    call_command("seed_demo", stdout=StringIO())
    page = new_page()
    log_in(page, "city", "relief-demo-2018")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="统计").click()
    period = page.get_by_role("form", name="统计期间")
    period.get_by_label("统计方式").select_option(label="截至某日")
    period.get_by_label("截至日期").fill("2018-08-31")
    period.get_by_role("button", name="统计").click()
    for key, figure in ARTICLE.items():
        card = page.locator(f"[data-indicator='{key}'] .figure-value")
        expect(card).to_contain_text(figure.split(" ")[0])
        if " " in figure:
            expect(card).to_contain_text(figure.split(" ")[1])
    participating = page.locator("[data-indicator='labor_models_participating'] .figure-value")
    expect(participating).to_contain_text("780")  # 40% of 1,950: "about 40%" in the article

    page.locator("[data-indicator='people_trained']").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("培训贫困人口")
    expect(page.locator("[data-figure]")).to_contain_text("27,438")
    expect(page.get_by_text("共 27,438 条")).to_be_visible()
