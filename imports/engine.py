"""The import engine: read a file, validate every row, and (when asked) write the result.

Validation and writing are one pass over the file, chunk by chunk. For each chunk the records
it names are looked up in a few batched queries (dicts by natural key), every row is checked
with the model fields' validation and the model's ``clean()``, and the rows that create or
change a record are written with ``bulk_create``/``bulk_update`` and their history rows. The
caller wraps a writing pass in one ``transaction.atomic``; ``ImportInvalid`` raised at the end
rolls everything back. A preview is the same pass with writing off, so the counts it shows are
exactly what the import will do.
"""

import contextlib
import datetime
import functools
import time
from collections import Counter, defaultdict
from operator import itemgetter

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases.exports import chunks
from evidence.services import attachment_count_labels
from imports.bulk import copying_in_background
from imports.columns import (
    MonthDate,
    UnknownChoice,
    normalise_text,
)
from imports.readers import FileProblem, FormulaCell, normalise_header, open_table

CHUNK_ROWS = 2000
WRITE_BATCH = 1000


class ImportInvalid(Exception):
    """Raised inside the import's transaction when a row is invalid, to roll it back."""

    def __init__(self, report):
        super().__init__(f"{report.error_count} errors")
        self.report = report


class Report:
    """What a pass found: counts per kind of record, and the errors. Every error is counted, in
    all and per column; the first ``max_errors`` are kept with row, column and message, at most
    ``ERRORS_PER_COLUMN`` of one column (a column wrong on every row does not crowd out the
    others) and each message cut to ``MESSAGE_CHARS`` (a message may quote the cell)."""

    ERRORS_PER_COLUMN = 100
    MESSAGE_CHARS = 300

    def __init__(self, max_errors=1000):
        self.max_errors = max_errors
        self.errors = []
        self.error_count = 0
        self.errors_by_column = Counter()
        self.warnings = []
        self.rows = 0
        self.counts = defaultdict(lambda: {"created": 0, "updated": 0, "unchanged": 0})
        # (column header, value) -> [first row, rows]: values no choice or synonym matches,
        # reported once per column and value instead of once per row.
        self.unmatched = {}
        # (township, village) -> [first row, households]: villages the county does not have,
        # listed once each and offered for adding
        self.villages = {}
        # {column: value for every row}, from a preset
        self.constants = {}
        # The file's header as read, for the mapping step (see ImportRun.file_columns)
        self.file_columns = {}
        # The records an update changes, each with its fields' old and new values (the first
        # ``max_errors``), and how many updates change something that needs a second look.
        self.changes = []
        self.flags = defaultdict(int)
        # column header -> [cells, first value] of dates written as a month without a day
        self.month_only = {}
        # column header -> [cells, first row] of formulas whose last computed value was used
        self.formula_values = {}

    def error(self, row, column, message):
        self.error_count += 1
        self._list(row, column, message)

    def _list(self, row, column, message):
        """Keep an error already counted in the stored list, within the caps."""
        column = str(column or "")
        self.errors_by_column[column] += 1
        if (len(self.errors) < self.max_errors
                and self.errors_by_column[column] <= self.ERRORS_PER_COLUMN):
            self.errors.append({"row": row, "column": column, "message": self.cut(message)})

    @classmethod
    def cut(cls, text):
        """``text`` as stored: a cell quoted in a message or a list may be any length."""
        text = str(text)
        return text if len(text) <= cls.MESSAGE_CHARS else text[: cls.MESSAGE_CHARS - 1] + "…"

    def columns_cut_short(self):
        """(column, errors counted) of the columns with more errors than are kept."""
        return [(column, count) for column, count in self.errors_by_column.items()
                if count > self.ERRORS_PER_COLUMN]

    def unmatched_value(self, row, column, value, message):
        """A value of a coded column that nothing matches: counted as an error of its row,
        listed once for the column and value with how many rows have it."""
        self.error_count += 1
        group = self.unmatched.setdefault((str(column), value), [row, 0, str(message)])
        group[1] += 1

    def tally(self, tallies, column, detail):
        entry = tallies.setdefault(str(column), [0, detail])
        entry[0] += 1

    def unknown_village(self, row, column, township, village):
        """A village the county does not have: an error of its household, listed once."""
        self.error_count += 1
        group = self.villages.setdefault((township, village), [row, 0, str(column)])
        group[1] += 1

    def close(self):
        """Turn the unmatched values into one listed error per column and value, and the
        cells read by a rule into one warning per column."""
        self.file_columns["villages"] = [
            [self.cut(township), self.cut(village), group[1]]
            for (township, village), group in self.villages.items()
        ]
        for (township, village), (row, households, column) in self.villages.items():
            self._list(
                row, column,
                _("本县区没有“%(township)s%(village)s”这个行政村(%(households)s 户):"
                  "请核对名称,或在上方添加该村。")
                % {"township": township, "village": village, "households": households},
            )
        self.villages = {}
        for column, (cells, first) in self.month_only.items():
            self.warnings.append(
                _("“%(column)s”列有 %(cells)s 个日期只写了年月(如“%(first)s”),"
                  "已按该月 1 日记录;“2019.10”在 Excel 中会变成 2019.1,按 1 月读取,"
                  "请核对 10 月的日期。") % {"column": column, "cells": cells, "first": first}
            )
        for column, (cells, first) in self.formula_values.items():
            self.warnings.append(
                _("“%(column)s”列有 %(cells)s 个单元格是公式(首个在第 %(row)s 行),"
                  "已使用 Excel 上次计算出的值。")
                % {"column": column, "cells": cells, "row": first}
            )
        self.month_only, self.formula_values = {}, {}
        self.file_columns["unmatched"] = [
            [column, self.cut(value), group[1]] for (column, value), group in self.unmatched.items()
        ]
        for (column, value), (row, rows, message) in self.unmatched.items():
            self._list(
                row, column,
                _("%(message)s(共 %(rows)s 行有“%(value)s”,首次出现在第 %(row)s 行)")
                % {"message": message, "rows": rows, "value": value, "row": row},
            )
        self.unmatched = {}

    def change(self, row, record, fields, flags=()):
        """An update of ``record`` at ``row``: ``fields`` is [(label, before, after)], ``flags``
        the kinds of change that need the clerk's explicit consent (``ChangeFlag`` values)."""
        for flag in flags:
            self.flags[flag] += 1
        if len(self.changes) < self.max_errors:
            self.changes.append({
                "row": row, "record": str(record),
                "fields": [[str(label), before, after] for label, before, after in fields],
                "flags": list(flags),
            })

    def count(self, label, outcome, n=1):
        self.counts[str(label)][outcome] += n

    def total(self, outcome):
        return sum(counts[outcome] for counts in self.counts.values())


