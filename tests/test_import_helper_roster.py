"""The 帮扶责任人 roster as the counties have it (a title row, a two-row merged header, one row
per responsible helper and household): helpers are matched to labor models by ID number or
added as labor models, and each pairing is created, with no edit to the file."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.choices import HonourLevel, HonourTitle, PairingMode, Relation
from cases.models import LaborModel, Pairing
from cases.validators import build_resident_id
from imports.kinds.rosters import DEFAULT_PLAN
from imports.models import ImportRun, ImportStatus
from tests.factories import (
    HouseholdFactory,
    LaborModelFactory,
    MemberFactory,
    PairingFactory,
    TownshipFactory,
    VillageFactory,
)
from tests.import_files import xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "run_jobs_on_commit")]

MERGED_DOWN = ["序号", "县(市、区、旗)", "乡(镇)", "行政村"]
GROUPS = [
    ("帮扶责任人信息", ["姓名", "性别", "证件号码", "联系电话", "工作单位", "职务"]),
    ("帮扶对象", ["户编号", "户主姓名", "户主证件号码"]),
]
LAST_MERGED_DOWN = ["开始时间"]
TITLE = "汝南县建档立卡贫困户帮扶责任人花名册"


def columns(extra=()):
    return MERGED_DOWN + [label for _g, labels in GROUPS for label in labels] + [
        *LAST_MERGED_DOWN, *extra]


def roster_xlsx(rows, extra=()):
    """The roster as the national layout writes it: a title row merged across, the first and
    last columns merged down over both header rows, each group label across its columns."""
    labels = columns(extra)
    upper = list(MERGED_DOWN)
    lower = [""] * len(MERGED_DOWN)
    for group, group_labels in GROUPS:
        upper += [group] + [""] * (len(group_labels) - 1)
        lower += group_labels
    upper += [*LAST_MERGED_DOWN, *extra]
    lower += [""] * (len(LAST_MERGED_DOWN) + len(extra))
    data = [
        [index if label == "序号" else row.get(label, "") for label in labels]
        for index, row in enumerate(rows, start=1)
    ]

    def merge(sheet):
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(labels))
        down = list(range(1, len(MERGED_DOWN) + 1)) + list(
            range(len(labels) - len(LAST_MERGED_DOWN) - len(extra) + 1, len(labels) + 1))
        for column in down:
            sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
        start = len(MERGED_DOWN) + 1
        for _group, group_labels in GROUPS:
            end = start + len(group_labels) - 1
            sheet.merge_cells(start_row=2, start_column=start, end_row=2, end_column=end)
            start = end + 1

    return xlsx_bytes([[TITLE], upper, lower, *data], prepare=merge)


def person(n):
    return build_resident_id("411727", datetime.date(1970, 5, 5), n)


def head_id(n):
    return build_resident_id("411727", datetime.date(1960, 1, 1), n)


def roster_row(helper, name, number="", head="", head_number="", **overrides):
    row = {
        "县(市、区、旗)": "汝南县", "乡(镇)": "老君庙镇", "行政村": "后刘庄村", "姓名": name,
        "性别": "男性", "证件号码": helper, "联系电话": "13912345678", "工作单位": "汝南县供电公司",
        "职务": "科员", "户编号": number, "户主姓名": head, "户主证件号码": head_number,
        "开始时间": "2018年6月1日",
    }
    row.update(overrides)
    return row


@pytest.fixture
def village(county_a):
    return VillageFactory(township=TownshipFactory(county=county_a, name="老君庙镇"),
                          name="后刘庄村")


@pytest.fixture
def clerk_client(client, county_a_clerk, village):
    client.force_login(county_a_clerk)
    return client


@pytest.fixture
def households(village):
    first = HouseholdFactory(register_number="41172700100001", village=village)
    second = HouseholdFactory(register_number="41172700100002", village=village)
    MemberFactory(household=second, relation=Relation.HEAD, name="赵桂兰", id_number=head_id(2))
    return first, second


def upload(client, data):
    response = client.post(reverse("imports:index"), {
        "kind": "helper-roster", "file": SimpleUploadedFile("帮扶责任人.xlsx", data),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportRun.objects.latest("pk")


def confirm(client, run):
    client.post(reverse("imports:run_confirm", args=[run.pk]))
    run.refresh_from_db()


def test_the_national_roster_imports_with_no_edits(clerk_client, county_a, households):
    first, second = households
    zhang = LaborModelFactory(county=county_a, id_number=person(1), name="张志强")
    li = LaborModelFactory(county=county_a, id_number=person(2), name="李红", phone="")
    rows = [
        roster_row(person(1), "张志强", number="41172700100001"),
        # The same helper, a second household named by its head's name and ID number.
        roster_row(person(1), "张志强", head="赵桂兰", head_number=head_id(2)),
        roster_row(person(2), "李红", number="41172700100002", 性别="女性", 开始时间="2019.3"),
    ]

    run = upload(clerk_client, roster_xlsx(rows))

    assert run.status == ImportStatus.VALIDATED, run.errors
    assert run.summary["结对帮扶"]["created"] == 3
    assert run.summary["劳模"] == {"created": 0, "updated": 0, "unchanged": 2}
    # 序号 and 职务 are not kept: listed, not refused.
    assert "“职务”" in run.warnings[0]
    confirm(clerk_client, run)
    assert run.status == ImportStatus.DONE, run.errors

    pairings = {(p.labor_model, p.household, p.start_date) for p in Pairing.objects.all()}
    assert pairings == {
        (zhang, first, datetime.date(2018, 6, 1)), (zhang, second, datetime.date(2018, 6, 1)),
        (li, second, datetime.date(2019, 3, 1)),
    }
    pairing = Pairing.objects.filter(labor_model=li).get()
    assert (pairing.mode, pairing.plan, pairing.county) == (
        PairingMode.ONE_TO_ONE, DEFAULT_PLAN, county_a)
    assert pairing.history.get().history_change_reason == f"批量导入 #{run.pk}"
    # A registered labor model is matched, not changed.
    li.refresh_from_db()
    assert li.phone == "" and LaborModel.objects.count() == 2
    records = clerk_client.get(reverse("imports:run_records", args=[run.pk]))
    assert len(records.context["records"]) == 3

    again = upload(clerk_client, roster_xlsx(rows))
    assert (again.created_count, again.updated_count) == (0, 0), again.errors
    assert again.summary["结对帮扶"]["unchanged"] == 3


def test_a_helper_not_registered_is_added_as_a_labor_model(clerk_client, county_a,
                                                          county_a_clerk, households):
    extra = ("荣誉级别", "荣誉称号", "授予年份")
    rows = [roster_row(person(3), "王强", number="41172700100001",
                       荣誉级别="县区级", 荣誉称号="先进工作者", 授予年份="2016")]

    run = upload(clerk_client, roster_xlsx(rows, extra))

    assert run.status == ImportStatus.VALIDATED, run.errors
    assert run.summary["劳模"]["created"] == 1 and run.summary["结对帮扶"]["created"] == 1
    assert not LaborModel.objects.exists()  # a preview writes nothing
    confirm(clerk_client, run)
    assert run.status == ImportStatus.DONE, run.errors
    helper = LaborModel.objects.get()
    assert (helper.name, helper.id_number, helper.sex, helper.phone, helper.employer) == (
        "王强", person(3), "M", "13912345678", "汝南县供电公司")
    assert (helper.honour_level, helper.honour_title, helper.year_awarded) == (
        HonourLevel.COUNTY, HonourTitle.ADVANCED_WORKER, 2016)
    assert (helper.county, helper.recorded_by) == (county_a, county_a_clerk)
    assert Pairing.objects.get().labor_model == helper


def test_a_new_helper_without_an_honour_is_one_error_saying_what_to_add(
    clerk_client, households
):
    rows = [roster_row(person(4), "孙伟", number="41172700100001"),
            roster_row(person(4), "孙伟", number="41172700100002")]

    run = upload(clerk_client, roster_xlsx(rows))

    assert run.status == ImportStatus.INVALID
    assert len(run.errors) == 1, run.errors
    message = run.errors[0]["message"]
    assert "孙伟" in message and "尚未登记为劳模" in message and "“荣誉级别”" in message
    assert person(4) not in message  # the ID number is masked
    assert not Pairing.objects.exists() and not LaborModel.objects.exists()


def test_a_helper_of_another_county_and_an_unknown_household_are_errors(
    clerk_client, county_b, households
):
    LaborModelFactory(county=county_b, id_number=person(5))
    LaborModelFactory(county=households[0].county, id_number=person(1))
    rows = [
        roster_row(person(5), "周敏", number="41172700100001"),
        roster_row(person(1), "张志强", head="刘建国", head_number=head_id(2)),
        roster_row(person(1), "张志强", head="赵桂兰", head_number=head_id(9)),
        roster_row(person(1), "张志强"),
    ]

    run = upload(clerk_client, roster_xlsx(rows))

    assert run.status == ImportStatus.INVALID
    errors = {(e["row"], e["column"]): e["message"] for e in run.errors}
    assert "已有使用此帮扶责任人证件号码的记录" in errors[(4, "帮扶责任人证件号码")]
    assert "与证件号码登记的户主“赵桂兰”不符" in errors[(5, "户主姓名")]
    assert "本县区没有户主证件号码为" in errors[(6, "户主证件号码")]
    assert "请填写“户编号”" in errors[(7, "户编号")]
    assert not Pairing.objects.exists()


def test_the_roster_has_a_template_and_help_page(clerk_client):
    assert clerk_client.get(reverse("imports:kind_help", args=["helper-roster"])).status_code == 200
    template = clerk_client.get(reverse("imports:kind_template", args=["helper-roster"]))
    assert template.status_code == 200


def test_a_roster_without_mode_or_plan_leaves_a_stored_pairing_as_it_is(
    clerk_client, county_a, households
):
    helper = LaborModelFactory(county=county_a, id_number=person(1), name="张志强")
    stored = PairingFactory(labor_model=helper, household=households[0])

    run = upload(clerk_client, roster_xlsx([roster_row(person(1), "张志强",
                                                       number="41172700100001")]))

    assert run.status == ImportStatus.VALIDATED, run.errors
    assert run.summary["结对帮扶"] == {"created": 0, "updated": 0, "unchanged": 1}
    confirm(clerk_client, run)
    stored.refresh_from_db()
    assert (stored.mode, stored.plan) == (PairingMode.TECHNICAL, "种植技术指导")
