"""ID numbers and phones in edit forms, in the county workspace and in Django admin: a number on
file is shown masked like on every other page, posting it back unchanged keeps it, a new number
replaces it, an edited mask is refused, and the whole number is never in the HTML. Seeing it
whole stays the logged reveal on the record's page (tests/test_pii.py)."""

import datetime
import re
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.urls import reverse

from cases import models
from cases.kinds import KINDS
from cases.validators import (
    birth_date_from_id,
    build_resident_id,
    mask_id_number,
    mask_phone,
    sex_from_id,
)
from tests import factories as f
from tests.forms import form_post_data, page_post_data
from tests.support import household_in

MASKS = {"id_number": mask_id_number, "phone": mask_phone}
HELP_TEXT = "号码已部分隐藏;不修改则保留原号码,更换时请输入完整的新号码。"
ID_ENDING_IN_X = "11010519491231002X"
# The personal numbers that may be revealed, per model (cases.kinds).
REVEALABLE_FIELDS = {kind.model: kind.revealable for kind in KINDS if kind.revealable}


#
# The records, and the inputs that hold their numbers
#


@dataclass
class Case:
    """A record whose form shows personal numbers: ``make`` stores one (with numbers) and
    returns it; ``inputs`` maps each number's POST key to (the row holding it, its field)."""

    name: str
    model: type
    make: callable
    inputs: callable
    # a field that may be changed (with a valid value) and one that may be emptied (invalid)
    other: tuple
    required: str

    def __str__(self):
        return self.name


def make_household(county):
    household = household_in(county, phone="13811112222")
    f.MemberFactory(household=household, id_number=ID_ENDING_IN_X, phone="13712345678",
                    relation="head")
    return household


def household_inputs(household):
    member = household.members.get()
    return {
        "phone": (household, "phone"),
        "members-0-id_number": (member, "id_number"),
        "members-0-phone": (member, "phone"),
    }


def numbers_of(record):
    return {name: (record, name) for name in REVEALABLE_FIELDS[type(record)]}


HOUSEHOLD = Case("household", models.Household, make_household, household_inputs,
                 other=("head_name", "改名"), required="head_name")
LABOR_MODEL = Case(
    "labormodel", models.LaborModel,
    lambda county: f.LaborModelFactory(county=county, id_number=ID_ENDING_IN_X,
                                       phone="13912345678"),
    numbers_of, other=("employer", "新单位"), required="name",
)
COLLECTIVE = Case(
    "advancedcollective", models.AdvancedCollective,
    lambda county: f.AdvancedCollectiveFactory(county=county, phone="13612345678"),
    numbers_of, other=("contact_person", "王主任"), required="name",
)
ENTERPRISE = Case(
    "enterprise", models.Enterprise,
    lambda county: f.EnterpriseFactory(county=county, phone="03961234567"),
    numbers_of, other=("address", "新地址"), required="name",
)
MEMBER = Case(
    "member", models.Member,
    lambda county: f.MemberFactory(household=household_in(county), phone="13712345678"),
    numbers_of, other=("name", "改名"), required="name",
)

# The county workspace edits members on their household's page; the admin has both.
COUNTY_CASES = [HOUSEHOLD, LABOR_MODEL, COLLECTIVE, ENTERPRISE]
ADMIN_CASES = [*COUNTY_CASES, MEMBER]
PAGES = [
    *(pytest.param(("county", case), id=f"county-{case}") for case in COUNTY_CASES),
    *(pytest.param(("admin", case), id=f"admin-{case}") for case in ADMIN_CASES),
]


def test_every_masked_number_has_an_input_in_the_cases(county_a):
    covered = {}
    for case in ADMIN_CASES:
        for row, field in case.inputs(case.make(county_a)).values():
            covered.setdefault(type(row), set()).add(field)
    assert covered == {model: set(fields) for model, fields in REVEALABLE_FIELDS.items()}


#
# One page: its URL, its client and the POST a browser sends back
#