def messages_of(error):
    """The plain messages of a ValidationError, with its parameters filled in."""
    return [str(message) for message in error.messages]


# How many distinct values of one column an import remembers the outcome of (reading a cell,
# validating a value): the coded columns have a few values repeating on every row and are
# read once per value; a column of names or ID numbers stops being remembered at this size,
# so memory stays bounded.
REMEMBERED_VALUES = 2000


def remembered(memo, column, key, compute):
    """``compute()``, remembered in ``memo`` (kept for one import) per column and ``key`` for
    the first ``REMEMBERED_VALUES`` keys of the column."""
    known_values = memo.get(column)
    if known_values is None:
        known_values = memo[column] = {}
    outcome = known_values.get(key)
    if outcome is None:
        outcome = compute()
        if len(known_values) < REMEMBERED_VALUES:
            known_values[key] = outcome
    return outcome


def validate_field(instance, column, value, report, row, cache=None):
    """Run the model field's own validation (choices, length, validators); record failures.
    Returns the cleaned value. ``cache`` (a dict kept for one import) remembers the outcome
    per column and value: a field's rules depend on the value alone, not on the rest of the
    row (relations, whose check queries the database, are not remembered)."""

    def clean():
        try:
            return column.model_field.clean(value, instance), []
        except ValidationError as error:
            return value, messages_of(error)

    if cache is not None and not column.model_field.is_relation and value.__hash__ is not None:
        # By type too: True, 1 and Decimal(1) are equal keys, and different values of a field.
        cleaned, messages = remembered(cache, column, (value.__class__, value), clean)
    else:
        cleaned, messages = clean()
    for message in messages:
        report.error(row, column.header, message)
    return cleaned


