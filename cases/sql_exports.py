"""List exports written by PostgreSQL: one statement per file, no Python per row.

A list's filtered, scoped queryset (the one the Python path in ``cases.exports`` reads) is
compiled to SQL and wrapped in a ``SELECT`` that formats each table column the way the Python
path writes it: choice labels (``CASE``), formula-prefix escaping, dates as text, phones masked,
and ID numbers as their stored, encrypted mask (``cases.crypto.encrypt_resident_id_mask``),
opened by pgcrypto. A CSV export is that statement in ``COPY (…) TO STDOUT (FORMAT csv)``,
streamed into the response or the job's encrypted file; an .xlsx export reads it through a
server-side cursor and XlsxWriter does the rest. The header row and the BOM are written by
Python, as in the Python path, and the file is byte for byte the Python path's
(``tests/test_sql_exports.py`` compares both).

Only the mask key reaches PostgreSQL (never the key of whole numbers), as a setting local to
the export's transaction, bound as a parameter, never in the statement's text. A mask that does
not open with it (a key rotated without ``reencrypt_resident_ids``) fails the domain check the
migration made, and the export stops with ``MaskUnreadable``.

``compile_export`` answers None for a list with a column it cannot express in SQL (a method
of the table, a many-relation, an object shown by a ``str`` not listed in ``STR_FIELDS``), and
on any database but PostgreSQL: those exports take the Python path.
"""

import csv
import io
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connections, transaction
from django.utils.translation import gettext as _

from cases import exports, privacy
from cases.crypto import resident_id_mask_key
from cases.fields import EncryptedResidentIDField
from cases.models import County, PovertyCause, Township, Village
from cases.tables import MaskedIdColumn, MaskedPhoneColumn

MASK_KEY_SETTING = "reliefportal.mask_key"
MASK_DOMAIN = "reliefportal_resident_id_mask"
# Read once per statement (an InitPlan), not once per row.
MASK_KEY_SQL = f"(SELECT decode(current_setting('{MASK_KEY_SETTING}'), 'hex'))"
# The Python path's FORMULA_PREFIXES, as the code points ``ascii()`` gives: integer
# comparisons cost less than text ones.
FORMULA_CODES = [ord(prefix) for prefix in exports.FORMULA_PREFIXES]
# How the objects a list shows by their ``str`` are written in SQL: the fields it joins.
STR_FIELDS = {
    County: ("name",),
    Township: ("name",),
    Village: ("township__name", "name"),
    PovertyCause: ("name",),
}
TEXT_FIELDS = {"CharField", "TextField"}
DATE_FIELDS = {"DateField"}
DATETIME_FIELDS = {"DateTimeField"}
# Written by PostgreSQL exactly as Python's str() writes them (floats are not: their
# shortest forms differ).
NUMBER_FIELDS = {
    "AutoField", "BigAutoField", "BigIntegerField", "IntegerField", "PositiveBigIntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField", "DecimalField",
}
COPY_BUFFER_BYTES = 64 * 1024
XLSX_FETCH_ROWS = 2000


class MaskUnreadable(exports.ExportRefused):
    """PostgreSQL could not open a stored ID number mask with the current mask key."""


@dataclass
class SqlExport:
    """A list export as one statement: ``header`` (the column labels), and the ``SELECT``
    (``sql`` with ``params``) of its rows, formatted for CSV or for .xlsx."""

    header: list
    sql: str
    params: tuple
    using: str
    mask_checks: list  # (sql, params) of each, see ``_mask_checks``


def _escaped(value, shown=None):
    """``shown`` (by default ``value``, text) as the Python path writes it: NULL when
    ``value`` is empty, with a ' first when ``value`` begins with a formula prefix. The
    ``ascii()`` of the first character decides both; above the last prefix (letters, Chinese)
    one comparison decides, instead of one for each prefix."""
    shown = shown or value
    branches = " ".join(f"WHEN {code} THEN '''' || {shown}" for code in FORMULA_CODES)
    return (
        f"CASE WHEN ascii({value}) > {max(FORMULA_CODES)} THEN {shown} "
        f"ELSE CASE ascii({value}) WHEN 0 THEN NULL {branches} ELSE {shown} END END"
    )


