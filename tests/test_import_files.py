"""Files as county offices really send them: each problem gets a clear Chinese message or is
read correctly, and none of them breaks the page."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Household, Member
from imports.models import ImportRun, ImportStatus
from tests.import_files import (
    REGISTER_HEADER,
    as_table,
    csv_bytes,
    household_values,
    member_values,
    register_row,
    resident_id,
    xlsx_bytes,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("media_root", "run_jobs_on_commit", "village_a"),
]

ID_COLUMN = REGISTER_HEADER.index("身份证号") + 1
DATE_COLUMN = REGISTER_HEADER.index("识别日期") + 1


def one_household(**household):
    values = household_values(**household)
    return [
        register_row(values, member_values(1, "户主")),
        register_row(values, member_values(2, "配偶")),
    ]


def upload(client, data, name):
    """Upload and return (status code of the upload, the run or None, the run page's text)."""
    response = client.post(
        reverse("imports:index"), {"kind": "households", "file": SimpleUploadedFile(name, data)}
    )
    run = ImportRun.objects.order_by("pk").last()
    if response.status_code != 302:
        return response.status_code, None, response.content.decode()
    page = client.get(response.url)
    assert page.status_code == 200
    return response.status_code, run, page.content.decode()


def first_error(run):
    assert run.status == ImportStatus.INVALID
    assert Household.objects.count() == 0
    return run.errors[0]


#
# The file as a whole
#


def test_wrong_file_types_are_refused_on_the_form(clerk_client):
    status, run, page = upload(clerk_client, b"%PDF-1.4 something", "register.pdf")
    assert status == 200 and run is None
    assert "文件类型不支持" in page


def test_a_damaged_xls_is_reported(clerk_client):
    status, run, page = upload(
        clerk_client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "register.xls"
    )
    assert "文件可能已损坏" in first_error(run)["message"]


def test_an_empty_file_is_refused(clerk_client):
    status, run, page = upload(clerk_client, b"", "register.csv")
    assert status == 200 and run is None
    assert "所提交的是空文件" in page


def test_a_blank_csv_is_an_empty_file(clerk_client):
    status, run, page = upload(clerk_client, "\ufeff\r\n,,,\r\n".encode(), "register.csv")
    assert first_error(run)["message"] == "文件是空的。"
    assert "文件是空的" in page


def test_a_damaged_xlsx_is_reported(clerk_client):
    data = xlsx_bytes(as_table(one_household()))
    status, run, page = upload(clerk_client, data[: len(data) // 2], "register.xlsx")
    assert "文件可能已损坏" in first_error(run)["message"]


def test_a_header_only_file_has_no_rows(clerk_client):
    status, run, page = upload(clerk_client, xlsx_bytes([REGISTER_HEADER]), "register.xlsx")
    assert first_error(run)["message"] == "文件中只有表头,没有数据行。"


def test_a_file_without_the_header_says_so(clerk_client):
    status, run, page = upload(clerk_client, xlsx_bytes([["甲", "乙"], [1, 2]]), "register.xlsx")
    assert "没有找到表头" in first_error(run)["message"]


def test_a_missing_column_and_a_renamed_one_are_named(clerk_client):
    header = ["户号码" if column == "户编号" else column for column in REGISTER_HEADER]
    table = as_table(one_household())
    table[0] = header
    status, run, page = upload(clerk_client, xlsx_bytes(table), "register.xlsx")
    error = first_error(run)
    assert error["column"] == "户编号"
    assert "缺少必填列“户编号”" in error["message"] and "“户号码”" in error["message"]


def test_a_title_row_above_the_header_and_extra_columns_are_fine(clerk_client):
    table = as_table(one_household())
    table[0] = [*table[0], "备注"]
    status, run, page = upload(
        clerk_client, xlsx_bytes(table, before=[["汝南县建档立卡贫困户花名册"]]), "register.xlsx"
    )
    assert run.status == ImportStatus.VALIDATED, run.errors
    assert run.created_count == 3
    assert "“备注”" in run.warnings[0]


def test_merged_cells_are_refused(clerk_client):
    data = xlsx_bytes(
        as_table(one_household()), prepare=lambda sheet: sheet.merge_cells("A2:A3")
    )
    status, run, page = upload(clerk_client, data, "register.xlsx")
    error = first_error(run)
    assert error["row"] == 2 and "A2:A3" in error["message"] and "合并单元格" in error["message"]


def test_formulas_are_refused_with_how_to_fix(clerk_client):
    def formula(sheet):
        sheet.cell(row=3, column=DATE_COLUMN).value = "=DATE(2016,3,1)"

    status, run, page = upload(
        clerk_client, xlsx_bytes(as_table(one_household()), prepare=formula), "register.xlsx"
    )
    error = first_error(run)
    assert (error["row"], error["column"]) == (3, "识别日期")
    assert "公式" in error["message"] and "选择性粘贴" in error["message"]


#
# Cells
#


@pytest.mark.parametrize(
    "typed",
    ["2018-08-31", "2018/8/31", "2018年8月31日", "20180831", " 2018-08-31 ", "２０１８－０８－３１",
     43343, datetime.datetime(2018, 8, 31)],
)
def test_dates_are_read_however_they_were_typed(clerk_client, typed):
    rows = one_household(识别日期=typed)
    status, run, page = upload(clerk_client, xlsx_bytes(as_table(rows)), "register.xlsx")
    assert run.status == ImportStatus.VALIDATED, run.errors
    clerk_client.post(reverse("imports:run_confirm", args=[run.pk]))
    assert Household.objects.get().identified_on == datetime.date(2018, 8, 31)


def test_an_unreadable_date_is_explained(clerk_client):
    status, run, page = upload(
        clerk_client, xlsx_bytes(as_table(one_household(识别日期="去年三月"))), "register.xlsx"
    )
    error = first_error(run)
    assert error["column"] == "识别日期" and "2018年8月31日" in error["message"]


def test_full_width_digits_and_stray_spaces_are_normalised(clerk_client):
    number = "411727001000001"
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in number)
    rows = one_household(户编号=f" {full_width}\u3000", 户主姓名=" 刘建国 ")
    rows[0]["身份证号"] = " " + rows[0]["身份证号"][:6] + " " + rows[0]["身份证号"][6:] + " "
    rows[1]["与户主关系"] = "配偶 "
    status, run, page = upload(clerk_client, xlsx_bytes(as_table(rows)), "register.xlsx")
    assert run.status == ImportStatus.VALIDATED, run.errors
    clerk_client.post(reverse("imports:run_confirm", args=[run.pk]))
    household = Household.objects.get()
    assert household.register_number == number and household.head_name == "刘建国"
    assert Member.objects.filter(id_number=resident_id(1)).exists()


def test_an_id_number_stored_as_an_excel_number_is_explained(clerk_client):
    def as_number(sheet):
        sheet.cell(row=2, column=ID_COLUMN).value = 4.11727198e17

    status, run, page = upload(
        clerk_client, xlsx_bytes(as_table(one_household()), prepare=as_number), "register.xlsx"
    )
    error = first_error(run)
    assert (error["row"], error["column"]) == (2, "身份证号") and "文本" in error["message"]


#
# CSV encodings
#


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_each_encoding_excel_writes(clerk_client, encoding):
    data = csv_bytes(as_table(one_household()), encoding)
    status, run, page = upload(clerk_client, data, "register.csv")
    assert run.status == ImportStatus.VALIDATED, run.errors
    clerk_client.post(reverse("imports:run_confirm", args=[run.pk]))
    assert Household.objects.get().head_name == "刘建国"
    assert set(Member.objects.values_list("name", flat=True)) == {"成员1", "成员2"}
