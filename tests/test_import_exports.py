"""The list exports open in Excel as real tables: Chinese headers, dates as dates and amounts
as numbers, not text (so the register export and the lists can be sorted and summed)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tables2 import RequestConfig
from django_tables2.rows import BoundRow
from openpyxl import load_workbook

from cases import exports
from cases.exports import DoesNotFitExcel, export_rows, write_xlsx
from cases.models import ExportLog, Member
from cases.validators import mask_id_number
from tests.factories import DividendPaymentFactory, HouseholdFactory, MemberFactory
from tests.support import LIST_IDS, LISTS, export, view_for

pytestmark = pytest.mark.django_db


def sheet_rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(io.BytesIO(content)).active.values)


def test_member_list_export_has_chinese_headers_and_numbers(client, county_a, county_a_clerk):
    MemberFactory(
        household__village__township__county=county_a, birth_date=datetime.date(1975, 6, 15)
    )
    client.force_login(county_a_clerk)

    rows = sheet_rows(export(client, reverse("cases:member_list"), {"export": "xlsx"}))

    header = list(rows[0])
    assert "姓名" in header and "出生年份" in header and "身份证号" in header
    assert rows[1][header.index("出生年份")] == 1975


def test_dividend_list_export_writes_amounts_and_years_as_numbers(
    client, county_a, county_a_clerk
):
    DividendPaymentFactory(
        agreement__household__village__township__county=county_a, amount="2345.67"
    )
    client.force_login(county_a_clerk)

    rows = sheet_rows(export(client, reverse("cases:dividendpayment_list"), {"export": "xlsx"}))

    header = list(rows[0])
    amount = rows[1][header.index("分红金额(元)")]
    assert isinstance(amount, int | float | Decimal) and float(amount) == 2345.67
    assert rows[1][header.index("分红年度")] == 2018
    assert isinstance(rows[1][header.index("发放日期")], datetime.datetime)


def _table_cell(bound_column, row):
    """A cell as django-tables2 shows it (the way exports were written before they formatted
    cells themselves): real dates and numbers, else the column's export value as text."""
    raw = bound_column.accessor.resolve(row.record, quiet=True)
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime.date | Decimal | int | float) and not isinstance(raw, bool):
        if isinstance(raw, datetime.datetime):
            return timezone.localtime(raw).replace(tzinfo=None)
        return raw
    value = row.get_cell_value(bound_column.name)
    if value is None:
        return None
    text = str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


@pytest.mark.parametrize("spec", [*LISTS, "household", "member"], ids=[*LIST_IDS, "h", "m"])
def test_list_exports_write_what_the_table_shows(rf, spec, county_a, county_a_clerk):
    if spec == "household":
        name = "household"
        MemberFactory(household__village__township__county=county_a, household__phone="")
        HouseholdFactory(village__township__county=county_a, head_name="=HYPERLINK(1)")
    elif spec == "member":
        name = "member"
        MemberFactory(household__village__township__county=county_a, name="-1+1", phone="")
        MemberFactory(household__village__township__county=county_a, phone="13912345678")
    else:
        name = spec.name
        for label in ("一", "=二"):
            spec.make(county_a, label)
    request = rf.get("/", {"export": "csv"})
    request.user = county_a_clerk
    view = view_for(reverse(f"cases:{name}_list"))
    view.setup(request)
    table = RequestConfig(request, paginate=False).configure(
        view.table_class(view.get_queryset())
    )

    exported = list(export_rows(table, table.data.data))

    columns = [c for c in table.columns if c.column.exclude_from_export is False]
    assert exported[0] == [str(c.header) for c in columns]
    expected = [
        [_table_cell(c, BoundRow(record, table=table)) for c in columns]
        for record in table.data.data
    ]
    assert exported[1:] == expected and len(expected) >= 2
    if name == "member":
        cells = {str(cell) for row in exported[1:] for cell in row}
        for member in Member.objects.all():
            assert mask_id_number(member.id_number) in cells and member.id_number not in cells
        assert {"'-1+1", "139****5678"} <= cells


#
# The .xlsx writer and Excel's row limit
#


