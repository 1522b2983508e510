"""Reading uploaded spreadsheets row by row, whatever Excel or WPS made of them.

``open_table`` returns the header and an iterator of rows, streamed: an .xlsx is read with
openpyxl's read-only mode and a .csv through a decoding text stream, so a 100,000-row file is
never held in memory at once (an .xls, at most 65,536 rows, is read whole by xlrd). Problems
with the file as a whole raise ``FileProblem`` with a message for the user; problems with one
cell are left to the columns that read them.

Before any row is read, the file is streamed once for its limits (``IMPORT_MAX_ROWS`` rows,
``IMPORT_MAX_CELL_CHARS`` characters in a cell) and, for an .xlsx, for XML that no
spreadsheet program writes (a DTD: external entities, "billion laughs"): a 365 KB .xlsx can
unpack to a 300 MB cell, which openpyxl would otherwise hold in memory whole.
"""

import codecs
import csv
import io
import itertools
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

import xlrd
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old .xls (and .doc) container
# A title such as "XX县建档立卡贫困户花名册" may sit above the header row.
HEADER_SEARCH_ROWS = 10
MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+\d+(?::[A-Z]+\d+)?)\"")
FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s>/]")
CHUNK = 1 << 20
# An XML row element of a worksheet (<row r="2">, <x:row>), and a DTD (<!DOCTYPE, <!ENTITY).
XML_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
XML_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# UTF-8 takes at most 4 bytes a character; an entity (&#x10FFFF;) at most 10.
XML_BYTES_PER_CHAR = 10
# How XML in UTF-16 or UTF-32 begins (a byte-order mark, or "<" next to zero bytes), and an
# XML declaration naming any encoding but UTF-8: Python's XML parser reads single-byte codecs
# such as EBCDIC too, in which "<!DOCTYPE" is other bytes. Excel and WPS write UTF-8 only.
WIDE_XML_STARTS = (
    b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"<\x00", b"\x00<", b"\x00\x00\x00<"
)
XML_ENCODING = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\sencoding\s*=\s*[\"'](?!utf-?8[\"'])", re.IGNORECASE
)
XML_HEAD_BYTES = 200

logger = logging.getLogger("imports.files")


class FileProblem(Exception):
    """The file cannot be read as a table; the message says why, for the user."""


def too_many_rows():
    return FileProblem(
        _("文件超过 %(limit)s 行,请分成几个文件导入。") % {"limit": settings.IMPORT_MAX_ROWS}
    )


def cell_too_long(row=None):
    limit = settings.IMPORT_MAX_CELL_CHARS
    if row is None:
        return FileProblem(
            _("文件中有单元格超过 %(limit)s 个字符,不像登记表的内容:请检查文件后重新上传。")
            % {"limit": limit}
        )
    return FileProblem(
        _("第 %(row)s 行有单元格超过 %(limit)s 个字符,不像登记表的内容:请检查文件后重新上传。")
        % {"row": row, "limit": limit}
    )


@dataclass(frozen=True)
class FormulaCell:
    """A formula cell of an .xlsx: the formula, and the value Excel last computed for it
    (None when the file was never calculated, e.g. written by a program)."""

    formula: str
    cached: object

    def __str__(self):
        return "" if self.cached is None else str(self.cached)


@dataclass
class Table:
    """The header row and the data rows of the first sheet.

    ``rows`` yields ``(row_number, values)`` with the spreadsheet's own 1-based row numbers,
    so a message can send the user to the right line. ``merged_ranges`` lists the merged
    ranges of an .xlsx sheet (e.g. "A2:A5"); ``close`` releases the file.
    """

    file_format: str
    header: list
    header_row: int
    rows: object
    estimated_rows: int
    merged_ranges: list = field(default_factory=list)
    # The texts above the header (a title such as "培训日期:2018年5月10日 培训主题:…")
    title: list = field(default_factory=list)
    close: object = None


def sniff_format(name, head):
    """'xlsx' or 'csv' from the file's first bytes and name; anything else is a FileProblem."""
    lower = (name or "").lower()
    if not head:
        raise FileProblem(_("文件是空的。"))
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        return "xls"
    if lower.endswith(".xls"):
        raise FileProblem(_("无法读取该 Excel 文件,文件可能已损坏:请在 Excel 中打开并重新保存。"))
    if lower.endswith((".csv", ".txt")):
        return "csv"
    raise FileProblem(_("文件类型不支持:请上传 .xlsx、.xls 或 .csv 文件。"))