def admin_post_data(response, **changes):
    """The admin change form and its inlines as rendered, with ``changes`` applied."""
    data = form_post_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data.update(form_post_data(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(form_post_data(form))
    return {**data, **changes, "_save": "保存"}


def rendered_forms(response):
    if "adminform" in response.context:
        return [response.context["adminform"].form, *(
            form for inline in response.context["inline_admin_formsets"]
            for form in inline.formset.forms
        )]
    formset = response.context.get("formset")
    return [response.context["form"], *(formset.forms if formset is not None else [])]


def error_codes(response, key):
    for form in rendered_forms(response):
        for name, errors in form.errors.as_data().items():
            if form.add_prefix(name) == key:
                return [error.code for error in errors]
    return []


@pytest.fixture
def page(request, county_a, county_a_clerk):
    where, case = request.param
    record = case.make(county_a)
    if where == "admin":
        client = request.getfixturevalue("admin_client")
        url = reverse(f"admin:cases_{case.name}_change", args=[record.pk])
        post_data = admin_post_data
    else:
        client = request.getfixturevalue("client")
        client.force_login(county_a_clerk)
        url = reverse(f"cases:{case.name}_edit", args=[record.pk])
        post_data = page_post_data
    inputs = case.inputs(record)
    return SimpleNamespace(
        case=case, record=record, client=client, url=url, post_data=post_data, inputs=inputs,
        stored={key: getattr(row, field) for key, (row, field) in inputs.items()},
    )


def masked(key, value):
    return MASKS[key.rsplit("-", 1)[-1]](value)


def assert_shown_masked(content, stored):
    for key, value in stored.items():
        assert value not in content, key
        assert f'name="{key}" value="{masked(key, value)}"' in content, key


def current(row, field):
    row.refresh_from_db()
    return getattr(row, field)


def history_values(row, field):
    return set(type(row).history.filter(id=row.pk).values_list(field, flat=True))


def same_birth_and_sex(id_number):
    """Another ID number of someone born the same day, of the same sex: the admin shows a
    member's birth date and sex beside the number, and they must agree with it."""
    sequence = 998 if sex_from_id(id_number) == "F" else 999
    return build_resident_id("411727", birth_date_from_id(id_number), sequence)


def edited_mask(value):
    """The mask with one of its visible characters changed: the stars are still in it."""
    return value[:-1] + ("1" if value[-1] != "1" else "2")


#
# Every page
#


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES, indirect=True)
class TestMaskedNumberInputs:
    def test_the_form_shows_the_numbers_masked_with_a_help_text(self, page):
        response = page.client.get(page.url)
        assert response.status_code == 200
        content = response.content.decode()
        assert_shown_masked(content, page.stored)
        assert HELP_TEXT in content

    def test_posting_the_masked_numbers_back_keeps_them_and_their_history(self, page):
        other, value = page.case.other
        response = page.client.get(page.url)
        data = page.post_data(response, **{other: value})
        for key, stored in page.stored.items():
            # What the browser sends is what it was shown.
            assert data[key] == masked(key, stored) != stored

        response = page.client.post(page.url, data)

        assert response.status_code == 302, rendered_forms(response)[0].errors
        assert str(getattr(type(page.record).objects.get(pk=page.record.pk), other)) == value
        for key, (row, field) in page.inputs.items():
            assert current(row, field) == page.stored[key]
            assert history_values(row, field) == {page.stored[key]}

    def test_a_new_number_typed_in_replaces_the_stored_one(self, page):
        new = {
            key: same_birth_and_sex(value) if key.endswith("id_number") else f"1355555{index:04d}"
            for index, (key, value) in enumerate(page.stored.items())
        }
        response = page.client.post(page.url, page.post_data(page.client.get(page.url), **new))

        assert response.status_code == 302, rendered_forms(response)[0].errors
        for key, (row, field) in page.inputs.items():
            assert current(row, field) == new[key]
            assert history_values(row, field) == {page.stored[key], new[key]}

    def test_an_edited_mask_is_a_field_error_and_saves_nothing(self, page):
        version = page.record.version
        for key, stored in page.stored.items():
            data = page.post_data(page.client.get(page.url),
                                  **{key: edited_mask(masked(key, stored))})

            response = page.client.post(page.url, data)

            assert response.status_code == 200
            assert error_codes(response, key) == [
                "id_format" if key.endswith("id_number") else "phone"
            ]
            assert_shown_masked(response.content.decode(), {
                other: value for other, value in page.stored.items() if other != key
            })
            assert page.stored[key] not in response.content.decode()
        page.record.refresh_from_db()
        assert page.record.version == version
        for key, (row, field) in page.inputs.items():
            assert current(row, field) == page.stored[key]

    def test_an_invalid_form_shown_again_keeps_the_numbers_masked(self, page):
        data = page.post_data(page.client.get(page.url), **{page.case.required: ""})

        response = page.client.post(page.url, data)

        assert response.status_code == 200
        assert error_codes(response, page.case.required) == ["required"]
        assert_shown_masked(response.content.decode(), page.stored)


#
# Particular cases
#


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["county", "admin"])
def test_an_optional_number_emptied_is_cleared(request, where, county_a, county_a_clerk):
    labor_model = LABOR_MODEL.make(county_a)
    if where == "admin":
        client = request.getfixturevalue("admin_client")
        url, post_data = reverse("admin:cases_labormodel_change", args=[labor_model.pk]), \
            admin_post_data
    else:
        client = request.getfixturevalue("client")
        client.force_login(county_a_clerk)
        url, post_data = reverse("cases:labormodel_edit", args=[labor_model.pk]), page_post_data

    response = client.post(url, post_data(client.get(url), id_number="", phone=""))

    assert response.status_code == 302
    labor_model.refresh_from_db()
    assert (labor_model.id_number, labor_model.phone) == ("", "")


