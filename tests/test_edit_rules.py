import pytest
from django.urls import reverse

from cases.choices import ReviewStatus
from tests.factories import HouseholdFactory
from tests.forms import page_post_data


@pytest.mark.parametrize("status", [ReviewStatus.SUBMITTED, ReviewStatus.APPROVED])
def test_editing_a_reviewed_household_sends_it_back_to_draft(
    client, county_a_clerk, county_a, status
):
    household = HouseholdFactory(village__township__county=county_a, review_status=status)
    url = reverse("cases:household_edit", args=[household.pk])
    client.force_login(county_a_clerk)
    response = client.post(url, page_post_data(client.get(url), head_name="改名"), follow=True)
    household.refresh_from_db()
    assert household.head_name == "改名"
    assert household.review_status == ReviewStatus.DRAFT
    assert "重新提交审核" in response.content.decode()


def test_editing_a_draft_keeps_it_a_draft_without_a_warning(client, county_a_clerk, county_a):
    household = HouseholdFactory(village__township__county=county_a)
    url = reverse("cases:household_edit", args=[household.pk])
    client.force_login(county_a_clerk)
    response = client.post(url, page_post_data(client.get(url), head_name="改名"), follow=True)
    household.refresh_from_db()
    assert household.review_status == ReviewStatus.DRAFT
    assert "重新提交审核" not in response.content.decode()