def open_table(fileobj, name, known_headers):
    """Open ``fileobj`` (a binary file positioned anywhere) as a ``Table``.

    ``known_headers`` are the column headers of the kind being imported; the header row is the
    first of the first rows that names at least two of them.
    """
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    file_format = sniff_format(name, head)
    if file_format == "xlsx":
        return _open_xlsx(fileobj, known_headers)
    if file_format == "xls":
        return _open_xls(fileobj, known_headers)
    return _open_csv(fileobj, known_headers)


def _find_header(rows, known_headers, merged_ranges=()):
    """Consume the rows up to and including the header; return (last header row, header,
    the data rows, the texts of the cells above the header).

    The header is the first row naming at least two known columns. National exports have a
    two-row header with merged cells: a label merged down over both rows sits in the upper
    row only, the labels under a group label ("家庭成员信息") in the lower one. So the row
    just above is part of the header when it names a known column (a title never does), and
    the row just below when a merge reaches down into it or it names two known columns; each
    column takes its label from whichever row holds a known one."""
    known = set(known_headers)
    merged_down = {top for top, bottom in map(_row_span, merged_ranges) if bottom > top}
    previous = []
    above = []
    for row_number, values in rows:
        labels = [normalise_header(value) for value in values]
        if len(known.intersection(labels)) < 2:
            previous = labels
            above.extend(str(value).strip() for value in values if value not in (None, ""))
            if row_number >= HEADER_SEARCH_ROWS:
                break
            continue
        if known.intersection(previous):
            labels = _combine(previous, labels, known)
        following = next(rows, None)
        if following is None:
            return row_number, labels, rows, above
        below = [normalise_header(value) for value in following[1]]
        if row_number in merged_down or len(known.intersection(below)) >= 2:
            return following[0], _combine(labels, below, known), rows, above
        return row_number, labels, itertools.chain([following], rows), above
    raise FileProblem(
        _("在文件前 %(n)s 行中没有找到表头:请使用下载的模板,表头须包含“%(example)s”等列名。")
        % {"n": HEADER_SEARCH_ROWS, "example": "”“".join(list(known_headers)[:3])}
    )


def _row_span(ref):
    """(first row, last row) of a range such as "A2:B3"."""
    rows = [int(re.sub(r"[A-Z]", "", cell)) for cell in ref.split(":")]
    return rows[0], rows[-1]


def _combine(upper, lower, known):
    """One header from two rows of a merged header: per column, a known label of either row
    (the lower one first: it is the more specific), else whatever label there is."""
    width = max(len(upper), len(lower))
    upper = upper + [""] * (width - len(upper))
    lower = lower + [""] * (width - len(lower))
    return [
        below if below in known else above if above in known else below or above
        for above, below in zip(upper, lower, strict=True)
    ]


def normalise_header(value):
    if value is None:
        return ""
    # Headers are compared without spaces, line breaks and the * some offices use to mark
    # required columns, in half-width form (full-width letters and brackets become ASCII).
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"[\s*]+", "", text)


#
# xlsx
#


def not_plain_xml():
    return FileProblem(
        _("文件中含有不允许的 XML 内容(DTD、实体定义或非 UTF-8 编码),不是 Excel 或 WPS "
          "保存的普通表格:请在 Excel 中另存为 .xlsx 后重新上传。")
    )


def damaged_xlsx():
    return FileProblem(
        _("无法读取该 Excel 文件,文件可能已损坏:请在 Excel 中打开并重新保存为 .xlsx。")
    )


def _xml_kind(head):
    """'utf-8' for a part that is XML as Excel and WPS write it, 'other' for XML in another
    encoding (in which the DTD scan could not see "<!DOCTYPE"), None for anything else (an
    image)."""
    if head.startswith(WIDE_XML_STARTS) or XML_ENCODING.search(head):
        return "other"
    return "utf-8" if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") else None


