"""Importing pairings and training attendance from real files."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases.choices import PairingMode, ReviewStatus
from cases.models import Pairing, TrainingAttendance
from imports.models import ImportStatus
from tests.factories import (
    AdvancedCollectiveFactory,
    HouseholdFactory,
    LaborModelFactory,
    MemberFactory,
    TownshipFactory,
    TrainingSessionFactory,
    VillageFactory,
)
from tests.import_files import as_table, csv_bytes, xlsx_bytes
from tests.support import person, run_import

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "run_jobs_on_commit")]

PAIRING_HEADER = [
    "县区", "劳模身份证号", "先进集体名称", "企业名称", "户编号", "帮扶方式", "开始日期",
    "结束日期", "帮扶措施", "结束原因",
]
ATTENDANCE_HEADER = ["县区", "培训日期", "培训主题", "身份证号"]


def errors_by_cell(run):
    return {(e["row"], e["column"]): e["message"] for e in run.errors}


def test_pairings_are_created_then_unchanged_then_updated(
    clerk_client, county_a, county_a_clerk, village_a
):
    helper = LaborModelFactory(county=county_a, id_number=person(1))
    household = HouseholdFactory(register_number="411727001000001", village=village_a)
    row = {"县区": "汝南县", "劳模身份证号": person(1), "户编号": "411727001000001",
           "帮扶方式": "技术扶贫", "开始日期": "2018年6月1日", "帮扶措施": "种植技术指导"}
    table = as_table([row], PAIRING_HEADER)

    run = run_import(clerk_client, "pairings", xlsx_bytes(table))

    assert run.status == ImportStatus.DONE, run.errors
    pairing = Pairing.objects.get()
    assert (pairing.labor_model, pairing.household, pairing.county) == (helper, household, county_a)
    assert pairing.mode == PairingMode.TECHNICAL and pairing.recorded_by == county_a_clerk
    assert pairing.start_date == datetime.date(2018, 6, 1) and pairing.end_date is None
    assert pairing.history.get().history_change_reason == f"批量导入 #{run.pk}"

    again = run_import(clerk_client, "pairings", csv_bytes(table), "file.csv")
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 1)
    assert Pairing.history.count() == 1

    Pairing.objects.filter(pk=pairing.pk).update(review_status=ReviewStatus.APPROVED)
    row.update({"结束日期": "2019-12-31", "结束原因": "已脱贫", "帮扶措施": "电商培训"})
    changed = run_import(clerk_client, "pairings", xlsx_bytes(as_table([row], PAIRING_HEADER)))
    assert (changed.created_count, changed.updated_count, changed.unchanged_count) == (0, 1, 0)
    pairing.refresh_from_db()
    assert pairing.end_date == datetime.date(2019, 12, 31) and pairing.plan == "电商培训"
    assert pairing.review_status == ReviewStatus.DRAFT and pairing.history.count() == 2
    assert Pairing.objects.count() == 1


def test_a_pairing_with_another_helper_is_another_pairing(clerk_client, county_a, village_a):
    LaborModelFactory(county=county_a, id_number=person(1))
    AdvancedCollectiveFactory(county=county_a, name="供电公司工人先锋号")
    HouseholdFactory(register_number="411727001000001", village=village_a)
    by_person = {"县区": "汝南县", "劳模身份证号": person(1), "户编号": "411727001000001",
                 "帮扶方式": "技术扶贫", "开始日期": "2018-06-01", "帮扶措施": "种植技术指导"}
    by_collective = {**by_person, "劳模身份证号": "", "先进集体名称": "供电公司工人先锋号",
                     "帮扶方式": "先进集体扶贫"}
    table = as_table([by_person, by_collective], PAIRING_HEADER)

    run = run_import(clerk_client, "pairings", xlsx_bytes(table))
    assert (run.created_count, run.unchanged_count) == (2, 0), run.errors
    again = run_import(clerk_client, "pairings", xlsx_bytes(table))
    assert (again.created_count, again.unchanged_count) == (0, 2)
    assert sorted(Pairing.objects.values_list("mode", flat=True)) == ["collective", "technical"]


def test_pairing_rows_are_checked_like_the_form(clerk_client, county_a, county_b, village_a):
    LaborModelFactory(county=county_a, id_number=person(1))
    AdvancedCollectiveFactory(county=county_a, name="供电公司工人先锋号")
    LaborModelFactory(county=county_b, id_number=person(2))
    HouseholdFactory(register_number="411727001000001", village=village_a)
    good = {"县区": "汝南县", "劳模身份证号": person(1), "户编号": "411727001000001",
            "帮扶方式": "技术扶贫", "开始日期": "2018-06-01", "帮扶措施": "种植技术指导"}
    rows = [
        {**good, "县区": "正阳县"},
        {**good, "帮扶方式": "送温暖"},
        {**good, "先进集体名称": "供电公司工人先锋号", "开始日期": "2018-06-02"},
        {**good, "开始日期": "2018-06-03", "结束日期": "2018-01-01"},
        {**good, "劳模身份证号": person(2), "开始日期": "2018-06-04"},
        {**good, "户编号": "411727009999999", "开始日期": "2018-06-05"},
        {**good, "开始日期": "2018-06-06", "帮扶措施": ""},
        {**good, "开始日期": "明年"},
    ]

    run = run_import(clerk_client, "pairings", xlsx_bytes(as_table(rows, PAIRING_HEADER)))

    assert run.status == ImportStatus.INVALID
    by_cell = errors_by_cell(run)
    assert "正阳县" in by_cell[(2, "县区")]
    assert "“送温暖”不是可选的值" in by_cell[(3, "帮扶方式")]
    assert by_cell[(4, "劳模身份证号")] == "请选择且只选择一个帮扶方:劳模、先进集体或企业。"
    assert by_cell[(5, "结束日期")] == "结束日期不能早于开始日期。"
    assert person(2) in by_cell[(6, "劳模身份证号")]
    assert "411727009999999" in by_cell[(7, "户编号")]
    assert by_cell[(8, "帮扶措施")] == "“帮扶措施”为必填项。"
    assert "明年" in by_cell[(9, "开始日期")]
    assert Pairing.objects.count() == 0


def test_pairings_have_a_template_and_a_help_page(clerk_client):
    for kind, header in (("pairings", PAIRING_HEADER), ("training-attendance", ATTENDANCE_HEADER)):
        response = clerk_client.get(reverse("imports:kind_template", args=[kind]))
        assert list(next(load_workbook(io.BytesIO(response.content)).active.values)) == header
        page = clerk_client.get(reverse("imports:kind_help", args=[kind]))
        assert page.status_code == 200 and header[-1] in page.content.decode()


def test_attendance_is_added_once_per_member_and_session(clerk_client, county_a, village_a):
    session = TrainingSessionFactory(
        county=county_a, held_on=datetime.date(2018, 5, 10), topic="林果种植技术"
    )
    first = MemberFactory(household__village=village_a)
    second = MemberFactory(household__village=village_a)
    row = {"县区": "汝南县", "培训日期": "2018/5/10", "培训主题": "林果种植技术",
           "身份证号": first.id_number}

    run = run_import(
        clerk_client, "training-attendance", xlsx_bytes(as_table([row], ATTENDANCE_HEADER))
    )

    assert run.status == ImportStatus.DONE, run.errors
    attendance = TrainingAttendance.objects.get()
    assert (attendance.session, attendance.member, attendance.county) == (session, first, county_a)
    records = clerk_client.get(reverse("imports:run_records", args=[run.pk])).content.decode()
    assert str(attendance) in records

    corrected = as_table([row, {**row, "身份证号": second.id_number}], ATTENDANCE_HEADER)
    again = run_import(clerk_client, "training-attendance", csv_bytes(corrected), "file.csv")
    assert (again.created_count, again.updated_count, again.unchanged_count) == (1, 0, 1)
    assert set(session.attendees.all()) == {first, second}
    assert TrainingAttendance.history.count() == 2


def test_attendance_rows_are_checked(clerk_client, county_a, county_b, village_a):
    TrainingSessionFactory(county=county_a, held_on=datetime.date(2018, 5, 10), topic="林果种植")
    TrainingSessionFactory(county=county_a, held_on=datetime.date(2018, 6, 1), topic="电商")
    TrainingSessionFactory(county=county_a, held_on=datetime.date(2018, 6, 1), topic="电商")
    TrainingSessionFactory(county=county_b, held_on=datetime.date(2018, 7, 1), topic="养殖")
    member = MemberFactory(household__village=village_a)
    elsewhere = MemberFactory(
        household__village=VillageFactory(township=TownshipFactory(county=county_b))
    )
    good = {"县区": "汝南县", "培训日期": "2018-05-10", "培训主题": "林果种植",
            "身份证号": member.id_number}
    rows = [
        {**good, "县区": "正阳县"},
        {**good, "培训主题": "不存在的培训"},
        {**good, "培训日期": "2018-06-01", "培训主题": "电商"},
        {**good, "培训日期": "2018-07-01", "培训主题": "养殖"},
        {**good, "身份证号": elsewhere.id_number},
        {**good, "培训日期": "2018-13-40"},
        good,
    ]

    run = run_import(
        clerk_client, "training-attendance", xlsx_bytes(as_table(rows, ATTENDANCE_HEADER))
    )

    assert run.status == ImportStatus.INVALID
    by_cell = errors_by_cell(run)
    assert "正阳县" in by_cell[(2, "县区")]
    assert "技术培训" in by_cell[(3, "培训日期")]
    assert "多次同主题" in by_cell[(4, "培训日期")]
    assert "技术培训" in by_cell[(5, "培训日期")]
    assert elsewhere.id_number in by_cell[(6, "身份证号")]
    assert "2018-13-40" in by_cell[(7, "培训日期")]
    assert "与第 2 行是同一条记录" in by_cell[(8, "培训日期")]
    assert TrainingAttendance.objects.count() == 0


def test_a_sign_in_sheet_names_its_session_once_above_the_header(
    clerk_client, county_a, village_a
):
    session = TrainingSessionFactory(
        county=county_a, held_on=datetime.date(2018, 5, 10), topic="林果种植技术"
    )
    members = [MemberFactory(household__village=village_a) for _n in range(2)]
    sheet = [
        ["汝南县技术培训签到表"],
        ["培训日期:2018年5月10日", "", "培训主题:林果种植技术"],
        ["县区", "身份证号"],
        *[["汝南县", member.id_number] for member in members],
    ]

    run = run_import(clerk_client, "training-attendance", xlsx_bytes(sheet))

    assert run.status == ImportStatus.DONE, run.errors
    assert set(session.attendees.all()) == set(members)


def test_a_pairing_roster_naming_the_helper_by_id_number_imports(
    clerk_client, county_a, village_a
):
    helper = LaborModelFactory(county=county_a, id_number=person(31))
    household = HouseholdFactory(village=village_a)
    roster = [
        ["贫困户编号", "帮扶责任人证件号码", "帮扶方式", "开始时间", "帮扶措施"],
        [household.register_number, helper.id_number, "技术扶贫", "2018.6", "每月入户指导"],
    ]
    roster = [["县区", *roster[0]], ["汝南县", *roster[1]]]

    run = run_import(clerk_client, "pairings", xlsx_bytes(roster))

    assert run.status == ImportStatus.DONE, run.errors
    pairing = Pairing.objects.get()
    assert (pairing.labor_model, pairing.household) == (helper, household)
    assert pairing.start_date == datetime.date(2018, 6, 1)
    assert any("只写了年月" in warning for warning in run.warnings)
