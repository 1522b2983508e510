"""The register import answers a bad value with the forms' own message: each case goes through
the household or member form and through an import of the register, and both give the same
messages for the field. The import checks a value once per column (imports.engine
REMEMBERED_VALUES), so a member's bad value is also given on a second row, which must get
the same messages."""

import datetime

import pytest

from cases.choices import PovertyStatus, Relation
from cases.forms.households import HouseholdForm, MemberForm
from cases.models import Household, Member, PovertyCause
from imports.models import ImportStatus
from tests.import_files import (
    as_table,
    csv_bytes,
    household_values,
    member_values,
    register_row,
    resident_id,
)
from tests.support import run_import

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("media_root", "run_jobs_on_commit", "village_a"),
]

WRONG_CHECKSUM = resident_id(1)[:17] + ("0" if resident_id(1)[17] != "0" else "1")
NEXT_YEAR = str(datetime.date.today().year + 1) + "-01-01"

# (import column, form field, bad text)
MEMBER_CASES = [
    ("身份证号", "id_number", WRONG_CHECKSUM),
    ("身份证号", "id_number", "41172719750615001A"),
    ("身份证号", "id_number", "411727197513150013"),
    ("成员联系电话", "phone", "12345"),
    ("务工时间(月)", "work_months", "13"),
    ("成员姓名", "name", "张" * 51),
    ("民族", "ethnicity", "汉" * 21),
    ("人编号", "person_number", "1" * 31),
]
HOUSEHOLD_CASES = [
    ("户主姓名", "head_name", "刘" * 51),
    ("户联系电话", "phone", "12345"),
    ("识别日期", "identified_on", NEXT_YEAR),
    ("户编号", "register_number", "4" * 31),
    ("自然村", "natural_village", "村" * 51),
]


def member_form_data(**bad):
    data = {
        field.name: field.get_default() if field.has_default() else ""
        for field in Member._meta.fields if field.name in MemberForm._meta.fields
    }
    data.update(name="成员1", id_number=resident_id(1), relation=Relation.HEAD)
    data["serious_illness_insurance"] = "unknown"
    data["work_months"] = ""
    data.update(bad)
    return data


def household_form_data(village, **bad):
    data = {
        field.name: field.get_default() if field.has_default() else ""
        for field in Household._meta.fields if field.name in HouseholdForm._meta.fields
    }
    data.update(
        register_number="411727001000001", head_name="刘建国", village=village.pk,
        identified_on="2016-03-01", main_cause=PovertyCause.objects.get(name="因病").pk,
        unsafe_housing="unknown", safe_drinking_water="unknown", income_per_capita="",
        industry="", industry_since="",
    )
    data.update(bad)
    return data


def import_messages(client, household, members):
    """{(row, column): [messages]} of an import of rows 2 and 3 (one household, two members)."""
    rows = [register_row(household, member) for member in members]
    run = run_import(client, "households", csv_bytes(as_table(rows)), "register.csv")
    assert run.status == ImportStatus.INVALID
    messages = {}
    for error in run.errors:
        messages.setdefault((error["row"], error["column"]), []).append(error["message"])
    return messages


@pytest.mark.parametrize(("column", "field", "text"), MEMBER_CASES)
def test_a_bad_member_value_gets_the_member_forms_message(clerk_client, column, field, text):
    form = MemberForm(data=member_form_data(**{field: text}))
    assert not form.is_valid()
    expected = form.errors[field]

    # An ID number given twice is a duplicate: the second member has its own.
    second = {} if column == "身份证号" else {column: text}
    messages = import_messages(clerk_client, household_values(), [
        member_values(1, "户主", **{column: text}),
        member_values(2, "配偶", **second),
    ])

    assert messages.get((2, column)) == expected
    assert messages.get((3, column)) == (expected if second else None)


@pytest.mark.parametrize(("column", "field", "text"), HOUSEHOLD_CASES)
def test_a_bad_household_value_gets_the_household_forms_message(
    clerk_client, county_a_clerk, village_a, column, field, text
):
    form = HouseholdForm(data=household_form_data(village_a, **{field: text}), user=county_a_clerk)
    assert not form.is_valid()
    expected = form.errors[field]

    messages = import_messages(clerk_client, household_values(**{column: text}), [
        member_values(1, "户主"),
    ])

    assert messages.get((2, column)) == expected


# Cross-field rules (Household.clean): (import cells, form values, the field with the error)
HOUSEHOLD_RULES = [
    ({"脱贫状态": "已脱贫"}, {"status": PovertyStatus.EXITED}, "脱贫日期", "exit_date"),
    ({"脱贫日期": "2019-12-01"}, {"exit_date": "2019-12-01"}, "脱贫日期", "exit_date"),
    (
        {"脱贫状态": "已脱贫", "脱贫日期": "2015-12-01"},
        {"status": PovertyStatus.EXITED, "exit_date": "2015-12-01"},
        "脱贫日期", "exit_date",
    ),
]


@pytest.mark.parametrize(("cells", "values", "column", "field"), HOUSEHOLD_RULES)
def test_a_households_cross_field_rule_gets_the_household_forms_message(
    clerk_client, county_a_clerk, village_a, cells, values, column, field
):
    form = HouseholdForm(data=household_form_data(village_a, **values), user=county_a_clerk)
    assert not form.is_valid()
    expected = form.errors[field]

    messages = import_messages(clerk_client, household_values(**cells), [member_values(1)])

    assert messages.get((2, column)) == expected