def check_xlsx_limits(fileobj):
    """Streams every part of the .xlsx once, before openpyxl parses anything: refuses a DTD
    or XML in an encoding other than UTF-8 in any part (whatever its name: a sheet need not
    end in .xml), a run of text longer than a cell may hold, and more rows than
    ``IMPORT_MAX_ROWS``. Memory stays at one chunk whatever the parts unpack to."""
    longest_allowed = settings.IMPORT_MAX_CELL_CHARS * XML_BYTES_PER_CHAR
    rows = 0
    try:
        archive = zipfile.ZipFile(fileobj)
        for member in archive.infolist():
            in_sheet = member.filename.startswith("xl/worksheets/")
            run = 0  # bytes since the last "<" or ">": the text or tag being read
            tail = b""
            with archive.open(member) as part:
                chunk = part.read(CHUNK)
                kind = _xml_kind(chunk[:XML_HEAD_BYTES])
                if kind is None:
                    continue
                if kind == "other":
                    logger.warning("import file refused: %s is XML not in UTF-8", member.filename)
                    raise not_plain_xml()
                while chunk:
                    data = tail + chunk
                    if XML_DTD.search(data):
                        logger.warning("import file refused: %s declares a DTD", member.filename)
                        raise not_plain_xml()
                    if in_sheet:
                        rows += len(XML_ROW.findall(data))
                        if rows > settings.IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS:
                            raise too_many_rows()
                    run = _longest_run(chunk, run, longest_allowed)
                    tail = _unfinished_tag(data)
                    chunk = part.read(CHUNK)
    # An encrypted member or an unknown compression method is a RuntimeError of zipfile's.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
            RuntimeError) as error:
        logger.warning("import file refused: not a readable .xlsx (%s)", error)
        raise damaged_xlsx() from error
    finally:
        fileobj.seek(0)


def _longest_run(chunk, run, longest_allowed):
    """The length of the run of bytes without "<" or ">" that ``chunk`` ends with, given the
    ``run`` the previous chunk ended with; raises when any run passes ``longest_allowed``."""
    pieces = re.split(rb"[<>]", chunk)
    # The first piece continues the previous chunk's run; the last goes on into the next chunk.
    first = run + len(pieces[0])
    if max(first, max(map(len, pieces[1:]), default=0)) > longest_allowed:
        raise cell_too_long()
    return first if len(pieces) == 1 else len(pieces[-1])


def _unfinished_tag(data):
    """The end of ``data`` from its last "<", if that may be the start of a row element or a
    DTD cut in two by the chunk boundary (a complete one was counted already)."""
    last = data.rfind(b"<")
    candidate = data[last:] if last != -1 else b""
    if len(candidate) >= 16 or XML_ROW.match(candidate) or XML_DTD.match(candidate):
        return b""
    return candidate


def _damaged(error):
    """The FileProblem for an .xlsx that does not read, logged as a warning: it is the file's
    fault, not the server's (XML that does not parse is a SyntaxError: ElementTree's
    ParseError, lxml's XMLSyntaxError)."""
    logger.warning("import file refused: not a readable .xlsx (%s: %s)",
                   type(error).__name__, error)
    return damaged_xlsx()


READ_ERRORS = (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError,
               SyntaxError)


def _open_xlsx(fileobj, known_headers):
    check_xlsx_limits(fileobj)
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=False)
    except READ_ERRORS as error:
        raise _damaged(error) from error
    if not workbook.worksheets:
        workbook.close()
        raise FileProblem(_("文件是空的。"))
    sheet = workbook.worksheets[0]
    merged = _merged_ranges(sheet)
    try:
        computed = _computed_values(fileobj) if _has_formulas(sheet) else None
    except READ_ERRORS as error:
        workbook.close()
        raise _damaged(error) from error

    def sheet_rows():
        rows = sheet.iter_rows(values_only=True)
        if computed is None:
            yield from enumerate(rows, start=1)
            return
        for number, (cells, results) in enumerate(
            zip(rows, computed.worksheets[0].iter_rows(values_only=True), strict=False), start=1
        ):
            yield number, [
                FormulaCell(cell, result) if isinstance(cell, str) and cell.startswith("=")
                else cell
                for cell, result in zip(cells, results, strict=False)
            ]

    def values():
        # The sheet's XML is parsed as the rows are read: a part that does not parse is found
        # here, perhaps after thousands of rows.
        try:
            yield from sheet_rows()
        except READ_ERRORS as error:
            raise _damaged(error) from error

    def close():
        workbook.close()
        if computed is not None:
            computed.close()

    try:
        header_row, header, rows, title = _find_header(values(), known_headers, merged)
    except FileProblem:
        close()
        raise
    estimated = max((sheet.max_row or 0) - header_row, 0)
    return Table(
        file_format="xlsx", header=header, header_row=header_row, rows=rows, title=title,
        estimated_rows=estimated,
        merged_ranges=merged, close=close,
    )


def _has_formulas(sheet):
    """Whether the sheet's XML holds a formula, scanned in chunks like the merged ranges."""
    tail = b""
    with sheet._get_source() as source:
        while chunk := source.read(CHUNK):
            if FORMULA_ELEMENT.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _computed_values(fileobj):
    """The same workbook read for the values Excel last computed for its formulas."""
    return load_workbook(fileobj, read_only=True, data_only=True)


