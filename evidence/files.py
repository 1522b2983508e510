"""What an uploaded evidence file really is, and a safe copy of it to keep.

The type is read from the content (its first bytes, and for Office files the parts inside the
ZIP), never from the name or the browser's Content-Type. Photos are decoded and encoded again
by Pillow: what is kept is pixels Pillow wrote, so a script or a second format hidden in the
file (a "polyglot") does not survive, nor does any metadata but, when the county keeps them,
the GPS coordinates. PDFs that can run JavaScript or open other files are refused.
"""

import io
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from evidence.models import FileKind

try:  # HEIC photos (iPhones) are converted to JPEG when pillow-heif is installed.
    from pillow_heif import register_heif_opener
except ImportError:  # pragma: no cover - a deployment without the wheel refuses HEIC
    HEIF_SUPPORTED = False
else:
    register_heif_opener()
    HEIF_SUPPORTED = True

THUMBNAIL_SIZE = (320, 320)
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
# PDF actions that run code or open something else: a receipt or a sign-in sheet needs none.
PDF_ACTIVE_NAMES = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia", b"/XFA")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
# Office files are ZIPs of XML parts; what each kind must contain, and what it may not.
OFFICE_MAIN_PARTS = {FileKind.XLSX: "xl/workbook.xml", FileKind.DOCX: "word/document.xml"}
OFFICE_MACROS = re.compile(r"vbaProject\.bin$|/activeX/", re.I)
EXTENSIONS = {FileKind.PDF: "pdf", FileKind.XLSX: "xlsx", FileKind.DOCX: "docx"}
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass
class CheckedFile:
    """An upload that passed every check, as it will be stored."""

    original_name: str
    kind: str
    extension: str
    content: bytes
    thumbnail: bytes | None = None

    @property
    def size(self):
        return len(self.content)


def unsupported():
    return ValidationError(
        _("不支持该文件类型:只能上传照片(JPEG、PNG、HEIC)、PDF、Excel(.xlsx)或 Word(.docx)文件。"),
        code="unsupported",
    )


def check_upload(uploaded, keep_location=False):
    """The safe copy of ``uploaded`` (a Django UploadedFile) to store, or ValidationError with
    the reason, in Chinese, naming the file. ``keep_location``: the county keeps the GPS
    coordinates of its photos."""
    name = uploaded.name[-200:]
    try:
        if uploaded.size > settings.EVIDENCE_MAX_FILE_BYTES:
            raise ValidationError(
                _("文件超过 %(limit)s 的上限。")
                % {"limit": filesizeformat(settings.EVIDENCE_MAX_FILE_BYTES)},
                code="too_large",
            )
        uploaded.seek(0)
        content = uploaded.read()
        return _check_content(name, content, keep_location)
    except ValidationError as error:
        raise ValidationError(
            _("%(name)s:%(reason)s") % {"name": name, "reason": " ".join(error.messages)},
            code=error.code,
        ) from None


def _check_content(name, content, keep_location):
    head = content[:32]
    if head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _photo(name, content, keep_location)
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        if not HEIF_SUPPORTED:  # pragma: no cover
            raise unsupported()
        return _photo(name, content, keep_location)
    if head.startswith(b"%PDF-"):
        _check_pdf(content)
        return CheckedFile(name, FileKind.PDF, "pdf", content)
    if head.startswith(b"PK\x03\x04"):
        kind = _office_kind(content)
        return CheckedFile(name, kind, EXTENSIONS[kind], content)
    raise unsupported()


def _photo(name, content, keep_location):
    """The photo decoded and written again by Pillow (JPEG, or PNG when it has transparency),
    turned upright, without metadata except GPS when ``keep_location``; and its thumbnail."""
    bomb = ValidationError(_("图片像素过多,疑似恶意文件,已拒绝。"), code="bomb")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it: refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            width, height = image.size
            if width * height > settings.EVIDENCE_MAX_IMAGE_PIXELS:
                raise bomb
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise bomb from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("图片已损坏或格式不正确。"), code="corrupt") from None
    exif = image.getexif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo) if keep_location else {}
    upright = ImageOps.exif_transpose(image)
    kept = Image.Exif()
    if gps:
        kept[ExifTags.IFD.GPSInfo] = gps
    has_alpha = upright.mode in ("RGBA", "LA") or "transparency" in upright.info
    output = io.BytesIO()
    if has_alpha:
        upright.save(output, "PNG", optimize=True)
        extension = "png"
    else:
        upright.convert("RGB").save(output, "JPEG", quality=85, exif=kept.tobytes())
        extension = "jpg"
    thumbnail = upright.convert("RGB")
    thumbnail.thumbnail(THUMBNAIL_SIZE)
    thumb_output = io.BytesIO()
    thumbnail.save(thumb_output, "JPEG", quality=75)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return CheckedFile(
        f"{stem}.{extension}", FileKind.IMAGE, extension, output.getvalue(), thumb_output.getvalue()
    )


def _check_pdf(content):
    """Refuse a PDF naming an active feature, in its plain text or in any compressed stream
    (object streams hide dictionaries there), with #xx escapes in names undone."""
    refused = ValidationError(
        _("PDF 文件含有脚本或嵌入内容,不能上传。请打印为普通 PDF 后再上传。"), code="active_pdf"
    )
    parts = [content]
    for stream in PDF_STREAM.finditer(content):
        try:
            inflated = zlib.decompressobj().decompress(
                stream[1], settings.EVIDENCE_MAX_FILE_BYTES
            )
        except zlib.error:
            continue
        parts.append(inflated)
    for part in parts:
        plain = PDF_NAME_ESCAPE.sub(lambda match: bytes([int(match[1], 16)]), part)
        if any(name in plain for name in PDF_ACTIVE_NAMES):
            raise refused


def _office_kind(content):
    """xlsx or docx, from the parts inside the ZIP; anything else (another ZIP, a macro
    workbook, an archive that unpacks to more than the file limit allows) is refused."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise unsupported() from None
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names:
        raise unsupported()
    if any(OFFICE_MACROS.search(name) for name in names):
        raise ValidationError(
            _("文件含有宏,不能上传。请另存为不含宏的文件后再上传。"), code="macro"
        )
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > 10 * settings.EVIDENCE_MAX_FILE_BYTES:
        raise ValidationError(_("文件解压后过大,疑似恶意文件,已拒绝。"), code="bomb")
    for kind, part in OFFICE_MAIN_PARTS.items():
        if part in names:
            return kind
    raise unsupported()
