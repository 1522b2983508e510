"""A county clerk imports the national register's export in a real browser: the file names
two columns its own way, the clerk maps them once and saves the mapping; the same file
uploaded again is read through the saved mapping and changes nothing."""

import pytest
from playwright.sync_api import expect

from cases.models import Household, Member
from tests.browser.conftest import log_in
from tests.factories import TownshipFactory, VillageFactory
from tests.import_files import (
    merge_national_header,
    national_household,
    national_member,
    national_table,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db(transaction=True)


def national_file(path):
    household = national_household("41172700100009")
    rows = [
        {**household, **national_member(11, "户主", "孙德明")},
        {**household, **national_member(12, "配偶", "周桂芝", 务工状况="县外省内务工")},
        {**household, **national_member(13, "之外孙女", "孙小雨", 文化程度="学龄前儿童")},
    ]
    table = national_table(rows)
    renames = {"姓名": "成员名称", "主要致贫原因": "致贫主因"}
    table[2] = [renames.get(label, label) for label in table[2]]
    path.write_bytes(xlsx_bytes(table, prepare=merge_national_header))
    return path


def upload_from_home(page, path):
    page.goto("/")
    page.get_by_role("link", name="数据导入").first.click()
    page.get_by_label("导入类型").select_option(label="贫困户及家庭成员(建档立卡登记册)")
    page.get_by_role("button", name="文件").set_input_files(str(path))
    page.get_by_role("button", name="上传并检查").click()


def test_a_clerk_maps_the_national_export_once_and_the_preset_applies_next_time(
    new_page, county_a_clerk, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    township = TownshipFactory(county=county_a_clerk.county, name="老君庙镇")
    VillageFactory(township=township, name="后刘庄村")
    path = national_file(tmp_path / "贫困人口明细.xlsx")
    page = new_page()
    log_in(page, "clerk_a")

    upload_from_home(page, path)
    mapping = page.get_by_role("region", name="列和值的对应")
    expect(mapping).to_be_visible()
    mapping.get_by_label("“主要致贫原因”取自文件中的列").select_option("致贫主因")
    mapping.get_by_label("“成员姓名”取自文件中的列").select_option("成员名称")
    mapping.get_by_label("保存为对应方案").fill("国家系统导出")
    mapping.get_by_role("button", name="保存方案并重新检查").click()

    expect(page.locator("#applied-preset")).to_contain_text("国家系统导出")
    expect(page.get_by_text("检查通过。以上是预览")).to_be_visible()
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("导入完成")).to_be_visible()
    household = Household.objects.get(register_number="41172700100009")
    assert household.head_name == "孙德明" and household.members.count() == 3

    upload_from_home(page, path)
    expect(page.locator("#applied-preset")).to_contain_text("国家系统导出")
    expect(page.get_by_text("检查通过。以上是预览")).to_be_visible()
    counts = page.locator(".border.rounded")
    expect(counts.filter(has_text="将新增")).to_contain_text("0")
    expect(counts.filter(has_text="将更新")).to_contain_text("0")
    expect(counts.filter(has_text="不变")).to_contain_text("4")  # the household and 3 members
    assert Member.objects.filter(household=household).count() == 3

    # The presets are reached by clicks: renamed, then picked by name on the next upload.
    page.get_by_role("link", name="管理列对应方案").click()
    page.get_by_role("link", name="改名 国家系统导出").click()
    page.get_by_label("方案名称").fill("国家系统导出2019")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已将方案改名为“国家系统导出2019”。")).to_be_visible()
    page.get_by_role("link", name="数据导入").first.click()
    page.get_by_label("导入类型").select_option(label="贫困户及家庭成员(建档立卡登记册)")
    page.get_by_label("列对应方案", exact=True).select_option(label="国家系统导出2019")
    page.get_by_role("button", name="文件").set_input_files(str(path))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.locator("#applied-preset")).to_contain_text("国家系统导出2019")
    expect(page.get_by_text("检查通过。以上是预览")).to_be_visible()

    # Deleted after a confirmation: the list says there is none left.
    page.get_by_role("link", name="管理列对应方案").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="删除 国家系统导出2019").click()
    expect(page.get_by_text("本县区还没有保存列对应方案")).to_be_visible()