def test_the_xlsx_writer_keeps_types_formats_and_text(tmp_path):
    path = tmp_path / "out.xlsx"
    with path.open("wb") as output:
        write_xlsx(
            [
                ["名称", "日期", "时间", "金额", "身份证号", "空"],
                ["=1+1", datetime.date(2024, 3, 1), datetime.datetime(2024, 3, 1, 8, 30),
                 Decimal("1234.50"), "41272719800101002X", None],
                ["https://example.org", None, None, 7, "", None],
            ],
            output, "成员/名单", text_columns={"身份证号"},
        )
    sheet = load_workbook(path).active
    assert sheet.title == "成员_名单"
    assert [cell.font.b for cell in sheet[1]] == [True] * 6
    formula, day, moment, amount, id_number, empty = sheet[2]
    # Text that looks like a formula or a link stays text.
    assert (formula.value, formula.data_type) == ("=1+1", "s")
    assert (sheet["A3"].value, sheet["A3"].hyperlink) == ("https://example.org", None)
    assert day.value == datetime.datetime(2024, 3, 1) and day.number_format == "yyyy-mm-dd"
    assert moment.value == datetime.datetime(2024, 3, 1, 8, 30)
    assert moment.number_format == "yyyy-mm-dd hh:mm:ss"
    assert amount.value == 1234.5 and sheet["D3"].value == 7
    assert (id_number.value, id_number.number_format) == ("41272719800101002X", "@")
    assert empty.value is None


def test_the_xlsx_writer_refuses_more_rows_than_a_sheet_holds(tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)
    with (tmp_path / "out.xlsx").open("wb") as output, pytest.raises(DoesNotFitExcel):
        write_xlsx([["名称"], ["一"], ["二"], ["三"]], output, "名单")


def test_the_xlsx_writer_refuses_a_text_longer_than_a_cell_holds(tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_TEXT", 5)
    with (tmp_path / "out.xlsx").open("wb") as output, pytest.raises(
        DoesNotFitExcel, match="第 3 行“诉求”有 6 个字"
    ):
        write_xlsx([["名称", "诉求"], ["一", "五个字正好"], ["二", "六个字多一个"]], output, "名单")


def test_text_shaped_like_xlsxwriter_markup_stays_text(tmp_path):
    """XlsxWriter copies a string that starts with <r> and ends with </r> into the file as
    XML: from a name or a demand, that would be a formula in the register export."""
    injected = ('<r><t>x</t></r></is></c><c r="B2"><f>HYPERLINK("http://evil")</f></c>'
                '<c r="C2" t="inlineStr"><is><r><t>y</t></r>')
    path = tmp_path / "out.xlsx"
    with path.open("wb") as output:
        write_xlsx([["名称", "其他"], [injected, "乙"]], output, "名单")
    sheet = load_workbook(path).active
    assert sheet["A2"].value == "'" + injected
    assert sheet["B2"].value == "乙" and sheet["B2"].data_type == "s"


@pytest.fixture
def sheet_holds_two_of_three_members(county_a, monkeypatch):
    MemberFactory.create_batch(3, household__village__township__county=county_a)
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)


@pytest.mark.usefixtures("sheet_holds_two_of_three_members")
def test_an_xlsx_export_past_the_sheet_limit_is_refused_with_a_message(client, county_a_clerk):
    client.force_login(county_a_clerk)
    url = reverse("cases:member_list")

    response = export(client, url, {"sort": "name", "export": "xlsx"}, follow=True)

    assert response.redirect_chain == [(f"{url}?sort=name", 302)]
    assert "超过了 Excel 一个工作表的上限" in response.content.decode()
    assert "3" in str(next(iter(response.context["messages"])))
    log = ExportLog.objects.get()
    assert (log.file_format, log.completed, log.row_count) == ("xlsx", False, 0)
    # CSV has no such limit.
    csv_response = export(client, url, {"export": "csv"})
    assert b"".join(csv_response.streaming_content).decode().count("\n") == 4


@pytest.mark.usefixtures("sheet_holds_two_of_three_members")
def test_a_register_export_past_the_sheet_limit_returns_to_the_import_page(
    client, county_a_clerk
):
    client.force_login(county_a_clerk)

    response = export(client, reverse("imports:register_export"), {"format": "xlsx"})

    assert response.status_code == 302
    assert response.url == reverse("imports:index")


def test_the_register_counts_a_row_for_each_household_without_members(
    client, county_a, county_a_clerk, monkeypatch
):
    MemberFactory(household__village__township__county=county_a)
    HouseholdFactory(village__township__county=county_a)
    HouseholdFactory(village__township__county=county_a)
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)
    client.force_login(county_a_clerk)

    response = export(client, reverse("imports:register_export"), {"format": "xlsx"})

    assert response.status_code == 302
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)
    response = export(client, reverse("imports:register_export"), {"format": "xlsx"})
    assert response.status_code == 200
    assert len(sheet_rows(response)) == 4  # the header and three rows
