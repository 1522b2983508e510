"""Streaming .csv and .xlsx exports of exactly the rows a filtered list shows.

Rows are read with ``QuerySet.iterator`` and written as they come, so memory stays flat however
many rows are exported. Columns are the list's table columns, formatted as on the page (so ID
numbers stay masked), except dates and numbers, which are written as real values so that Excel
can sort and sum them. Cells are formatted by the table's own methods, called directly: building
a django-tables2 row per record made exports several times slower.
"""

import csv
import datetime
import io
import re
import tempfile
from decimal import Decimal
from itertools import islice

import xlsxwriter
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import FieldDoesNotExist
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django_tables2 import Column, ManyToManyColumn
from django_tables2.rows import BoundRow
from django_tables2.utils import A, call_with_appropriate, signature

CHUNK_SIZE = 2000
CSV_PIECE_ROWS = 200
# The rows of an Excel sheet, less the header row, and the characters of a cell.
XLSX_MAX_ROWS = 1_048_575
XLSX_MAX_TEXT = 32_767
NATIVE_TYPES = (datetime.date, datetime.datetime, Decimal, int, float)
# A cell starting with one of these is a formula to Excel (CSV/DDE injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Not allowed in a sheet title; / and \ not in a file name either (e.g. 劳模企业/合作社).
UNSAFE_IN_NAMES = re.compile(r"[\\/?*\[\]:]")


def _safe_name(name):
    return UNSAFE_IN_NAMES.sub("_", name)


def _choice_labels(model, bits):
    """{code: label} when the accessor ends on a model field with choices (the list shows the
    label, as ``get_FOO_display`` does), else None."""
    for position, bit in enumerate(bits):
        try:
            field = model._meta.get_field(bit)
        except (FieldDoesNotExist, AttributeError):
            return None
        if position == len(bits) - 1:
            if getattr(field, "choices", None) and not field.is_relation:
                return {code: str(label) for code, label in field.flatchoices}
            return None
        if not field.is_relation:
            return None
        model = field.related_model
    return None


NATIVE_FIELDS = {
    "AutoField", "BigAutoField", "BigIntegerField", "DateField", "DateTimeField",
    "DecimalField", "FloatField", "IntegerField", "PositiveBigIntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField",
}


class _ValuePath:
    """Where ``values_list`` finds a column's value: ``path``; ``related`` is the model when
    the path ends on a foreign key (its objects are then read once per id, for ``str``);
    ``native`` when the value is always a date or a number, written as it is."""

    def __init__(self, path, related=None, native=False):
        self.path, self.related, self.native = path, related, native


def _value_path(queryset, bits):
    """The ``_ValuePath`` of an accessor over stored values (fields across relations, an
    annotation, a date's ``year``), or None when it ends on a method or a many-relation."""
    annotations = queryset.query.annotations
    if len(bits) == 1 and bits[0] in annotations:
        output = annotations[bits[0]].output_field
        return _ValuePath(bits[0], native=output.get_internal_type() in NATIVE_FIELDS)
    model = queryset.model
    for position, bit in enumerate(bits):
        try:
            field = model._meta.get_field(bit)
        except (FieldDoesNotExist, AttributeError):
            return None
        rest = bits[position + 1:]
        if field.is_relation:
            if field.many_to_many or field.one_to_many:
                return None
            if not rest:
                return _ValuePath("__".join(bits), related=field.related_model)
            model = field.related_model
            continue
        kind = field.get_internal_type()
        if rest == ("year",) and kind in {"DateField", "DateTimeField"}:
            return _ValuePath("__".join(bits), native=True)
        if rest:
            return None
        return _ValuePath("__".join(bits), native=kind in NATIVE_FIELDS and not field.choices)
    return None


def _is_plain(table, bound_column):
    """True when the list shows the value itself (``str``): no render or value method of the
    table or of the column changes it."""
    column = bound_column.column
    name = bound_column.name
    return (
        not hasattr(table, f"value_{name}")
        and not hasattr(table, f"render_{name}")
        and type(column).value is Column.value
        and type(column).render is Column.render
    )