@functools.cache
def _field_defaults(model):
    """The default of each concrete field of ``model``, in order, or None when one of them is
    computed per instance (a callable default, which may return a new object each time)."""
    fields = model._meta.concrete_fields
    if any(field.has_default() and callable(field.default) for field in fields):
        return None
    return [field.get_default() for field in fields], {
        field.attname: index for index, field in enumerate(fields)
    }


def new_instance(model, **values):
    """A new ``model`` instance with its fields' defaults and ``values`` (by attname), as
    ``model(**values)`` gives: built from positional values, which Model.__init__ takes
    three times as fast as keywords (an import makes one instance a row)."""
    defaults = _field_defaults(model)
    if defaults is None:
        return model(**values)
    args, positions = defaults
    args = list(args)
    for attname, value in values.items():
        args[positions[attname]] = value
    return model(*args)


def clean_instance(instance, headers_by_field, report, row, default_header=""):
    """The model's ``clean()`` (the cross-field rules of the forms), errors put in columns."""
    try:
        instance.clean()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field_name, errors in error.error_dict.items():
                header = headers_by_field.get(field_name, default_header)
                for item in errors:
                    for message in messages_of(item):
                        report.error(row, header, message)
        else:
            for message in messages_of(error):
                report.error(row, default_header, message)
        return False
    return True


class Layout:
    """The columns of one kind of import, and where each is in a given file."""

    def __init__(self, columns):
        self.columns = columns
        self.by_header = {}
        for column in columns:
            self.by_header[normalise_header(column.header)] = column
            for alias in column.aliases:
                self.by_header.setdefault(normalise_header(alias), column)
        # Columns the exports add for reading (a record's number of files): an export
        # imported back skips them, without an error or a note.
        self.read_only = {normalise_header(label) for label in attachment_count_labels()}

    def known_headers(self):
        return list(self.by_header)

    def column(self, header):
        """The column whose header is ``header`` (the portal's own, as a preset names it)."""
        return next((column for column in self.columns if str(column.header) == header), None)

    def locate(self, header, report, header_row, mapping=None):
        """{column: index} for the file's header. Missing required columns are errors that
        name the column (and a likely renamed one); unknown columns are ignored with a note.
        ``mapping`` ({column: the file's label}, from a preset) comes before the labels the
        portal knows; columns with a constant (``constants``) count as present."""
        mapped = {normalise_header(label): column for column, label in (mapping or {}).items()}
        positions = {}
        unknown = []
        for index, label in enumerate(header):
            if not label:
                continue
            column = mapped.get(label) or self.by_header.get(label)
            if column is None and label in self.read_only:
                continue
            if column is None:
                unknown.append(label)
            elif column in positions:
                report.error(
                    header_row, column.header,
                    _("“%(header)s”列出现了不止一次,请只保留一列。") % {"header": column.header},
                )
            else:
                positions[column] = index
        missing = [
            column for column in self.columns
            if column.required and not column.derivable and column not in positions
            and column not in report.constants
        ]
        report.file_columns = {
            "labels": [label for label in header if label],
            "missing": [str(column.header) for column in missing],
            "unknown": unknown,
        }
        for column in missing:
            if unknown:
                message = _(
                    "缺少必填列“%(header)s”。文件中有未识别的列:%(unknown)s;如果改过列名,"
                    "请改回“%(header)s”。"
                ) % {"header": column.header, "unknown": "、".join(f"“{u}”" for u in unknown)}
            else:
                message = _("缺少必填列“%(header)s”。") % {"header": column.header}
            report.error(header_row, column.header, message)
        if unknown:
            report.warnings.append(
                _("以下列不属于导入模板,已忽略:%(unknown)s。")
                % {"unknown": "、".join(f"“{u}”" for u in unknown)}
            )
        return positions


