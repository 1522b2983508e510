"""Mass assignment and the order of review steps.

Every create and edit page found in the URL configuration is posted with what a tampered
form could add: another county, a review status, who recorded it, a version, timestamps and
another county's ids in its choices. The server's values stay; another county's id is a
field error. Review steps happen only in order, in the services and through the pages.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases.choices import ReviewStatus
from cases.kinds import REVIEWED_MODELS
from cases.models import ReviewEvent
from cases.services import record_approve, record_return, record_submit
from tests.factories import HouseholdFactory
from tests.forms import form_post_data, page_post_data
from tests.routes import EDITABLE
from tests.support import MAKERS, view_for


def test_every_edit_page_is_covered():
    assert EDITABLE and set(EDITABLE) <= set(MAKERS)


def hostile_fields(county_b, county_b_clerk):
    return {
        "county": county_b.pk, "county_id": county_b.pk,
        "review_status": ReviewStatus.APPROVED,
        "recorded_by": county_b_clerk.pk, "recorded_by_id": county_b_clerk.pk,
        "version": "999", "created_at": "2000-01-01 00:00", "updated_at": "2000-01-01 00:00",
        "archived_at": "2000-01-01 00:00", "archive_reason": "篡改",
    }


def stored(record):
    record.refresh_from_db()
    values = {
        "county": record.county_id, "recorded_by": record.recorded_by_id,
        "version": record.version, "review_status": record.review_status,
    }
    if hasattr(record, "archived_at"):
        values["archived_at"] = record.archived_at
    return values


@pytest.mark.django_db
@pytest.mark.parametrize("model_name", EDITABLE)
def test_an_edit_keeps_the_servers_values(
    client, model_name, county_a, county_b, county_a_clerk, county_b_clerk
):
    record = MAKERS[model_name](county_a, "甲县记录")
    type(record)._default_manager.filter(pk=record.pk).update(
        review_status=ReviewStatus.APPROVED, recorded_by=county_a_clerk)
    before = stored(record)
    client.force_login(county_a_clerk)
    url = reverse(f"cases:{model_name}_edit", args=[record.pk])
    data = page_post_data(client.get(url), **hostile_fields(county_b, county_b_clerk))
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert stored(record) == {
        **before,
        "version": before["version"] + 1,
        # An edit sends the record back to draft, whatever was posted.
        "review_status": ReviewStatus.DRAFT,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("model_name", EDITABLE)
def test_a_create_takes_county_recorder_and_status_from_the_server(
    client, model_name, county_a, county_b, county_a_clerk, county_b_clerk
):
    """The posted data of an existing record (renamed, so nothing unique clashes), plus the
    hostile fields, to the create page: a new row of county A, recorded by the clerk, draft."""
    source = MAKERS[model_name](county_a, "甲县记录")
    model = type(source)
    client.force_login(county_a_clerk)
    add_url = reverse(f"cases:{model_name}_add")
    edit_page = client.get(reverse(f"cases:{model_name}_edit", args=[source.pk]))
    # The create page's own (empty) formset, with the existing record's main form.
    data = {**page_post_data(client.get(add_url)), **form_post_data(edit_page.context["form"])}
    for key in ("name", "register_number", "title", "topic", "head_name"):
        if key in data:
            data[key] = f"{data[key]}新"
    if "signed_on" in data:  # one agreement per enterprise, household and day
        data["signed_on"] = str(datetime.date.fromisoformat(data["signed_on"])
                                - datetime.timedelta(days=1))
    data.pop("loaded_version", None)
    data.update(hostile_fields(county_b, county_b_clerk))
    existing = set(model._default_manager.values_list("pk", flat=True))
    response = client.post(add_url, data)
    assert response.status_code == 302, response.context["form"].errors
    [created] = model._default_manager.exclude(pk__in=existing)
    assert stored(created) == {
        "county": county_a.pk, "recorded_by": county_a_clerk.pk, "version": 1,
        "review_status": ReviewStatus.DRAFT,
        **({"archived_at": None} if hasattr(created, "archived_at") else {}),
    }


def other_county_choice(field, county_b):
    model = field.queryset.model
    return model._default_manager.filter(**{model.county_lookup: county_b.pk}).first()


@pytest.mark.django_db
@pytest.mark.parametrize("model_name", EDITABLE)
def test_another_countys_ids_are_field_errors(
    client, model_name, county_a, county_b, county_a_clerk, county_b_clerk
):
    for make in MAKERS.values():
        make(county_b, "乙县记录")
    record = MAKERS[model_name](county_a, "甲县记录")
    client.force_login(county_a_clerk)
    url = reverse(f"cases:{model_name}_edit", args=[record.pk])
    page = client.get(url)
    form = page.context["form"]
    scoped = list(getattr(form, "scoped_fields", {}))
    if not scoped:
        # Checked by test_the_forms_without_record_choices_are_the_expected_ones.
        pytest.skip(f"{model_name}'s form has no choice of records")
    for name in scoped:
        foreign = other_county_choice(form.fields[name], county_b)
        assert foreign is not None, name
        value = [str(foreign.pk)] if isinstance(page_post_data(page).get(name), list) \
            else str(foreign.pk)
        before = stored(record)
        response = client.post(url, page_post_data(page, **{name: value}))
        assert response.status_code == 200, name
        assert response.context["form"].errors.get(name), name
        assert stored(record) == before


def test_the_forms_without_record_choices_are_the_expected_ones():
    """So that the skip above cannot hide a form that lost its scoping: these forms take no
    record ids at all."""
    without = []
    for model_name in EDITABLE:
        form_class = view_for(reverse(f"cases:{model_name}_add")).form_class
        fields = form_class.base_fields
        if not getattr(form_class, "scoped_fields", None):
            assert not any(hasattr(field, "queryset") and field.queryset.model._meta.app_label
                           == "cases" and hasattr(field.queryset.model, "county_lookup")
                           for field in fields.values()), model_name
            without.append(model_name)
    assert set(without) <= {"labormodel", "advancedcollective"}


#
# Review steps in order
#

ALLOWED = {
    ("submit", ReviewStatus.DRAFT): ReviewStatus.SUBMITTED,
    ("submit", ReviewStatus.RETURNED): ReviewStatus.SUBMITTED,
    ("approve", ReviewStatus.SUBMITTED): ReviewStatus.APPROVED,
    ("return", ReviewStatus.SUBMITTED): ReviewStatus.RETURNED,
}
STEPS = ["submit", "approve", "return"]


def service_step(step, record, clerk, reviewer):
    if step == "submit":
        return record_submit(record=record, user=clerk)
    if step == "approve":
        return record_approve(record=record, user=reviewer)
    return record_return(record=record, user=reviewer, comment="请补充材料")


@pytest.mark.django_db
@pytest.mark.parametrize("status", ReviewStatus.values)
@pytest.mark.parametrize("step", STEPS)
def test_services_allow_only_the_steps_in_order(
    step, status, county_a, county_a_clerk, city_reviewer
):
    household = HouseholdFactory(village__township__county=county_a, review_status=status)
    events = ReviewEvent.objects.count()
    expected = ALLOWED.get((step, status))
    if expected is None:
        with pytest.raises(ValidationError):
            service_step(step, household, county_a_clerk, city_reviewer)
        household.refresh_from_db()
        assert household.review_status == status
        assert ReviewEvent.objects.count() == events
    else:
        assert service_step(step, household, county_a_clerk, city_reviewer).review_status \
            == expected
        assert ReviewEvent.objects.count() == events + 1


@pytest.mark.django_db
@pytest.mark.parametrize("step", STEPS)
def test_services_refuse_the_wrong_role(step, county_a, county_a_clerk, city_reviewer):
    household = HouseholdFactory(village__township__county=county_a,
                                 review_status=ReviewStatus.SUBMITTED if step != "submit"
                                 else ReviewStatus.DRAFT)
    # Swapped: the reviewer submits, the clerk decides.
    with pytest.raises(PermissionDenied):
        service_step(step, household, city_reviewer, county_a_clerk)


@pytest.mark.django_db
@pytest.mark.parametrize("model", REVIEWED_MODELS, ids=lambda model: model._meta.model_name)
@pytest.mark.parametrize("status", ReviewStatus.values)
@pytest.mark.parametrize("step", STEPS)
def test_pages_allow_only_the_steps_in_order(
    client, model, step, status, county_a, county_a_clerk, city_reviewer
):
    record = MAKERS[model._meta.model_name](county_a, "甲县记录")
    model._default_manager.filter(pk=record.pk).update(review_status=status)
    client.force_login(county_a_clerk if step == "submit" else city_reviewer)
    url = reverse(f"cases:record_{step}", args=[model._meta.model_name, record.pk])
    response = client.post(url, {"comment": "请补充材料"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.review_status == ALLOWED.get((step, status), status)
