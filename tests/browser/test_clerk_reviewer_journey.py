"""The clerk's and the reviewer's day, in a real browser, starting from the home page and only
clicking: a clerk registers a household of five (adding member rows), pairs it, records each
kind of help a household receives and submits it all in one step; a city reviewer opens the
queue from home, approves some records at once and returns one with a comment; the clerk sees
the return on home. At a desktop and a phone width, every page checked fits the window (no
sideways scrolling) and has no serious or critical axe violation.

One test per width on purpose: each step builds on the rows the previous steps saved.
"""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from cases.models import Household, PovertyCause, ReviewEvent
from cases.validators import build_resident_id
from tests.browser.conftest import fill_member, log_in, pick
from tests.factories import EnterpriseFactory, LaborModelFactory, TownshipFactory, VillageFactory

pytestmark = pytest.mark.django_db(transaction=True)

REGISTER_NUMBER = "4117271030020719"
MEMBERS = [
    ("陈志强", build_resident_id("411727", datetime.date(1966, 4, 2), 711), "户主"),
    ("刘桂芝", build_resident_id("411727", datetime.date(1968, 9, 9), 522), "配偶"),
    ("陈小龙", build_resident_id("411727", datetime.date(1992, 1, 15), 813), "之子"),
    ("陈小燕", build_resident_id("411727", datetime.date(1995, 6, 30), 824), "之女"),
    ("陈老汉", build_resident_id("411727", datetime.date(1940, 2, 1), 915), "之父"),
]
LABOR_MODEL = "王春生"
ENTERPRISE = "汝南县春生果蔬种植专业合作社"
RETURN_COMMENT = "走访照片缺失,请补充后重新提交"