class RowReader:
    """Reads the cells of one data row through the layout's columns."""

    def __init__(self, positions, report, values=None, constants=None):
        self.positions = positions
        self.report = report
        # {column: value for every row}: the report's (from a preset) unless given
        self.constants = report.constants if constants is None else constants
        # {column: {the file's value: the portal's label}}, from a preset
        self.values = values or {}
        # (row, column) of the cells that could not be read: their error is already recorded,
        # so no second "required" error is added for the same cell.
        self.unreadable = set()
        # {column: {text: outcome of interpret()}}, see REMEMBERED_VALUES
        self.known = {}

    def present(self, column):
        """Whether the file has the column. A column the file lacks changes nothing stored."""
        return column in self.positions or column in self.constants

    def failed(self, row, column):
        return (row, column) in self.unreadable

    def raw(self, values, column):
        index = self.positions.get(column)
        if index is None:
            return self.constants.get(column)
        if index >= len(values):
            return None
        return values[index]

    def cells(self, columns):
        """A function giving the raw cells of ``columns`` in a row, as a tuple of what ``raw``
        gives for each: one C-level pick when the file has all of them."""
        indexes = [self.positions.get(column) for column in columns]

        def each(values):
            return tuple(self.raw(values, column) for column in columns)

        if len(indexes) < 2 or None in indexes:
            return each
        pick = itemgetter(*indexes)

        def picked(values):
            try:
                return pick(values)
            except IndexError:  # a row shorter than the header
                return each(values)

        return picked

    def read(self, values, column, row):
        """The column's value in this row, or None after recording why it cannot be read."""
        raw = self.raw(values, column)
        if raw.__class__ is str:
            # Text cells (all of a CSV file's) are read once per column and value.
            outcome = remembered(self.known, column, raw, lambda: self.interpret(column, raw))
            return self.outcome_at(outcome, column, row)
        if isinstance(raw, FormulaCell):
            if raw.cached is None:
                self.report.error(
                    row, column.header,
                    _("单元格是公式(%(formula)s),文件中没有它的计算结果:请在 Excel 中打开并保存,"
                      "或把公式转换为数值(复制后“选择性粘贴→数值”)再导入。")
                    % {"formula": raw.formula[:40]},
                )
                self.unreadable.add((row, column))
                return None
            self.report.tally(self.report.formula_values, column.header, row)
            raw = raw.cached
        return self.outcome_at(self.interpret(column, raw), column, row)

    def read_row(self, values, columns, row):
        """{column: value} of ``columns`` in this row, as ``read`` gives each. Text already
        read without a warning or error is taken from what is remembered, without the calls
        of ``read`` (an import reads some twenty cells a row)."""
        data = {}
        width = len(values)
        positions, known = self.positions, self.known
        for column in columns:
            index = positions.get(column)
            if index is not None and index < width:
                raw = values[index]
                if raw.__class__ is str:
                    known_values = known.get(column)
                    outcome = known_values.get(raw) if known_values is not None else None
                    if outcome is not None and outcome[1] is None:
                        value = outcome[0]
                        data[column] = list(value) if value.__class__ is list else value
                        continue
            data[column] = self.read(values, column, row)
        return data

    def interpret(self, column, raw):
        """What reading ``raw`` in ``column`` gives, whatever the row: (value, the text of a
        month without a day or None) or (None, UnknownChoice or ValidationError)."""
        if column in self.values:
            raw = self.values[column].get(normalise_text(raw), raw)
        try:
            value = column.read(raw)
        except ValidationError as error:
            return None, error
        if isinstance(value, MonthDate):
            return datetime.date(value.year, value.month, value.day), normalise_text(raw)
        return value, None

    def outcome_at(self, outcome, column, row):
        """The value of an ``interpret`` outcome at ``row``, recording its warning or error."""
        value, detail = outcome
        if detail is None:
            # A list (several names in a cell) is shared by the rows with the same text.
            return list(value) if value.__class__ is list else value
        if isinstance(detail, str):
            self.report.tally(self.report.month_only, column.header, detail)
            return value
        if isinstance(detail, UnknownChoice):
            self.report.unmatched_value(row, column.header, detail.value, detail.messages[0])
        else:
            for message in messages_of(detail):
                self.report.error(row, column.header, message)
        self.unreadable.add((row, column))
        return None