@pytest.mark.django_db
def test_a_new_records_inputs_are_as_before(client, county_a_clerk):
    client.force_login(county_a_clerk)
    content = client.get(reverse("cases:household_add")).content.decode()
    assert re.search(r'<input [^>]*name="members-0-id_number" [^>]*maxlength="18"', content)
    assert HELP_TEXT not in content


@pytest.mark.django_db
def test_a_corrected_member_number_brings_its_birth_date_and_sex(
    client, county_a, county_a_clerk
):
    """The household page has no birth date or sex inputs: they follow the number."""
    member = make_household(county_a).members.get()
    corrected = build_resident_id("411727", datetime.date(1960, 5, 6), 11)
    url = reverse("cases:household_edit", args=[member.household_id])
    client.force_login(county_a_clerk)

    response = client.post(
        url, page_post_data(client.get(url), **{"members-0-id_number": corrected})
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.id_number, member.birth_date, member.sex) == (
        corrected, datetime.date(1960, 5, 6), "M")


@pytest.mark.django_db
def test_the_edit_conflict_message_masks_the_other_users_change(
    client, county_a, county_a_clerk
):
    household = make_household(county_a)
    url = reverse("cases:household_edit", args=[household.pk])
    client.force_login(county_a_clerk)
    my_page = client.get(url)
    household.phone = "13900001111"
    household.save()

    response = client.post(url, page_post_data(my_page, phone="13822223333"))

    assert response.status_code == 200
    message = " ".join(response.context["form"].non_field_errors())
    assert "联系电话:138****2222 → 139****1111" in message
    content = response.content.decode()
    assert "13811112222" not in content and "13900001111" not in content
    household.refresh_from_db()
    assert household.phone == "13900001111"


@pytest.mark.django_db
def test_a_number_changed_since_the_page_opened_is_neither_overwritten_nor_shown(
    client, county_a, county_a_clerk
):
    """The mask the clerk was shown is not the mask of the number now on file, so it is not
    taken as "keep": the field asks for a whole number, and the other change stands."""
    household = make_household(county_a)
    head_name = household.head_name
    url = reverse("cases:household_edit", args=[household.pk])
    client.force_login(county_a_clerk)
    my_page = client.get(url)
    household.phone = "13900001111"
    household.save()

    response = client.post(url, page_post_data(my_page, head_name="改名"))

    assert response.status_code == 200
    assert error_codes(response, "phone") == ["phone"]
    assert "13900001111" not in response.content.decode()
    household.refresh_from_db()
    assert (household.phone, household.head_name) == ("13900001111", head_name)


@pytest.mark.django_db
def test_the_admin_history_and_revert_pages_mask_the_numbers(admin_client, county_a):
    member = MEMBER.make(county_a)
    old_id, first = member.id_number, member.history.get()
    new_id = f.next_resident_id()
    member.id_number, member.phone = new_id, "13600001111"
    member.save()

    history = admin_client.get(reverse("admin:cases_member_history", args=[member.pk]))
    revert = admin_client.get(
        reverse("admin:cases_member_simple_history", args=[member.pk, first.history_id])
    )

    content = history.content.decode()
    for number in (old_id, new_id, "13712345678", "13600001111"):
        assert number not in content
        assert number not in revert.content.decode()
    assert mask_id_number(old_id) in content and mask_id_number(new_id) in content
    assert mask_phone("13600001111") in content
    assert_shown_masked(revert.content.decode(),
                        {"id_number": old_id, "phone": "13712345678"})