def _literal(text, params):
    params.append(text)
    return "%s"


def _final_field(model, bits):
    """The model field at the end of ``bits`` (relations followed), or None."""
    field = None
    for bit in bits:
        if model is None:
            return None
        try:
            field = model._meta.get_field(bit)
        except Exception:  # noqa: BLE001 (not a field: a method or a property)
            return None
        model = field.related_model if field.is_relation else None
    return field


class _Compiler:
    """Collects the stored values the wrapped query selects (``paths``) and builds each
    column's expression over them (``c0``, ``c1``, …)."""

    def __init__(self, queryset, for_csv):
        self.queryset = queryset
        self.for_csv = for_csv
        self.paths = []
        self.params = []
        self.laterals = []
        self.masks = []

    def ref(self, path):
        if path not in self.paths:
            self.paths.append(path)
        return f"c{self.paths.index(path)}"

    def column(self, table, writer, bound_column):
        """The SQL of one column of the file, or None when it cannot be compiled."""
        column = bound_column.column
        if writer.many or writer.path is None:
            return None
        path = writer.path
        if path.native:
            # Dates and numbers are written as they are stored, whatever the column's methods.
            return self.native(path.path, writer.bits)
        name = bound_column.name
        if tuple(writer.empty_values) != (None, "") or any(
            hasattr(table, f"{method}_{name}") for method in ("value", "render")
        ):
            return None
        if path.related is not None:
            return self.related(writer, path)
        field = _final_field(self.queryset.model, writer.bits)
        if type(column) is MaskedIdColumn and isinstance(field, EncryptedResidentIDField):
            return self.masked_id(path.path)
        if field is None or field.get_internal_type() not in TEXT_FIELDS:
            return None
        if type(column) is MaskedPhoneColumn:
            return self.masked_phone(path.path)
        if writer.formatter is not None:
            return None
        value = self.ref(path.path)
        if writer.labels is not None:
            return self.labelled(value, writer.labels)
        return _escaped(value)

    def native(self, path, bits):
        annotation = self.queryset.query.annotations.get(path)
        if annotation is not None:
            kind = annotation.output_field.get_internal_type()
        elif bits[-1] == "year":
            return self.year(path, bits)
        else:
            kind = _final_field(self.queryset.model, bits).get_internal_type()
        value = self.ref(path)
        if kind in NUMBER_FIELDS:
            return value
        if kind in DATE_FIELDS:
            return f"to_char({value}, 'YYYY-MM-DD')" if self.for_csv else value
        if kind in DATETIME_FIELDS:
            # The Python path writes local time, without a zone.
            local = f"({value} AT TIME ZONE {_literal(settings.TIME_ZONE, self.params)})"
            return f"to_char({local}, 'YYYY-MM-DD HH24:MI:SS')" if self.for_csv else local
        return None

    def year(self, path, bits):
        # A date's ``year``, or a field named so (``bits[:-1]`` is then empty: no field).
        field = _final_field(self.queryset.model, bits[:-1])
        if field is not None and field.get_internal_type() in DATE_FIELDS:
            # date_part's float costs less than EXTRACT's numeric (and a date has no zone).
            date = self.ref(path.removesuffix("__year"))
            return f"CAST(date_part('year', {date}) AS integer)"
        return f"CAST({self.ref(path)} AS integer)"

    def related(self, writer, path):
        parts = STR_FIELDS.get(path.related)
        if parts is None or writer.formatter is not None or writer.labels is not None:
            return None
        text = " || ".join(self.ref(f"{path.path}__{part}") for part in parts)
        return _escaped(f"({text})")

    def labelled(self, value, labels):
        branches = " ".join(
            f"WHEN {_literal(code, self.params)} THEN "
            + ("NULL" if not label else _literal(
                "'" + label if label.startswith(exports.FORMULA_PREFIXES) else label,
                self.params,
            ))
            for code, label in labels.items()
            if isinstance(code, str) and code
        )
        # An empty value falls to the ELSE, which writes it as NULL.
        return f"CASE {value} {branches} ELSE {_escaped(value)} END"

    def masked_phone(self, path):
        # mask_phone: the first 3 and last 4 characters, a * for each one between.
        value = self.ref(path)
        masked = (
            f"CASE WHEN char_length({value}) < 7 THEN {value} ELSE left({value}, 3) || "
            f"repeat('*', char_length({value}) - 7) || right({value}, 4) END"
        )
        return _escaped(value, f"({masked})")

    def masked_id(self, path):
        mask = self.ref(f"{path}_mask")
        self.masks.append(f"{path}_mask")
        opened = OPENED_MASK_SQL
        # Opened in a LATERAL subquery that depends on the mask alone, so that PostgreSQL
        # caches each distinct mask's plaintext (Memoize: a mask encrypts the same way every
        # time) instead of running pgcrypto on every row (its set-up costs microseconds). The
        # mask is named once in it, so it is the cache's key once. The domain's check and the
        # marker's removal are cached with the plaintext.
        alias = f"m{len(self.laterals)}"
        self.laterals.append(
            f"LEFT JOIN LATERAL (SELECT CASE WHEN data = '' THEN NULL "
            f"ELSE substr(CAST({opened} AS {MASK_DOMAIN}), 6) END AS shown "
            f"FROM (SELECT decode({mask}, 'base64') AS data OFFSET 0) AS stored OFFSET 0) "
            f"AS {alias} ON true"
        )
        # Only the mask is read: a row has one exactly when it has a number (a constraint).
        return f"{alias}.shown"