def check_page(page):
    """The page fits the window, and axe finds nothing serious or critical."""
    wide = page.evaluate("""() => {
        const limit = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= limit) return [];
        return [...document.querySelectorAll("body *")]
            .filter((e) => e.getBoundingClientRect().right > limit + 1)
            .map((e) => e.tagName + "." + e.className + " " + (e.textContent || "").slice(0, 30));
    }""")
    assert wide == [], f"{page.url} scrolls sideways"
    violations = [
        (v["id"], [node["target"] for node in v["nodes"]])
        for v in Axe().run(page).response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert violations == [], page.url


def expect_message(page, text):
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def add_help(page, label):
    page.get_by_role("group", name="添加帮扶").get_by_role("link", name=f"添加{label}").click()


def add_member_help(page, member, label):
    page.get_by_role("button", name=f"为{member}添加帮扶").click()
    page.get_by_role("link", name=label, exact=True).click()


def save(page):
    page.get_by_role("button", name="保存").click()
    expect_message(page, "已保存")


@pytest.fixture
def county(county_a_clerk):
    PovertyCause.objects.get_or_create(code="illness", defaults={"name": "因病"})
    VillageFactory(
        township=TownshipFactory(county=county_a_clerk.county, name="老君庙镇"), name="大王庄村"
    )
    labor_model = LaborModelFactory(county=county_a_clerk.county, name=LABOR_MODEL)
    EnterpriseFactory(
        county=county_a_clerk.county, name=ENTERPRISE, kind="cooperative", leader=labor_model
    )
    return county_a_clerk.county


@pytest.mark.parametrize("width", [1280, 375])
def test_a_clerk_registers_helps_and_submits_and_a_reviewer_decides(
    new_page, county, city_reviewer, width
):
    clerk = new_page(width)
    log_in(clerk, "clerk_a")

    # Register the household of five, adding a row per member.
    clerk.get_by_role("link", name="登记贫困户").click()
    clerk.get_by_label("户编号").fill(REGISTER_NUMBER)
    clerk.get_by_label("户主姓名").fill(MEMBERS[0][0])
    clerk.get_by_label("行政村").select_option(label="老君庙镇大王庄村")
    clerk.get_by_label("识别日期").fill("2016-03-01")
    clerk.get_by_label("主要致贫原因").select_option(label="因病")
    for index, member in enumerate(MEMBERS[:4]):
        if index:
            clerk.get_by_role("button", name="添加家庭成员").click()
        fill_member(clerk, index, *member)
    # One row too many, noticed after the next one was filled: removing it renumbers the last.
    clerk.get_by_role("button", name="添加家庭成员").click()
    clerk.get_by_role("button", name="添加家庭成员").click()
    fill_member(clerk, 5, *MEMBERS[4])
    clerk.get_by_role("button", name="移除此行").nth(3).click()
    expect(clerk.locator("[name='members-4-name']")).to_have_value(MEMBERS[4][0])
    expect(clerk.locator("[name='members-TOTAL_FORMS']")).to_have_value("5")
    check_page(clerk)
    save(clerk)
    household = Household.objects.get(register_number=REGISTER_NUMBER)
    assert household.members.count() == 5
    case_page = clerk.url
    check_page(clerk)

    # Pair it with the labor model.
    add_help(clerk, "结对帮扶")
    pick(clerk, "劳模", "春生", LABOR_MODEL)
    clerk.get_by_label("帮扶方式").select_option(label="技术扶贫")
    clerk.get_by_label("开始日期").fill("2018-04-01")
    clerk.get_by_label("帮扶措施").fill("指导大棚蔬菜种植")
    save(clerk)
    assert clerk.url == case_page

    # Each kind of help the household receives; every save returns to the case page.
    add_member_help(clerk, MEMBERS[1][0], "技术培训")
    clerk.get_by_label("培训日期").fill("2018-05-10")
    clerk.get_by_label("培训主题").fill("大棚蔬菜种植技术培训")
    clerk.get_by_label("培训领域").select_option(label="种植养殖")
    clerk.get_by_label("授课人").fill(LABOR_MODEL)
    clerk.get_by_label("培训地点").fill("大王庄村委会")
    save(clerk)
    assert clerk.url == case_page

    add_member_help(clerk, MEMBERS[2][0], "就业")
    pick(clerk, "劳模企业/合作社", "春生果蔬", ENTERPRISE)
    clerk.get_by_label("就业日期").fill("2018-06-01")
    save(clerk)
    assert clerk.url == case_page

    add_help(clerk, "带贫协议")
    pick(clerk, "劳模企业/合作社", "春生果蔬", ENTERPRISE)
    clerk.get_by_label("带贫模式").select_option(label="入股分红")
    clerk.get_by_label("协议资金").fill("50000")
    clerk.get_by_label("签订日期").fill("2018-03-15")
    clerk.locator("[name='dividends-0-year']").fill("2018")
    clerk.locator("[name='dividends-0-amount']").fill("2000")
    clerk.locator("[name='dividends-0-paid_on']").fill("2018-08-20")
    save(clerk)
    assert clerk.url == case_page

    add_help(clerk, "走访与物资")
    clerk.get_by_label("日期").fill("2018-02-01")
    clerk.get_by_label("帮扶类型").select_option(label="走访慰问")
    clerk.get_by_label("内容").fill("春节走访慰问")
    save(clerk)
    assert clerk.url == case_page

    # Submit it all in one step, after one confirmation listing the seven records.
    dialogs = []
    clerk.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    clerk.get_by_role("button", name="提交本户全部草稿").click()
    expect_message(clerk, "已提交 7 条记录")
    assert dialogs and dialogs[0].count("· ") == 7
    expect(clerk.get_by_role("button", name="提交本户全部草稿")).to_have_count(0)
    check_page(clerk)

    # The reviewer opens the queue from home and approves three records at once...
    reviewer = new_page(width)
    log_in(reviewer, "reviewer")
    expect(reviewer.locator("[data-queue-counts]")).to_contain_text("7")
    check_page(reviewer)
    reviewer.get_by_role("link", name="打开审核队列").click()
    rows = reviewer.locator("[data-queue-rows] tbody tr:not(.table-light)")
    expect(rows).to_have_count(7)
    for index in range(3):
        rows.nth(index).get_by_role("checkbox").check()
    reviewer.get_by_role("button", name="勾选的全部通过").click()
    expect_message(reviewer, "已审核通过 3 条记录")
    check_page(reviewer)

    # ...then opens the visit beside the queue and returns it with a comment.
    rows.filter(has_text="走访慰问").get_by_role("link").first.click()
    opened = reviewer.locator("#opened-record")
    expect(opened).to_contain_text(MEMBERS[0][0])
    opened.get_by_label("退回意见").fill(RETURN_COMMENT)
    opened.get_by_role("button", name="退回县区修改").click()
    expect_message(reviewer, "已退回县区修改")
    assert ReviewEvent.objects.filter(comment=RETURN_COMMENT).count() == 1

    # The clerk sees the return, and its comment, on home.
    clerk.locator(".navbar-brand").click()
    expect(clerk.get_by_role("region", name="待办事项")).to_contain_text(RETURN_COMMENT)
    check_page(clerk)


def test_the_english_menu_fits_one_line_at_1280(new_page, county_a_clerk):
    page = new_page(1280)
    log_in(page, "clerk_a")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    boxes = page.locator("#main-navbar > ul > li").evaluate_all(
        "items => items.map((item) => "
        "[item.textContent.trim(), Math.round(item.getBoundingClientRect().bottom)])"
    )
    # One line: every item's box ends at the same height, give or take the centring.
    lowest = min(bottom for _text, bottom in boxes)
    assert [text for text, bottom in boxes if bottom > lowest + 8] == []
