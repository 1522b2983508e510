"""Evidence files: what is accepted and what is refused (by content, not name), what is kept
of a photo, where files are stored, who may fetch them, and the log of every download."""

import io
import stat
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.checks import run_checks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from PIL import ExifTags, Image

from evidence.models import Attachment, AttachmentDownload
from tests.factories import (
    DividendPaymentFactory,
    FinanceAgreementFactory,
    HouseholdFactory,
    HouseholdVisitFactory,
    TownshipFactory,
    VillageFactory,
    stored_attachment,
)

pytestmark = pytest.mark.django_db


def jpeg_with_gps(size=(80, 60)):
    image = Image.new("RGB", size, "orange")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "VillagePhone"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (32.0, 57.0, 12.0),
    }
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def png(size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "blue").save(buffer, "PNG")
    return buffer.getvalue()


def png_bomb(width=100_000, height=100_000):
    """A PNG of a few dozen bytes whose header promises ten billion pixels."""

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def pdf(body=b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj"):
    return b"%PDF-1.4\n" + body + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def xlsx():
    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active["A1"] = "签到表"
    workbook.save(buffer)
    return buffer.getvalue()


def docx(extra_parts=()):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name in extra_parts:
            archive.writestr(name, b"\x00" * 16)
    return buffer.getvalue()


def upload(client, record, *files):
    url = reverse("evidence:attachment_upload", args=[record._meta.model_name, record.pk])
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    return client.post(url, {"files": uploads}, follow=True)


def stored_files(root):
    return [path for path in Path(root).rglob("*") if path.is_file()]


#
# Refused files: a clear Chinese message, nothing stored
#

BAD_FILES = {
    "html renamed jpg": (
        "photo.jpg", b"<html><script>alert(1)</script></html>", "不支持该文件类型"
    ),
    "svg with script": (
        "sign.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "不支持该文件类型",
    ),
    "decompression bomb png": ("bomb.png", png_bomb(), "图片像素过多"),
    "pdf with javascript": (
        "receipt.pdf",
        pdf(b"1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
            b" endobj"),
        "PDF 文件含有脚本",
    ),
    "pdf with an escaped javascript name": (
        "receipt.pdf", pdf(b"1 0 obj << /OpenAction << /S /J#61vaScript /J#53 (x) >> >> endobj"),
        "PDF 文件含有脚本",
    ),
    "pdf with javascript in a compressed object stream": (
        "receipt.pdf",
        pdf(b"2 0 obj << /Type /ObjStm /Filter /FlateDecode >> stream\n"
            + zlib.compress(b"<< /S /JavaScript /JS (app.alert(1)) >>") + b"\nendstream endobj"),
        "PDF 文件含有脚本",
    ),
    "word file with macros": (
        "notes.docx", docx(["word/vbaProject.bin"]), "文件含有宏",
    ),
    "zip that is no office file": ("photos.xlsx", docx().replace(b"word/", b"misc/"), "不支持"),
    "truncated jpeg": ("cut.jpg", jpeg_with_gps()[:200], "图片已损坏"),
}


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES.values(), ids=BAD_FILES)
def test_bad_files_are_refused_with_a_reason_and_nothing_is_stored(
    clerk_client, household, evidence_root, name, content, message
):
    response = upload(clerk_client, household, (name, content))

    page = response.content.decode()
    assert message in page and name in page
    assert Attachment.objects.count() == 0
    assert stored_files(evidence_root) == []


def test_a_file_over_the_size_limit_is_refused(clerk_client, household, evidence_root, settings):
    settings.EVIDENCE_MAX_FILE_BYTES = 1000
    response = upload(clerk_client, household, ("big.png", png((400, 400)) + b"\x00" * 1000))

    assert "big.png:文件超过 1000\xa0字节 的上限。" in response.content.decode()
    assert Attachment.objects.count() == 0
    assert stored_files(evidence_root) == []


def test_one_bad_file_refuses_the_whole_upload(clerk_client, household, evidence_root):
    response = upload(
        clerk_client, household, ("good.png", png()), ("bad.jpg", b"<html></html>")
    )

    assert "bad.jpg" in response.content.decode()
    assert Attachment.objects.count() == 0
    assert stored_files(evidence_root) == []


def test_a_record_cannot_hold_more_than_its_limit(clerk_client, household, settings):
    upload(clerk_client, household, ("first.pdf", pdf()))
    settings.EVIDENCE_MAX_RECORD_BYTES = Attachment.objects.get().size + 10

    response = upload(clerk_client, household, ("second.pdf", pdf()))

    assert "合计不能超过" in response.content.decode()
    assert Attachment.objects.count() == 1


#
# Accepted files: what is kept
#


def test_a_photo_is_re_encoded_without_its_location_and_written_for_the_app_alone(
    clerk_client, household, evidence_root
):
    response = upload(clerk_client, household, ("村口.jpg", jpeg_with_gps()))

    assert "已上传 1 个文件" in response.content.decode()
    attachment = Attachment.objects.get()
    assert (attachment.kind, attachment.original_name) == ("image", "村口.jpg")
    assert attachment.county == household.county and attachment.household == household
    kept = Image.open(attachment.file.open("rb"))
    assert kept.format == "JPEG"
    assert kept.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert ExifTags.Base.Make not in kept.getexif()
    assert Image.open(attachment.thumbnail.open("rb")).size[0] <= 320
    files = stored_files(evidence_root)
    assert len(files) == 2  # the photo and its thumbnail
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        # A random name under the county's code, not the name the user gave.
        assert path.parent.name == household.county.code and "村口" not in path.name


