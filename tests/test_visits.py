"""入户走访 visits with photos, and the review of records by their evidence: the queue's
thumbnails, returning a record for missing evidence, and the kinds that need a file first."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cases.models import HouseholdVisit, ReviewEvent
from cases.selectors import county_work_list
from evidence.models import Attachment
from tests.factories import (
    DividendPaymentFactory,
    FinanceAgreementFactory,
    HouseholdFactory,
    HouseholdVisitFactory,
    PairingFactory,
    stored_attachment,
)

pytestmark = pytest.mark.django_db


def photo(name="现场.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), "green").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def visit_form(client, household):
    """The household page's "add a visit" link, followed: the form's initial values."""
    page = client.get(reverse("cases:household_detail", args=[household.pk])).content.decode()
    link = re.search(r'href="([^"]*/visits/new/\?household=\d+[^"]*)"', page)[1]
    form = client.get(link.replace("&amp;", "&")).context["form"]
    return {name: form[name].value() for name in form.fields if form[name].value() is not None}


def test_a_visit_is_saved_with_its_photos_from_the_household_page(
    clerk_client, county_a_clerk, household
):
    data = visit_form(clerk_client, household)
    assert data["household"] == household.pk
    assert data["visited_on"] == timezone.localdate()
    data.update(findings="大棚长势良好", needs="希望学习嫁接技术", photos=[photo(), photo("b.jpg")])

    response = clerk_client.post(reverse("cases:householdvisit_add"), data)

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:household_detail", args=[household.pk])
    visit = HouseholdVisit.objects.get()
    assert (visit.household, visit.county, visit.recorded_by) == (
        household, household.county, county_a_clerk
    )
    assert visit.visitors == county_a_clerk.get_username()
    files = Attachment.objects.filter(object_id=visit.pk, content_type__model="householdvisit")
    assert sorted(f.original_name for f in files) == ["b.jpg", "现场.jpg"]
    assert {f.household for f in files} == {household}


def test_the_visit_form_takes_photos_from_the_camera(clerk_client, household):
    page = clerk_client.get(f"{reverse('cases:householdvisit_add')}?household={household.pk}")

    html = page.content.decode()
    camera = re.search(r'<input[^>]*name="photos"[^>]*>', html)[0]
    assert 'accept="image/*"' in camera and "capture" in camera and "multiple" in camera
    assert 'enctype="multipart/form-data"' in html and "data-retry-upload" in html


def test_a_form_sent_twice_saves_one_visit(clerk_client, household):
    data = visit_form(clerk_client, household)
    data.update(findings="走访", photos=[photo()])
    clerk_client.post(reverse("cases:householdvisit_add"), data)
    data["photos"] = [photo()]

    response = clerk_client.post(reverse("cases:householdvisit_add"), data)

    assert response.status_code == 302
    assert HouseholdVisit.objects.count() == 1 and Attachment.objects.count() == 1


def test_a_bad_photo_keeps_the_form_and_saves_nothing(clerk_client, household):
    data = visit_form(clerk_client, household)
    data.update(
        findings="走访", photos=[SimpleUploadedFile("x.jpg", b"<html><script></script></html>")]
    )

    response = clerk_client.post(reverse("cases:householdvisit_add"), data)

    assert response.status_code == 200
    assert "不支持该文件类型" in " ".join(response.context["form"].errors["photos"])
    assert response.context["form"]["findings"].value() == "走访"
    assert HouseholdVisit.objects.count() == 0 and Attachment.objects.count() == 0


def test_another_countys_household_cannot_be_chosen(clerk_client, county_b, household):
    other = HouseholdFactory(village__township__county=county_b)
    data = visit_form(clerk_client, household)
    data.update(household=other.pk, findings="走访")

    response = clerk_client.post(reverse("cases:householdvisit_add"), data)

    assert "household" in response.context["form"].errors
    assert HouseholdVisit.objects.count() == 0


def test_a_recent_visit_takes_a_pairing_off_the_silent_list(rf, county_a_clerk, household):
    long_ago = timezone.localdate() - datetime.timedelta(days=400)
    PairingFactory(household=household, start_date=long_ago)
    request = rf.get("/")
    request.user = county_a_clerk
    assert county_work_list(request).idle_pairings.count == 1

    HouseholdVisitFactory(household=household, visited_on=long_ago)
    assert county_work_list(request).idle_pairings.count == 1

    HouseholdVisitFactory(household=household, visited_on=timezone.localdate())
    assert county_work_list(request).idle_pairings.count == 0


#
# Review
#


def test_the_queue_shows_each_records_thumbnails(
    client, city_reviewer, county_a_clerk, household
):
    visit = HouseholdVisitFactory(household=household, review_status="submitted")
    attachment = stored_attachment(visit, county_a_clerk)
    HouseholdVisitFactory(household=household, review_status="submitted")
    client.force_login(city_reviewer)

    page = client.get(reverse("cases:review_queue"))

    files = {record.pk: record.evidence_files for record in page.context["rows"]}
    assert files == {visit.pk: [attachment], visit.pk + 1: []}
    thumbnail = reverse("evidence:attachment_thumbnail", args=[attachment.pk])
    assert f'src="{thumbnail}"' in page.content.decode()


def test_a_reviewer_returns_a_record_for_missing_evidence(client, city_reviewer, household):
    visit = HouseholdVisitFactory(household=household, review_status="submitted")
    client.force_login(city_reviewer)

    client.post(
        reverse("cases:record_return", args=["householdvisit", visit.pk]),
        {"reason": "missing_evidence", "comment": ""},
    )

    visit.refresh_from_db()
    assert visit.review_status == "returned"
    assert ReviewEvent.objects.get().comment.startswith("缺少佐证材料")


@pytest.fixture
def dividend(household):
    return DividendPaymentFactory(agreement=FinanceAgreementFactory(household=household))


def test_a_kind_that_needs_evidence_is_not_submitted_without_it(
    clerk_client, county_a_clerk, dividend, settings
):
    settings.EVIDENCE_REQUIRED_FOR = ["dividendpayment"]
    submit = reverse("cases:record_submit", args=["dividendpayment", dividend.pk])

    response = clerk_client.post(submit, follow=True)

    assert "提交审核前须上传佐证材料" in response.content.decode()
    dividend.refresh_from_db()
    assert dividend.review_status == "draft"

    stored_attachment(dividend, county_a_clerk, name="收据.png")
    clerk_client.post(submit)
    dividend.refresh_from_db()
    assert dividend.review_status == "submitted"


def test_other_kinds_are_submitted_without_evidence(clerk_client, dividend, settings):
    settings.EVIDENCE_REQUIRED_FOR = ["householdvisit"]

    clerk_client.post(reverse("cases:record_submit", args=["dividendpayment", dividend.pk]))

    dividend.refresh_from_db()
    assert dividend.review_status == "submitted"