def is_blank_row(values):
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def run_pass(kind, fileobj, name, user, *, write, run=None, progress=None, max_errors=1000,
             deadline=None, preset=None):
    """Validate (and with ``write`` also write) the file as ``kind``, through ``preset`` (an
    ImportPreset) if given; returns the Report.

    ``progress(processed, total)`` is called after every chunk. With ``write`` the caller must
    hold a transaction open: ``ImportInvalid`` is raised if any row is invalid. Past
    ``deadline`` (a ``time.monotonic()`` value) the pass stops with a ``FileProblem``.
    """
    report = Report(max_errors)
    mapping, values = _preset_parts(kind.layout, preset, report)
    table = open_table(
        fileobj, name, kind.layout.known_headers() + [normalise_header(v) for v in mapping.values()]
    )
    try:
        # A sign-in sheet may name its session once, above the header.
        for column, value in getattr(kind, "title_values", lambda title: {})(table.title).items():
            report.constants.setdefault(column, value)
        positions = kind.layout.locate(table.header, report, table.header_row, mapping)
        if report.error_count:
            return report
        merged_in_data = [ref for ref in table.merged_ranges if _first_row(ref) > table.header_row]
        for ref in merged_in_data:
            report.error(
                _first_row(ref), "",
                _("单元格 %(ref)s 是合并单元格:请取消合并,并在每一行填写完整的值。")
                % {"ref": ref},
            )
        if report.error_count:
            return report
        reader = RowReader(positions, report, values)
        processor = kind.processor(user=user, report=report, reader=reader, write=write, run=run)
        with copying_in_background() if write else contextlib.nullcontext():
            for chunk in chunks(table.rows, CHUNK_ROWS):
                rows = [(number, values) for number, values in chunk if not is_blank_row(values)]
                report.rows += len(rows)
                processor.process(rows)
                if write and report.error_count:
                    raise ImportInvalid(report)
                if progress:
                    progress(report.rows, max(table.estimated_rows, report.rows))
                if deadline is not None and time.monotonic() > deadline:
                    raise FileProblem(
                        _("文件太大,在网页请求的时限内处理不完(已处理 %(rows)s 行),"
                          "未写入任何数据:请分成几个较小的文件导入,或请系统管理员启用后台任务。")
                        % {"rows": report.rows}
                    )
            processor.finish()
        if not report.rows and not report.error_count:
            report.error(table.header_row, "", _("文件中只有表头,没有数据行。"))
        if write and report.error_count:
            raise ImportInvalid(report)
        return report
    finally:
        report.close()
        if table.close:
            table.close()


def _preset_parts(layout, preset, report):
    """A preset's column mapping and value mapping by column; its constants go on the report.
    Names of columns a preset gives that the layout no longer has are skipped."""
    if preset is None:
        return {}, {}
    mapping = {
        column: label for header, label in preset.columns.items()
        if (column := layout.column(header)) is not None and label
    }
    report.constants = {
        column: value for header, value in preset.constants.items()
        if (column := layout.column(header)) is not None and value not in ("", None)
    }
    values = {
        column: {normalise_text(value): label for value, label in by_value.items()}
        for header, by_value in preset.values.items()
        if (column := layout.column(header)) is not None
    }
    return mapping, values


def _first_row(ref):
    start = ref.split(":")[0]
    return int("".join(ch for ch in start if ch.isdigit()))