def _merged_ranges(sheet):
    """The merged ranges of a read-only sheet. Read-only mode does not parse them (they follow
    the cell data in the XML), so the sheet's XML is scanned for them in chunks."""
    found = []
    tail = b""
    with sheet._get_source() as source:
        while chunk := source.read(CHUNK):
            data = tail + chunk
            found.extend(match.decode() for match in MERGE_CELL.findall(data))
            # Keep the end of the chunk in case a tag was cut in two; drop what was matched.
            last = data.rfind(b"<")
            tail = data[last:] if last != -1 and b">" not in data[last:] else b""
    return found


#
# xls (the BIFF format of Excel 97–2003, which the national system exports)
#


def _open_xls(fileobj, known_headers):
    """An .xls is at most 65,536 rows: read whole by xlrd. Formula cells come with the value
    Excel last computed (xlrd reads only that); dates are cells formatted as dates."""
    try:
        book = xlrd.open_workbook(file_contents=fileobj.read(), formatting_info=True)
    except (xlrd.XLRDError, xlrd.compdoc.CompDocError, AssertionError, IndexError,
            ValueError) as error:
        raise FileProblem(
            _("无法读取该 Excel 文件,文件可能已损坏:请在 Excel 中打开并重新保存。")
        ) from error
    if not book.nsheets or not book.sheet_by_index(0).nrows:
        raise FileProblem(_("文件是空的。"))
    sheet = book.sheet_by_index(0)
    merged = [
        f"{get_column_letter(first_col + 1)}{first_row + 1}:"
        f"{get_column_letter(end_col)}{end_row}"
        for first_row, end_row, first_col, end_col in sheet.merged_cells
    ]

    def cell_value(cell):
        if cell.ctype == xlrd.XL_CELL_DATE:
            try:
                return xlrd.xldate_as_datetime(cell.value, book.datemode)
            except (xlrd.xldate.XLDateError, ValueError, OverflowError):
                return cell.value
        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
            return None
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return bool(cell.value)
        return cell.value

    def values():
        for index in range(sheet.nrows):
            yield index + 1, [cell_value(cell) for cell in sheet.row(index)]

    header_row, header, rows, title = _find_header(values(), known_headers, merged)
    return Table(
        file_format="xls", header=header, header_row=header_row, rows=rows, title=title,
        estimated_rows=max(sheet.nrows - header_row, 0), merged_ranges=merged,
    )


#
# csv
#


def detect_encoding(fileobj):
    """'utf-8-sig' for UTF-8 with or without a BOM, else 'gb18030' (what Excel on Chinese
    Windows writes). The whole file is checked as UTF-8, in chunks, without keeping it."""
    fileobj.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := fileobj.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    finally:
        fileobj.seek(0)
    return "utf-8-sig"


def _count_lines(fileobj):
    """The file's lines, counted before any row is read: past ``IMPORT_MAX_ROWS`` (and the
    title rows a header may have above it) the file is refused at once."""
    count = 0
    while chunk := fileobj.read(CHUNK):
        count += chunk.count(b"\n")
        if count > settings.IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS:
            fileobj.seek(0)
            raise too_many_rows()
    fileobj.seek(0)
    return count


def _open_csv(fileobj, known_headers):
    encoding = detect_encoding(fileobj)
    lines = _count_lines(fileobj)
    text = io.TextIOWrapper(fileobj, encoding=encoding, newline="")
    try:
        sample = text.read(4096)
    except UnicodeDecodeError as error:
        raise FileProblem(_("无法识别文件编码:请保存为 UTF-8 或 GB18030 编码的 CSV。")) from error
    text.seek(0)
    if not sample.strip("\ufeff \r\n\t,;"):
        text.detach()
        raise FileProblem(_("文件是空的。"))
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text, dialect)

    def values():
        limit = settings.IMPORT_MAX_CELL_CHARS
        try:
            for row_number, row in enumerate(reader, start=1):
                if any(len(value) > limit for value in row):
                    raise cell_too_long(row_number)
                yield row_number, row
        except csv.Error as error:
            raise FileProblem(
                _("CSV 文件第 %(row)s 行格式有误:%(error)s") % {
                    "row": reader.line_num, "error": error,
                }
            ) from error

    header_row, header, rows, title = _find_header(values(), known_headers)
    return Table(
        file_format="csv", header=header, header_row=header_row, rows=rows, title=title,
        estimated_rows=max(lines - header_row, 0), close=text.detach,
    )
