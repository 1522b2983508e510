"""Streaming .csv and .xlsx exports of exactly the rows a filtered list shows.

Rows are read with ``QuerySet.iterator`` and written as they come, so memory stays flat however
many rows are exported. Columns are the list's table columns, rendered as on the page (so ID
numbers stay masked), except dates and numbers, which are written as real values so that Excel
can sort and sum them.
"""

import csv
import datetime
import re
import tempfile
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django_tables2.rows import BoundRow
from openpyxl import Workbook

CHUNK_SIZE = 2000
NATIVE_TYPES = (datetime.date, datetime.datetime, Decimal, int, float)
# A cell starting with one of these is a formula to Excel (CSV/DDE injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Not allowed in a sheet title; / and \ not in a file name either (e.g. 劳模企业/合作社).
UNSAFE_IN_NAMES = re.compile(r"[\\/?*\[\]:]")


def _safe_name(name):
    return UNSAFE_IN_NAMES.sub("_", name)


def _cell(bound_column, row):
    raw = bound_column.accessor.resolve(row.record, quiet=True)
    if raw is None or raw == "":
        return None
    if isinstance(raw, NATIVE_TYPES) and not isinstance(raw, bool):
        if isinstance(raw, datetime.datetime):
            return timezone.localtime(raw).replace(tzinfo=None)
        return raw
    text = str(row.get_cell_value(bound_column.name))
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def export_rows(table, queryset):
    """The header row, then one row of cell values per record of ``queryset``."""
    columns = [column for column in table.columns if column.column.exclude_from_export is False]
    yield [str(column.header) for column in columns]
    for record in queryset.iterator(chunk_size=CHUNK_SIZE):
        row = BoundRow(record, table=table)
        yield [_cell(column, row) for column in columns]


class _Echo:
    def write(self, value):
        return value


def csv_response(rows, filename):
    # The BOM makes Excel on Chinese Windows read the file as UTF-8 rather than GBK.
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        for row in rows:
            yield writer.writerow(["" if value is None else value for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{_safe_name(filename)}.csv"
    )
    return response


def xlsx_response(rows, filename, sheet_title):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_safe_name(sheet_title)[:31])
    for row in rows:
        sheet.append(row)
    # write_only workbooks keep rows on disk until saved; the file then streams from disk.
    output = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output, as_attachment=True, filename=f"{_safe_name(filename)}.xlsx", content_type=XLSX_TYPE
    )
