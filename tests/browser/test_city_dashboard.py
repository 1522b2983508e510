from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.demo.article import ARTICLE

pytestmark = pytest.mark.django_db(transaction=True)


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
