"""The county workspace end to end, in a real browser: what a county union worker does in one
sitting, and what a worker of another county cannot see of it.

One test on purpose: each step builds on the rows the previous steps saved through the pages.
"""

import datetime
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from cases.models import (
    Household,
)
from cases.validators import build_resident_id, mask_id_number
from tests.browser.conftest import fill_member, log_in, pick
from tests.factories import (
    EnterpriseFactory,
    HouseholdFactory,
    LaborModelFactory,
    MemberFactory,
    TownshipFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

REGISTER_NUMBER = "4117271030020718"
HEAD = ("张建国", build_resident_id("411727", datetime.date(1968, 5, 12), 713))
SPOUSE = ("李秀兰", build_resident_id("411727", datetime.date(1970, 8, 3), 524))
LABOR_MODEL = "王春生"
ENTERPRISE = "汝南县春生果蔬种植专业合作社"
TRAINING_TOPIC = "大棚蔬菜种植技术培训"


def accept_next_confirm(page):
    """The submit buttons ask "确定提交吗?" (window.confirm); Playwright would dismiss it."""
    page.once("dialog", lambda dialog: dialog.accept())


def expect_saved(page):
    expect(page.get_by_role("status").filter(has_text="已保存")).to_be_visible()


def download_workbook(page, tmp_path):
    """Click the list's Excel export; the workbook's rows, every cell as text."""
    with page.expect_download() as download_info:
        page.get_by_role("button", name="导出 Excel").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    workbook = load_workbook(path, read_only=True)
    try:
        return [
            ["" if value is None else str(value) for value in row]
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        ]
    finally:
        workbook.close()


def assert_no_full_id_number(rows):
    for row in rows:
        for cell in row:
            assert HEAD[1] not in cell and SPOUSE[1] not in cell, row
            assert not re.search(r"\d{17}[\dX]", cell), row


def test_a_county_worker_registers_helps_submits_finds_and_exports_a_household(
    new_page, county_a_clerk, county_b_clerk, tmp_path
):
    county_a, county_b = county_a_clerk.county, county_b_clerk.county
    township = TownshipFactory(county=county_a, name="老君庙镇")
    VillageFactory(township=township, name="大王庄村")
    labor_model = LaborModelFactory(county=county_a, name=LABOR_MODEL)
    EnterpriseFactory(county=county_a, name=ENTERPRISE, kind="cooperative", leader=labor_model)
    # County B's own household, so its worker's empty results below mean "scoped", not "broken".
    county_b_member = MemberFactory(
        household=HouseholdFactory(
            village__township__county=county_b, register_number="4117241010010001"
        ),
        name="赵正阳",
        id_number=build_resident_id("411724", datetime.date(1975, 2, 2), 311),
    )

    page = new_page()
    log_in(page, "clerk_a")

    # Register the household and its two members.
    page.goto("/households/new/")
    page.get_by_label("户编号").fill(REGISTER_NUMBER)
    page.get_by_label("户主姓名").fill(HEAD[0])
    page.get_by_label("行政村").select_option(label="老君庙镇大王庄村")
    page.get_by_label("识别日期").fill("2016-03-01")
    page.get_by_label("主要致贫原因").select_option(label="因病")
    page.get_by_label("脱贫诉求").fill("希望学习大棚种植技术")
    fill_member(page, 0, *HEAD, "户主")
    page.get_by_role("button", name="添加家庭成员").click()
    fill_member(page, 1, *SPOUSE, "配偶")
    page.get_by_role("button", name="保存").click()
    expect_saved(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(REGISTER_NUMBER)
    household_url = page.url
    household = Household.objects.get(register_number=REGISTER_NUMBER)
    assert household_url.endswith(household.get_absolute_url())
    members = page.get_by_role("region", name="家庭成员")
    for name, id_number in (HEAD, SPOUSE):
        expect(members).to_contain_text(name)
        expect(members).to_contain_text(mask_id_number(id_number))
        expect(members).not_to_contain_text(id_number)

    # Pair it with the labor model, chosen by typing part of the name.
    page.get_by_role("link", name="添加结对帮扶").click()
    pick(page, "劳模", "春生", LABOR_MODEL)
    page.get_by_label("帮扶方式").select_option(label="技术扶贫")
    page.get_by_label("开始日期").fill("2018-04-01")
    page.get_by_label("帮扶措施").fill("指导大棚蔬菜种植,帮助联系销路")
    page.get_by_role("button", name="保存").click()
    expect_saved(page)
    assert page.url == household_url

    # A training session the spouse attended, found by the last four digits of her ID number.
    page.get_by_role("link", name="添加技术培训").click()
    page.get_by_label("培训日期").fill("2018-05-10")
    page.get_by_label("培训主题").fill(TRAINING_TOPIC)
    page.get_by_label("培训领域").select_option(label="种植养殖")
    page.get_by_label("授课人").fill(LABOR_MODEL)
    pick(page, "授课劳模", LABOR_MODEL[:2], LABOR_MODEL)
    page.get_by_label("培训地点").fill("大王庄村委会")
    pick(page, "参训贫困人口", SPOUSE[1][-4:], f"{SPOUSE[0]}({mask_id_number(SPOUSE[1])})")
    page.get_by_role("button", name="保存").click()
    expect_saved(page)
    assert page.url == household_url
    expect(page.get_by_role("region", name="帮扶记录")).to_contain_text(TRAINING_TOPIC)

    # A finance agreement with the co-op, with its first yearly dividend.
    page.get_by_role("link", name="添加带贫协议").click()
    pick(page, "劳模企业/合作社", "春生果蔬", ENTERPRISE)
    page.get_by_label("带贫模式").select_option(label="入股分红")
    page.get_by_label("协议资金").fill("50000")
    page.get_by_label("签订日期").fill("2018-03-15")
    page.locator("[name='dividends-0-year']").fill("2018")
    page.locator("[name='dividends-0-amount']").fill("2000")
    page.locator("[name='dividends-0-paid_on']").fill("2018-12-20")
    page.get_by_role("button", name="保存").click()
    expect_saved(page)
    assert page.url == household_url

    # Submit for review: the household from the top of its page, each piece of help from its
    # timeline entry, and the labor model from its own page.
    timeline = page.get_by_role("region", name="帮扶记录")
    accept_next_confirm(page)
    page.locator("h1 + p").locator("xpath=../..").get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("status").filter(has_text="已提交市总工会审核")).to_be_visible()
    for entry in ("开始结对帮扶", TRAINING_TOPIC, "协议资金", "2018 年度分红"):
        accept_next_confirm(page)
        timeline.get_by_role("listitem").filter(has_text=entry).get_by_role(
            "button", name="提交审核"
        ).click()
        expect(page.get_by_role("status").filter(has_text="已提交市总工会审核")).to_be_visible()
    expect(page.get_by_role("button", name="提交审核")).to_have_count(0)
    page.goto(labor_model.get_absolute_url())
    accept_next_confirm(page)
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("status").filter(has_text="已提交市总工会审核")).to_be_visible()

    # Everything is on the household's timeline, submitted.
    page.goto(household_url)
    expect(page.locator("h1 + p")).to_contain_text("待审核")
    timeline = page.get_by_role("region", name="帮扶记录")
    entries = timeline.get_by_role("listitem")
    expect(entries).to_have_count(4)
    expect(entries.filter(has_text="开始结对帮扶")).to_contain_text(LABOR_MODEL)
    expect(entries.filter(has_text=TRAINING_TOPIC)).to_contain_text(SPOUSE[0])
    expect(entries.filter(has_text="入股分红").filter(has_text="协议资金")).to_contain_text(
        ENTERPRISE
    )
    expect(entries.filter(has_text="2018 年度分红")).to_contain_text("2000.00 元")
    for entry in ("开始结对帮扶", TRAINING_TOPIC, "协议资金", "2018 年度分红"):
        expect(entries.filter(has_text=entry)).to_contain_text("待审核")
    expect(page.get_by_role("region", name="结对帮扶")).to_contain_text(LABOR_MODEL)

    # Find it in the household list: search by register number, filter by village and status.
    navigation = page.get_by_role("navigation", name="主导航")
    navigation.get_by_role("button", name="贫困户").click()
    navigation.get_by_role("link", name="贫困户").click()
    filters = page.get_by_role("complementary", name="筛选条件")
    filters.get_by_label("搜索").fill(REGISTER_NUMBER)
    pick(page, "行政村", "大王庄", "老君庙镇大王庄村")
    filters.get_by_label("审核状态").select_option(label="待审核")
    filters.get_by_role("button", name="筛选").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("共 1 条")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(REGISTER_NUMBER)
    expect(rows.first).to_contain_text(HEAD[0])

    # Export exactly that list to Excel: the row is there, no full ID number anywhere.
    rows = download_workbook(page, tmp_path)
    assert len(rows) == 2, rows
    assert REGISTER_NUMBER in rows[1]
    assert_no_full_id_number(rows)

    # The members list exports their ID numbers masked, as the pages show them.
    navigation.get_by_role("button", name="贫困户").click()
    navigation.get_by_role("link", name="家庭成员").click()
    page.get_by_label("搜索").fill(REGISTER_NUMBER)
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("table tbody tr")).to_have_count(2)
    rows = download_workbook(page, tmp_path)
    assert {row[0] for row in rows[1:]} == {HEAD[0], SPOUSE[0]}
    cells = [cell for row in rows for cell in row]
    assert mask_id_number(HEAD[1]) in cells and mask_id_number(SPOUSE[1]) in cells
    assert_no_full_id_number(rows)

    # Another county's worker sees none of it.
    other = new_page()
    log_in(other, "clerk_b")
    other.goto("/households/")
    expect(other.locator("table tbody")).to_contain_text(county_b_member.household.register_number)
    expect(other.locator("main")).not_to_contain_text(REGISTER_NUMBER)
    expect(other.locator("main")).not_to_contain_text(HEAD[0])
    other.get_by_label("搜索").fill(REGISTER_NUMBER)
    other.get_by_role("button", name="筛选").click()
    expect(other.get_by_role("heading", level=1)).to_contain_text("共 0 条")
    expect(other.locator("table tbody tr")).to_have_count(0)

    response = other.goto(household_url)
    assert response.status == 404
    expect(other.get_by_role("heading", level=1)).to_have_text("页面不存在")
    expect(other.locator("main")).not_to_contain_text(HEAD[0])

    # The training form's attendee search, typed as in county A, offers nobody...
    other.goto("/training/new/")
    attendees = other.get_by_role("combobox", name="参训贫困人口")
    last_digits = SPOUSE[1][-4:]
    with other.expect_response(
        lambda response: (
            "/autocomplete/member/" in response.url and f"q={last_digits}" in response.url
        )
    ) as lookup:
        attendees.click()
        attendees.press_sequentially(last_digits)
    assert lookup.value.json()["results"] == []
    expect(other.get_by_role("listbox", name="参训贫困人口").get_by_role("option")).to_have_count(0)
    # ... and nor does the lookup behind it, however it is asked.
    for query in (SPOUSE[1][-4:], HEAD[1][-4:], HEAD[0], REGISTER_NUMBER, ""):
        found = other.request.get("/autocomplete/member/", params={"q": query}).json()["results"]
        assert all(result["text"].startswith(county_b_member.name) for result in found), found
    assert other.request.get("/autocomplete/member/", params={"q": ""}).json()["results"]
    found = other.request.get("/autocomplete/household/", params={"q": REGISTER_NUMBER}).json()
    assert found["results"] == []
