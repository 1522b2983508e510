"""The ZIP of a household export: the list's workbook, then a folder per household with the
evidence files of the household and of its records (visits, pairings, agreements, dividends,
jobs, aid), as its gallery shows them.

Written by the background export job (``cases.export_jobs``) into the file it stores. Files are
copied from the evidence storage's ``open()`` in chunks and stored uncompressed (photos, PDFs
and Office files are compressed already), so memory stays flat whatever the files' size.
"""

import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import exports
from evidence.models import Attachment

COPY_CHUNK = 1024 * 1024
HOUSEHOLDS_PER_QUERY = 500
# Not allowed in a file name on Windows (where county offices unpack the ZIP), nor control
# characters; "/" would make a folder.
UNSAFE_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
MAX_NAME_CHARS = 80


class ZipTooLarge(exports.ExportRefused):
    """The files to put in the ZIP are more than ``EXPORT_ZIP_MAX_MB``."""


@dataclass
class ZipResult:
    rows: int  # the workbook's data rows
    # The files put in, as (attachment, household, county) ids: what their download log needs.
    files: list = field(default_factory=list)


def safe_file_name(name, fallback="_"):
    """``name`` as a file or folder name that unpacks the same on Windows, macOS and Linux."""
    cleaned = UNSAFE_IN_FILE_NAMES.sub("_", name).strip(" .")
    if len(cleaned) > MAX_NAME_CHARS:
        path = PurePosixPath(cleaned)
        cleaned = path.stem[:MAX_NAME_CHARS - len(path.suffix)] + path.suffix
    return cleaned or fallback


def household_folder(register_number, head_name):
    """The folder of one household: its register number and head's name."""
    return safe_file_name(f"{register_number}-{head_name}", fallback=register_number)


def file_name_in_folder(attachment, taken):
    """The kind of record the file belongs to, then the name it was uploaded with (e.g.
    入户走访-门前.jpg); "(2)", "(3)"… added to a name the folder already holds."""
    kind = attachment.content_type.model_class()._meta.verbose_name
    name = safe_file_name(f"{kind}-{attachment.original_name}")
    path = PurePosixPath(name)
    number = 1
    while name.lower() in taken:
        number += 1
        name = f"{path.stem} ({number}){path.suffix}"
    taken.add(name.lower())
    return name


def files_of(user, households):
    """The evidence files of ``households`` that ``user`` may fetch (their county's)."""
    return Attachment.objects.for_user(user).filter(household__in=households.values("pk"))


def check_size(user, households):
    """ZipTooLarge when the files of ``households`` are more than ``EXPORT_ZIP_MAX_MB``."""
    total = files_of(user, households).aggregate(total=Sum("size"))["total"] or 0
    limit = settings.EXPORT_ZIP_MAX_MB * 1024 * 1024
    if total > limit:
        raise ZipTooLarge(_(
            "这些贫困户的佐证材料共 %(total)s,超过了含附件导出的上限 %(limit)s:"
            "请缩小筛选范围(例如按乡镇或行政村分别导出),或改用不含附件的导出。"
        ) % {"total": filesizeformat(total), "limit": filesizeformat(limit)})


def write_household_zip(output, content, user, progress):
    """Write the ZIP of ``content`` (a household list's export, ``content.records`` its
    households) to the binary file ``output``. ``progress(n)`` is told how many households
    are done after each batch. Raises ZipTooLarge (nothing written) past the size limit."""
    households = content.records.order_by()
    check_size(user, households)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_STORED) as archive:
        rows = _add_workbook(archive, content)
        result = ZipResult(rows=rows)
        listed = households.order_by("register_number", "pk").values_list(
            "pk", "register_number", "head_name"
        )
        done = 0
        for batch in exports.chunks(listed.iterator(chunk_size=HOUSEHOLDS_PER_QUERY),
                                    HOUSEHOLDS_PER_QUERY):
            _add_households(archive, user, batch, result)
            done += len(batch)
            progress(done)
    return result


def _add_workbook(archive, content):
    rows = -1

    def counted(source):
        nonlocal rows
        for row in source:
            rows += 1
            yield row

    info = zipfile.ZipInfo(
        exports.file_name(content.filename, "xlsx"),
        date_time=timezone.localtime().timetuple()[:6],
    )
    # Written straight into the archive (write_xlsx never seeks), so no plaintext copy of the
    # workbook lands in a temporary file; its size is not known beforehand, hence ZIP64.
    with archive.open(info, "w", force_zip64=True) as target:
        exports.write_xlsx(counted(content.rows), target, content.sheet_title,
                           content.text_columns)
    return max(rows, 0)


def _add_households(archive, user, batch, result):
    """Each household of ``batch`` (pk, register number, head) that has files, as a folder."""
    folders = {pk: household_folder(number, head) for pk, number, head in batch}
    attachments = (
        Attachment.objects.for_user(user)
        .filter(household_id__in=folders)
        .select_related("content_type")
        .order_by("household_id", "uploaded_at", "id")
    )
    taken = {}
    for attachment in attachments:
        names = taken.setdefault(attachment.household_id, set())
        folder = folders[attachment.household_id]
        info = zipfile.ZipInfo(
            f"{folder}/{file_name_in_folder(attachment, names)}",
            date_time=timezone.localtime(attachment.uploaded_at).timetuple()[:6],
        )
        storage = attachment.file.storage
        with storage.open(attachment.file.name, "rb") as source, archive.open(info, "w") as target:
            shutil.copyfileobj(source, target, COPY_CHUNK)
        result.files.append((attachment.pk, attachment.household_id, attachment.county_id))
