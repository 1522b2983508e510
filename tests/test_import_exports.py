"""The list exports open in Excel as real tables: Chinese headers, dates as dates and amounts
as numbers, not text (so the register export and the lists can be sorted and summed)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import resolve, reverse
from django.utils import timezone
from django_tables2 import RequestConfig
from django_tables2.rows import BoundRow
from openpyxl import load_workbook

from cases.exports import export_rows
from cases.models import Member
from cases.validators import mask_id_number
from tests.factories import DividendPaymentFactory, HouseholdFactory, MemberFactory
from tests.test_lists import LIST_IDS, LISTS

pytestmark = pytest.mark.django_db


def sheet_rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(io.BytesIO(content)).active.values)


def test_member_list_export_has_chinese_headers_and_numbers(client, county_a, county_a_clerk):
    MemberFactory(
        household__village__township__county=county_a, birth_date=datetime.date(1975, 6, 15)
    )
    client.force_login(county_a_clerk)

    rows = sheet_rows(client.get(reverse("cases:member_list"), {"export": "xlsx"}))

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

    rows = sheet_rows(client.get(reverse("cases:dividendpayment_list"), {"export": "xlsx"}))

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
    view_class = resolve(reverse(f"cases:{name}_list")).func.view_class
    request = rf.get("/", {"export": "csv"})
    request.user = county_a_clerk
    view = view_class()
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