class _CellWriter:
    """One column of an export: reads the value by plain attribute access and formats it once
    per row with what the table would have used (its ``value_``/``render_`` method, or the
    column's ``value``), without building a django-tables2 row per record."""

    def __init__(self, table, bound_column):
        self.header = str(bound_column.header)
        self.bits = tuple(A(bound_column.accessor).bits)
        column = bound_column.column
        self.empty_values = column.empty_values
        self.many = isinstance(column, ManyToManyColumn)
        model = getattr(table.data, "model", None)
        self.labels = _choice_labels(model, self.bits) if model is not None else None
        self.formatter = None
        if not _is_plain(table, bound_column):
            self.formatter = bound_column.value
            if getattr(self.formatter, "__func__", None) is Column.value:
                # Column.value only calls render with the arguments render takes.
                self.formatter = column.render
            arguments, catch_all = signature(self.formatter)
            self.context = {"column": column, "bound_column": bound_column, "table": table}
            # A method taking the row object (or **kwargs) gets a real row: none of ours does.
            needs_row = catch_all or "bound_row" in arguments
            self.arguments = "row" if needs_row else arguments
        self.plain_text = self.labels is None and self.formatter is None and not self.many
        # Read with values_list (no model instance per row) unless the cell needs the record:
        # dates and numbers are written as they are, so their formatter never runs.
        self.path = None
        if model is not None and not self.many:
            path = _value_path(table.data.data, self.bits)
            needs_record = self.formatter is not None and (
                self.arguments == "row" or "record" in self.arguments
            )
            if path is not None and (path.native or not needs_record):
                self.path = path

    def resolve(self, record):
        current = record
        for bit in self.bits:
            try:
                current = getattr(current, bit)
            except Exception:  # as Accessor.resolve(quiet=True): a broken path is empty
                return None
            if callable(current) and not getattr(current, "do_not_call_in_templates", False):
                current = current()
            if current is None:
                return None
        return current

    def cell(self, record, table):
        return self.cell_of(self.resolve(record), record, table)

    def cell_of(self, raw, record, table):
        """The cell of the stored value ``raw`` (``record`` is None when read by path)."""
        if raw is None or raw == "":
            return None
        if self.plain_text and type(raw) is str:
            # Most cells: text shown as it is stored (checked first, it is much the commonest).
            if raw in self.empty_values:
                return None
            return "'" + raw if raw.startswith(FORMULA_PREFIXES) else raw
        if isinstance(raw, NATIVE_TYPES) and not isinstance(raw, bool):
            if isinstance(raw, datetime.datetime):
                return timezone.localtime(raw).replace(tzinfo=None)
            return raw
        value = self.labels.get(raw, raw) if self.labels is not None else raw
        if value in self.empty_values or (self.many and not value.exists()):
            return None
        if self.formatter is not None:
            value = self._format(record, value, table)
            if value is None:
                return None
        text = str(value)
        return "'" + text if text.startswith(FORMULA_PREFIXES) else text

    def _format(self, record, value, table):
        if self.arguments == "row":
            row = BoundRow(record, table=table)
            return call_with_appropriate(
                self.formatter, row._optional_cell_arguments(self.context["bound_column"], value)
            )
        available = {**self.context, "value": value, "record": record}
        return self.formatter(**{name: available[name] for name in self.arguments})


def column_writers(table):
    """A ``_CellWriter`` and its bound column for each column of ``table`` a file carries."""
    return [
        (_CellWriter(table, column), column)
        for column in table.columns
        if column.column.exclude_from_export is False
    ]