def test_a_county_that_keeps_locations_keeps_the_gps_of_its_photos(
    clerk_client, household, county_a
):
    county_a.keeps_photo_locations = True
    county_a.save()

    upload(clerk_client, household, ("村口.jpg", jpeg_with_gps()))

    kept = Image.open(Attachment.objects.get().file.open("rb"))
    assert kept.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert ExifTags.Base.Make not in kept.getexif()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [("收据.pdf", pdf(), "pdf"), ("签到表.xlsx", xlsx(), "xlsx"), ("记录.docx", docx(), "docx"),
     ("图.png", png(), "image")],
)
def test_documents_are_recognised_by_their_content(clerk_client, household, name, content, kind):
    upload(clerk_client, household, (name, content))

    assert Attachment.objects.get().kind == kind


def test_an_iphone_heic_photo_is_kept_as_jpeg(clerk_client, household):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, "HEIF")  # pillow-heif's encoder

    upload(clerk_client, household, ("IMG_0002.HEIC", buffer.getvalue()))

    attachment = Attachment.objects.get()
    assert (attachment.kind, attachment.original_name) == ("image", "IMG_0002.jpg")
    assert Image.open(attachment.file.open("rb")).format == "JPEG"


def test_files_are_stored_outside_every_served_directory():
    evidence = Path(settings.EVIDENCE_ROOT).resolve()
    served = [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS),
              Path(settings.MEDIA_ROOT)]
    assert not any(evidence.is_relative_to(path.resolve()) for path in served)
    assert settings.STORAGES["evidence"]["OPTIONS"]["file_permissions_mode"] == 0o600


#
# Downloads: scoped, never run by the browser, logged
#


def test_a_download_is_an_attachment_and_is_logged(clerk_client, county_a_clerk, household):
    attachment = stored_attachment(household, county_a_clerk, name="走访.png")

    response = clerk_client.get(reverse("evidence:attachment_download", args=[attachment.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    # Photos without transparency are kept as JPEG, the name following.
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].endswith("''%E8%B5%B0%E8%AE%BF.jpg")
    assert attachment.original_name == "走访.jpg"
    log = AttachmentDownload.objects.get()
    assert (log.user, log.attachment, log.household) == (county_a_clerk, attachment, household)


def test_the_gallery_lists_who_fetched_what(
    client, county_a_clerk, city_reviewer, household
):
    attachment = stored_attachment(household, county_a_clerk, name="分红收据.png")
    client.force_login(city_reviewer)
    client.get(reverse("evidence:attachment_download", args=[attachment.pk]))
    client.force_login(county_a_clerk)

    page = client.get(reverse("evidence:household_gallery", args=[household.pk]))

    rows = page.context["downloads"]
    assert [(row.user, row.attachment.original_name) for row in rows] == [
        (city_reviewer, "分红收据.jpg")
    ]
    assert "分红收据.jpg" in page.content.decode()


def test_thumbnails_are_not_logged_but_scoped(clerk_client, county_a_clerk, household):
    attachment = stored_attachment(household, county_a_clerk)

    response = clerk_client.get(reverse("evidence:attachment_thumbnail", args=[attachment.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert AttachmentDownload.objects.count() == 0


def test_another_countys_file_is_not_found_on_every_route(
    client, county_a_clerk, county_b_clerk, county_b, household
):
    other = HouseholdFactory(village__township__county=county_b)
    attachment = stored_attachment(other, county_b_clerk)
    client.force_login(county_a_clerk)

    for url in (
        reverse("evidence:attachment_download", args=[attachment.pk]),
        reverse("evidence:attachment_thumbnail", args=[attachment.pk]),
        reverse("evidence:household_gallery", args=[other.pk]),
    ):
        assert client.get(url).status_code == 404, url
    upload_url = reverse("evidence:attachment_upload", args=["household", other.pk])
    assert client.post(upload_url, {"files": [SimpleUploadedFile("a.png", png())]}).status_code \
        == 404
    assert AttachmentDownload.objects.count() == 0
    assert Attachment.objects.count() == 1


def test_a_household_moved_to_another_county_takes_its_files_along(
    client, county_a_clerk, county_b_clerk, county_b, household
):
    visit = HouseholdVisitFactory(household=household)
    files = [stored_attachment(household, county_a_clerk), stored_attachment(visit, county_a_clerk)]

    household.village = VillageFactory(township=TownshipFactory(county=county_b))
    household.save()

    assert {attachment.county for attachment in Attachment.objects.all()} == {county_b}
    for attachment in files:
        url = reverse("evidence:attachment_download", args=[attachment.pk])
        client.force_login(county_a_clerk)
        assert client.get(url).status_code == 404
        client.force_login(county_b_clerk)
        assert client.get(url).status_code == 200


def test_city_reviewers_read_but_do_not_upload(client, city_reviewer, county_a_clerk, household):
    stored_attachment(household, county_a_clerk)
    client.force_login(city_reviewer)

    response = upload(client, household, ("a.png", png()))

    assert response.status_code == 403
    assert Attachment.objects.count() == 1


def test_a_dividends_files_belong_to_its_household(clerk_client, county_a_clerk, household):
    dividend = DividendPaymentFactory(agreement=FinanceAgreementFactory(household=household))

    upload(clerk_client, dividend, ("收据.pdf", pdf()))

    attachment = Attachment.objects.get()
    assert attachment.household == household
    assert attachment.content_type == ContentType.objects.get_for_model(dividend)
    page = clerk_client.get(reverse("cases:household_detail", args=[household.pk]))
    assert attachment in page.context["timeline"][0].evidence_files


def test_an_unknown_kind_in_evidence_required_for_stops_the_start(settings):
    settings.EVIDENCE_REQUIRED_FOR = ["dividendpayment", "receipt"]

    errors = [error for error in run_checks() if error.id == "evidence.E001"]

    assert len(errors) == 1 and "receipt" in errors[0].msg
