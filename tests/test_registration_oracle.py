"""Finding 5 of the attack run: a clerk typing another county's member ID number, register
number or labor model's ID number read "该身份证号已登记。" and learned that it was registered;
nothing was logged. Now a duplicate gets the same message wherever the other record is, the
message says how to have a record transferred (the city office), and an attempt that meets
another county's record is logged as a WARNING (without the number)."""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.uniqueness import duplicate_message
from imports.models import ImportRun
from tests.factories import (
    HouseholdFactory,
    LaborModelFactory,
    MemberFactory,
    TownshipFactory,
    VillageFactory,
    next_resident_id,
)
from tests.import_files import (
    as_table,
    household_values,
    member_values,
    register_row,
    xlsx_bytes,
)
from tests.support import village_in

pytestmark = pytest.mark.django_db


def new_member(county, id_number):
    return MemberFactory.build(
        household=HouseholdFactory(village=village_in(county)), id_number=id_number
    )


def new_household(county, register_number):
    return HouseholdFactory.build(village=village_in(county), register_number=register_number)


def new_labor_model(county, id_number):
    return LaborModelFactory.build(county=county, id_number=id_number)


def existing_value(kind, county):
    if kind == "member":
        return "id_number", MemberFactory(household__village=village_in(county)).id_number
    if kind == "household":
        return "register_number", HouseholdFactory(village=village_in(county)).register_number
    return "id_number", LaborModelFactory(county=county, id_number=next_resident_id()).id_number


BUILD = {"member": new_member, "household": new_household, "labormodel": new_labor_model}


def refusal(record):
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    return caught.value.message_dict


@pytest.mark.parametrize("kind", ["member", "household", "labormodel"])
def test_another_countys_number_gets_the_same_answer_as_an_own_one_and_is_logged(
    kind, county_a, county_b, caplog
):
    field, theirs = existing_value(kind, county_b)
    with caplog.at_level(logging.WARNING, logger="cases.security"):
        across = refusal(BUILD[kind](county_a, theirs))[field]
    logged = [record.getMessage() for record in caplog.records if record.name == "cases.security"]

    caplog.clear()
    _field, ours = existing_value(kind, county_a)
    with caplog.at_level(logging.WARNING, logger="cases.security"):
        within = refusal(BUILD[kind](county_a, ours))[field]

    assert across == within
    label = "户编号" if kind == "household" else "身份证号"
    assert across == [duplicate_message(label)]
    assert "市总工会" in across[0] and "已登记" not in across[0]
    assert county_b.name not in across[0] and "其他县区" not in across[0]
    assert len(logged) == 1 and field in logged[0] and theirs not in logged[0]
    assert not [record for record in caplog.records if record.name == "cases.security"]


@pytest.mark.usefixtures("media_root", "run_jobs_on_commit")
def test_an_import_answers_alike_and_logs_its_collisions_once_per_field(
    client, county_a, county_a_clerk, county_b, caplog
):
    VillageFactory(township=TownshipFactory(county=county_a, name="老君庙镇"), name="后刘庄村")
    numbers = ["411727001000001", "411727001000002"]
    for number in numbers:
        HouseholdFactory(village=village_in(county_b), register_number=number)
    rows = [register_row(household_values(number), member_values(n, "户主"))
            for n, number in enumerate(numbers, start=1)]
    client.force_login(county_a_clerk)

    with caplog.at_level(logging.WARNING, logger="cases.security"):
        client.post(reverse("imports:index"), {
            "kind": "households",
            "file": SimpleUploadedFile("register.xlsx", xlsx_bytes(as_table(rows))),
        })

    run = ImportRun.objects.get()
    refused = [error for error in run.errors if error["column"] == "户编号"]
    assert [error["message"] for error in refused] == [duplicate_message("户编号")] * 2
    assert len([record for record in caplog.records if record.name == "cases.security"]) == 1
