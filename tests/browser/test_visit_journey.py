"""入户走访 on a phone, in a real browser at 375 px: from the home page, by clicking only, a
county worker records a visit with a photo from the household's page (three taps there: add
the visit, take the photo, save) and submits it; the city's reviewer sees its thumbnail in the
queue and downloads the photo, and the download is logged."""

import io

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from cases.models import HouseholdVisit
from evidence.models import Attachment, AttachmentDownload
from tests.browser.conftest import log_in
from tests.factories import HouseholdFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = 375


def camera_photo(tmp_path):
    from PIL import Image

    path = tmp_path / "IMG_0001.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "darkgreen").save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_visit_with_a_photo_from_the_phone_reaches_the_reviewer(
    new_page, county_a_clerk, tmp_path
):
    household = HouseholdFactory(
        village__township__county=county_a_clerk.county, head_name="张建国",
        register_number="4117271030020718",
    )
    UserFactory(username="city_reviewer", role=Role.CITY_REVIEWER, county=None)

    page = new_page(PHONE_WIDTH)
    log_in(page, "clerk_a")
    # The home page's list of registers.
    page.get_by_role("main").get_by_role("link", name="贫困户", exact=True).click()
    page.get_by_role("link", name=household.register_number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("张建国")

    # Tap 1: add a visit; the household, the date and the visitor are filled in.
    page.get_by_role("link", name="添加入户走访").click()
    page.get_by_label("走访情况").fill("大棚蔬菜长势良好,孩子按时上学")
    page.get_by_label("提出的诉求").fill("希望学习嫁接技术")
    # Tap 2: the camera (the file input asks for the camera with capture).
    camera = page.get_by_label("现场照片")
    expect(camera).to_have_attribute("capture", "environment")
    camera.set_input_files(camera_photo(tmp_path))
    # Tap 3: save.
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status").filter(has_text="已保存")).to_be_visible()

    visit = HouseholdVisit.objects.get()
    assert visit.household == household and visit.findings.startswith("大棚")
    attachment = Attachment.objects.get()
    assert attachment.object_id == visit.pk and attachment.original_name == "IMG_0001.jpg"
    timeline = page.get_by_role("region", name="帮扶记录")
    expect(timeline.get_by_role("img", name="IMG_0001.jpg")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    timeline.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("status").filter(has_text="已提交市总工会审核")).to_be_visible()

    reviewer = new_page(PHONE_WIDTH)
    log_in(reviewer, "city_reviewer")
    # The phone layout folds the navigation behind its toggle button.
    reviewer.get_by_role("button", name="展开或收起导航菜单").click()
    reviewer.get_by_role("link", name="审核", exact=True).click()
    thumbnail = reviewer.get_by_role("img", name="IMG_0001.jpg")
    expect(thumbnail).to_be_visible()
    assert reviewer.evaluate(
        "img => img.complete && img.naturalWidth > 0", thumbnail.element_handle()
    )
    with reviewer.expect_download() as download_info:
        thumbnail.click()
    assert download_info.value.suggested_filename == "IMG_0001.jpg"

    log = AttachmentDownload.objects.get()
    assert (log.user.username, log.attachment, log.household) == (
        "city_reviewer", attachment, household
    )