# The plaintext of the mask whose decoded bytes are ``data``.
OPENED_MASK_SQL = (
    f"convert_from(decrypt_iv(substring(data FROM 17), {MASK_KEY_SQL}, "
    "substring(data FROM 1 FOR 16), 'aes-cbc/pad:pkcs'), 'UTF8')"
)


def _mask_checks(queryset, masks):
    """For each mask column, a statement that opens one stored mask of ``queryset``'s rows:
    a rotated key fails it at once, before a streamed file begins."""
    checks = []
    for mask in masks:
        sample = queryset.order_by().exclude(**{mask: ""}).values_list(mask)[:1]
        sample_sql, sample_params = sample.query.get_compiler(using=queryset.db).as_sql()
        checks.append((
            f"SELECT CAST({OPENED_MASK_SQL} AS {MASK_DOMAIN}) "  # noqa: S608
            f"FROM (SELECT decode(stored, 'base64') AS data "
            f"FROM ({sample_sql}) AS sample (stored)) AS decoded",
            sample_params,
        ))
    return checks


def compile_export(table, queryset, *, for_csv):
    """The ``SqlExport`` of ``table``'s exported columns over ``queryset``, or None when the
    database is not PostgreSQL or a column cannot be compiled."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    compiler = _Compiler(queryset, for_csv)
    header, expressions = [], []
    for writer, bound_column in exports.column_writers(table):
        sql = compiler.column(table, writer, bound_column)
        if sql is None:
            return None
        header.append(writer.header)
        expressions.append(sql)
    inner = queryset.prefetch_related(None).values_list(*compiler.paths)
    try:
        inner_sql, inner_params = inner.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        # A filter that matches nothing (an invalid one): the Python path writes the header.
        return None
    names = ", ".join(f"c{index}" for index in range(len(compiler.paths)))
    # The outer SELECT only projects: PostgreSQL keeps the inner query's order.
    sql = (
        f"SELECT {', '.join(expressions)} "  # noqa: S608
        f"FROM ({inner_sql}) AS export_rows ({names}) {' '.join(compiler.laterals)}"
    )
    # The outer expressions' parameters come first in the text (the LATERAL ones have none).
    return SqlExport(
        header, sql, (*compiler.params, *inner_params), queryset.db,
        _mask_checks(queryset, compiler.masks),
    )


def _set_mask_key(cursor):
    cursor.execute(
        "SELECT set_config(%s, %s, true)", [MASK_KEY_SETTING, resident_id_mask_key().hex()]
    )


def _is_mask_failure(error):
    """An error of opening a mask: pgcrypto's own, bad UTF-8, or the domain's check (psycopg's
    error, or Django's wrapping it)."""
    for candidate in (error, error.__cause__):
        if getattr(candidate, "sqlstate", None) in {"39000", "22021", "23514"}:
            return True
    return False


@contextmanager
def _masks_opened(using):
    """A transaction on ``using`` whose statements can open the masks; a mask that does not
    open raises ``MaskUnreadable``."""
    try:
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            _set_mask_key(cursor)
            yield cursor
    except (DatabaseError, psycopg.Error) as error:
        if _is_mask_failure(error):
            raise MaskUnreadable(_(
                "导出失败:有身份证号的掩码无法解密(更换加密密钥后还没有运行 "
                "reencrypt_resident_ids?),文件没有生成。请联系系统管理员。"
            )) from error
        raise


def _copy_chunks(export, on_rows):
    """The CSV records of ``export``'s rows as PostgreSQL writes them, in pieces of about
    ``COPY_BUFFER_BYTES``; ``on_rows(rows)`` is called once at the end. (No progress on the way:
    the connection is busy with the COPY until it ends, and 500,000 rows take seconds.)"""
    with _masks_opened(export.using) as cursor:
        raw = cursor.cursor
        statement = raw.mogrify(export.sql, export.params)
        buffer, size = [], 0
        with raw.copy(f"COPY ({statement}) TO STDOUT (FORMAT csv, ENCODING 'UTF8')") as copy:
            for data in copy:
                buffer.append(data)
                size += len(data)
                if size >= COPY_BUFFER_BYTES:
                    yield b"".join(buffer)
                    buffer, size = [], 0
        if buffer:
            yield b"".join(buffer)
        on_rows(raw.rowcount)


def crlf_lines(pieces):
    """PostgreSQL ends CSV records with \\n, the Python path (``csv.writer``) with \\r\\n. A \\n
    within a quoted field is kept as it is, as csv.writer keeps it: quotes are counted across
    pieces (a quote within a field is doubled, so the count stays right)."""
    quoted = False
    for piece in pieces:
        if b'"' not in piece:
            yield piece if quoted else piece.replace(b"\n", b"\r\n")
            continue
        parts = piece.split(b'"')
        for index, part in enumerate(parts):
            if index:
                quoted = not quoted
            if not quoted:
                parts[index] = part.replace(b"\n", b"\r\n")
        yield b'"'.join(parts)


def header_line(header):
    """The BOM and the header row, as the Python path writes them."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(header)
    return ("\ufeff" + buffer.getvalue()).encode()


def check_masks(export):
    """Raise ``MaskUnreadable`` when a mask of ``export``'s rows does not open."""
    with _masks_opened(export.using) as cursor:
        for sql, params in export.mask_checks:
            cursor.execute(sql, params)
            cursor.fetchall()


def csv_pieces(export, on_rows):
    """The CSV file of ``export``, as bytes. Its masks are checked before this returns, so that
    a rotated key is known before a response starts; the statement runs (in its transaction)
    only as the pieces are read, so a response never read holds nothing open."""
    check_masks(export)

    def pieces():
        yield header_line(export.header)
        yield from crlf_lines(_copy_chunks(export, on_rows))

    return pieces()


def write_csv(export, output):
    """Write ``export``'s CSV file to the binary file ``output``; returns its number of rows."""
    copied = []
    for piece in csv_pieces(export, copied.append):
        output.write(piece)
    return copied[0]


def csv_response(export, filename, log):
    """The streamed CSV response of ``export``; its export ``log`` is closed with the number
    of rows once they are sent (or as not completed, when the download stops)."""
    copied = []
    pieces = csv_pieces(export, copied.append)

    def logged():
        completed = False
        try:
            yield from pieces
            completed = True
        finally:
            privacy.finish_export(log, copied[0] if copied else 0, completed)

    return exports.csv_download(logged(), filename)


def xlsx_rows(export, fetch_rows=XLSX_FETCH_ROWS):
    """The header, then ``export``'s rows as tuples, read through a server-side cursor."""
    yield export.header
    with _masks_opened(export.using), connections[export.using].chunked_cursor() as cursor:
        cursor.execute(export.sql, export.params)
        while batch := cursor.fetchmany(fetch_rows):
            yield from batch