def export_rows(table, queryset):
    """The header row, then one row of cell values per record of ``queryset``. The columns
    and their labels are prepared here, while the request's language is active; the rows are
    read as the file is written."""
    writers = [writer for writer, _column in column_writers(table)]
    header = [writer.header for writer in writers]

    def rows():
        yield header
        for record in queryset.iterator(chunk_size=CHUNK_SIZE):
            yield [writer.cell(record, table) for writer in writers]

    def rows_by_path():
        yield header
        paths = list(dict.fromkeys(writer.path.path for writer in writers))
        cells = [(writer.cell_of, paths.index(writer.path.path)) for writer in writers]
        # Foreign keys shown as their object's str: each object read once, by id.
        related = {
            paths.index(writer.path.path): (writer.path.related, {})
            for writer in writers if writer.path.related is not None
        }
        values = queryset.prefetch_related(None).values_list(*paths)
        for chunk in chunks(values.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
            if related:
                chunk = _with_related_objects(chunk, related)
            for row in chunk:
                yield [cell(row[index], None, table) for cell, index in cells]

    if all(writer.path is not None for writer in writers):
        return rows_by_path()
    return rows()


def chunks(iterable, size):
    """Lists of ``size`` items of ``iterable`` (the last one shorter), read as they are needed."""
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _with_related_objects(chunk, related):
    """``chunk``'s rows with the foreign keys at the positions in ``related`` replaced by their
    objects (``related``: position -> (model, cache of objects by id, filled as needed))."""
    for index, (model, cache) in related.items():
        missing = {row[index] for row in chunk} - cache.keys() - {None}
        if missing:
            # select_related(): their str may name what they belong to (a village its township).
            cache.update(model._base_manager.select_related().in_bulk(missing))
    return [
        tuple(
            related[index][1].get(value) if index in related else value
            for index, value in enumerate(row)
        )
        for row in chunk
    ]


def csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def csv_lines(rows):
    """``rows`` as CSV text, in pieces of ``CSV_PIECE_ROWS`` lines: a piece per line would
    cost a response chunk (and its encoding) per row. The BOM makes Excel on Chinese Windows
    read the file as UTF-8 rather than GBK."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    for chunk in chunks(rows, CSV_PIECE_ROWS):
        writer.writerows(
            [value if type(value) is str else csv_value(value) for value in row]
            for row in chunk
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def write_csv(rows, output):
    """Write ``rows`` to the binary file ``output`` as they come."""
    text = io.TextIOWrapper(output, encoding="utf-8", newline="")
    text.writelines(csv_lines(rows))
    text.detach()


class ExportRefused(Exception):
    """The file cannot be made; the message says why, for the user."""


class DoesNotFitExcel(ExportRefused):
    """The rows cannot be written as an .xlsx file."""


def check_fits_excel(rows):
    """Raise DoesNotFitExcel if ``rows`` data rows are more than a sheet holds."""
    if rows > XLSX_MAX_ROWS:
        raise DoesNotFitExcel(_(
            "要导出的 %(rows)s 行超过了 Excel 一个工作表的上限(1,048,575 行数据):"
            "请缩小筛选范围,或改用 CSV 导出。"
        ) % {"rows": intcomma(rows)})


def write_xlsx(rows, output, sheet_title, text_columns=()):
    """Write ``rows`` (lists, header first) to ``output`` with XlsxWriter's constant-memory mode:
    each row goes to disk as the next begins (its cells cost about 60% of openpyxl's
    write-only mode's). Columns listed in ``text_columns`` (by header) are text-formatted, so
    Excel does not turn ID numbers into 4.12E+17 when they are edited.

    Raises DoesNotFitExcel past ``XLSX_MAX_ROWS`` rows or for a text longer than a cell holds:
    XlsxWriter would drop the rest of the rows, or of the row, without a word."""
    with tempfile.TemporaryDirectory(prefix="xlsx-") as scratch:
        workbook = xlsxwriter.Workbook(output, {
            "constant_memory": True,
            "tmpdir": scratch,
            # Cells are data, never formulas or links, whatever their text looks like.
            "strings_to_formulas": False,
            "strings_to_urls": False,
        })
        try:
            _write_sheet(workbook, rows, sheet_title, text_columns)
        finally:
            workbook.close()


def _write_sheet(workbook, rows, sheet_title, text_columns):
    sheet = workbook.add_worksheet(_safe_name(sheet_title)[:31])
    rows = iter(rows)
    header = next(rows)
    sheet.write_row(0, 0, header, workbook.add_format({"bold": True}))
    text = workbook.add_format({"num_format": "@"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    timestamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    text_indexes = {index for index, label in enumerate(header) if label in text_columns}
    for index in text_indexes:
        sheet.set_column(index, index, None, text)
    write_string, write_number = sheet.write_string, sheet.write_number
    for number, row in enumerate(rows, start=1):
        if number > XLSX_MAX_ROWS:
            check_fits_excel(number)
        for index, value in enumerate(row):
            kind = type(value)
            if kind is str:
                if not value:
                    continue
                if len(value) > XLSX_MAX_TEXT:
                    raise DoesNotFitExcel(_(
                        "第 %(row)s 行“%(column)s”有 %(length)s 个字,超过了 Excel 一个单元格的"
                        "上限(32,767 个字):请改用 CSV 导出。"
                    ) % {"row": number + 1, "column": header[index],
                         "length": intcomma(len(value))})
                if value.startswith("<r>") and value.endswith("</r>"):
                    # XlsxWriter would copy such text into the file as XML (its rich strings).
                    value = "'" + value
                write_string(number, index, value, text if index in text_indexes else None)
            elif value is None:
                continue
            elif kind is bool:
                sheet.write_boolean(number, index, value)
            elif kind is datetime.datetime:
                sheet.write_datetime(number, index, value, timestamp)
            elif kind is datetime.date:
                sheet.write_datetime(number, index, value, day)
            else:
                write_number(number, index, value)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8", "xlsx": XLSX_TYPE, "zip": "application/zip",
}


def file_name(name, file_format):
    return f"{_safe_name(name)}.{file_format}"


def csv_response(rows, filename):
    return csv_download(csv_lines(rows), filename)


def csv_download(content, filename):
    """The streamed attachment ``filename``.csv of ``content`` (lines or bytes, as they come)."""
    response = StreamingHttpResponse(content, content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = content_disposition_header(
        True, file_name(filename, "csv")
    )
    return response


def xlsx_response(rows, filename, sheet_title, text_columns=()):
    # write_only workbooks keep rows on disk until saved; the file then streams from disk.
    output = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    write_xlsx(rows, output, sheet_title, text_columns)
    output.seek(0)
    return FileResponse(
        output, as_attachment=True, filename=file_name(filename, "xlsx"),
        content_type=XLSX_TYPE,
    )
