"""A large export in a real browser: the list's export button leads to the job's page, whose
download button gives the file, which 我的导出 lists too; another clerk cannot open it. The
household list's 含附件（ZIP）goes the same way."""

import zipfile

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from cases.validators import mask_id_number
from tests.browser.conftest import log_in
from tests.factories import HouseholdFactory, MemberFactory, UserFactory, stored_attachment

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_large_export_is_made_in_the_background_and_downloaded(
    new_page, county_a_clerk, settings, tmp_path
):
    settings.EXPORT_BACKGROUND_ROWS = 2
    settings.MEDIA_ROOT = tmp_path / "media"
    household = HouseholdFactory(village__township__county=county_a_clerk.county)
    members = MemberFactory.create_batch(3, household=household)
    UserFactory(username="clerk_a2", county=county_a_clerk.county)

    page = new_page()
    log_in(page, "clerk_a")
    page.goto("/members/")
    page.get_by_role("button", name="导出 Excel").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(".xlsx")
    expect(page.get_by_text("文件已生成,共 3 行。")).to_be_visible()
    job_url = page.url
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载文件").click()
    path = tmp_path / "export.xlsx"
    download_info.value.save_as(path)
    rows = list(load_workbook(path).active.values)
    assert len(rows) == 4
    cells = {cell for row in rows for cell in row}
    for member in members:
        assert mask_id_number(member.id_number) in cells
        assert member.id_number not in cells

    page.locator("#user-menu-button").click()
    page.locator("#user-menu-button + .dropdown-menu").get_by_role("link", name="我的导出").click()
    expect(page.get_by_role("link", name=download_info.value.suggested_filename)).to_be_visible()

    other = new_page()
    log_in(other, "clerk_a2")
    response = other.goto(job_url)
    assert response.status == 404


def test_the_household_list_exports_a_zip_with_each_households_files(
    new_page, county_a_clerk, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    household = HouseholdFactory(village__township__county=county_a_clerk.county,
                                 register_number="4117270001", head_name="刘建国")
    stored_attachment(household, county_a_clerk, "门前.png")

    page = new_page()
    log_in(page, "clerk_a")
    page.goto("/households/")
    page.get_by_role("button", name="含附件（ZIP）").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(".zip")
    expect(page.get_by_text("文件已生成,共 1 行。")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载文件").click()
    path = tmp_path / "export.zip"
    download_info.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        assert "4117270001-刘建国/贫困户-门前.jpg" in archive.namelist()
