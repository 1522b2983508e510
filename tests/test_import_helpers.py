"""Importing labor models, advanced collectives and enterprises from real files."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases.choices import HonourLevel, ReviewStatus
from cases.indicators import Period, compute_indicators
from cases.models import AdvancedCollective, Enterprise, LaborModel
from cases.summaries import dashboard_data, data_changed
from cases.uniqueness import duplicate_message
from imports.models import ImportStatus
from tests.factories import EnterpriseFactory, LaborModelFactory
from tests.import_files import as_table, csv_bytes, xlsx_bytes
from tests.support import person, run_import

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "run_jobs_on_commit")]

LABOR_HEADER = [
    "县区", "姓名", "身份证号", "性别", "联系电话", "荣誉级别", "荣誉称号", "授予年份", "工作单位",
    "在职", "在本地", "专长领域",
]
EMPLOYMENT_HEADER = [
    "县区", "身份证号", "企业名称", "先进集体名称", "其他用工单位", "就业单位", "就业日期",
    "离职日期", "月工资(元)", "稳定就业", "接受岗前培训",
]
DIVIDEND_HEADER = [
    "县区", "企业名称", "户编号", "协议签订日期", "分红年度", "分红金额(元)", "发放日期",
]
FINANCE_HEADER = ["县区", "企业名称", "户编号", "带贫模式", "协议资金(元)", "签订日期"]
COLLECTIVE_HEADER = ["县区", "名称", "荣誉称号", "授予年份", "联系人", "联系电话"]
ENTERPRISE_HEADER = [
    "县区", "名称", "类型", "领办劳模身份证号", "统一社会信用代码", "地址", "联系电话",
]


def labor_model(n, **overrides):
    values = {
        "县区": "汝南县", "姓名": f"劳模{n}", "身份证号": person(n), "性别": "男",
        "联系电话": "13912345678", "荣誉级别": "市级", "荣誉称号": "劳动模范", "授予年份": 2015,
        "工作单位": "汝南县农机站", "在职": "是", "在本地": "是", "专长领域": "种植养殖、农村电商",
    }
    values.update(overrides)
    return values


def test_labor_models_import_then_reimport_unchanged_then_update(
    clerk_client, county_a, county_a_clerk
):
    table = as_table([labor_model(1), labor_model(2, 专长领域="")], LABOR_HEADER)

    run = run_import(clerk_client, "labor-models", xlsx_bytes(table))

    assert run.status == ImportStatus.DONE, run.errors
    first = LaborModel.objects.get(name="劳模1")
    assert first.county == county_a and first.recorded_by == county_a_clerk
    assert first.honour_level == HonourLevel.CITY and first.year_awarded == 2015
    assert first.in_service is True and first.id_number == person(1)
    assert sorted(f.name for f in first.expertise.all()) == ["农村电商", "种植养殖"]
    assert first.history.get().history_change_reason == f"批量导入 #{run.pk}"

    again = run_import(clerk_client, "labor-models", xlsx_bytes(table))
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    assert LaborModel.history.count() == 2

    LaborModel.objects.filter(pk=first.pk).update(review_status=ReviewStatus.APPROVED)
    table[1][LABOR_HEADER.index("荣誉级别")] = "省级"
    table[1][LABOR_HEADER.index("专长领域")] = "农村电商"
    changed = run_import(clerk_client, "labor-models", csv_bytes(table), "file.csv")
    assert (changed.created_count, changed.updated_count, changed.unchanged_count) == (0, 1, 1)
    first.refresh_from_db()
    assert first.honour_level == HonourLevel.PROVINCIAL
    assert first.review_status == ReviewStatus.DRAFT
    assert [f.name for f in first.expertise.all()] == ["农村电商"]
    assert first.history.count() == 2


def test_the_dashboard_follows_an_import(clerk_client, county_a, city_reviewer):
    """Imports write in bulk, without signals; the stored dashboard figures must still follow."""
    table = as_table([labor_model(1), labor_model(2)], LABOR_HEADER)
    run_import(clerk_client, "labor-models", xlsx_bytes(table))
    LaborModel.objects.update(review_status=ReviewStatus.APPROVED)
    data_changed([county_a.pk])  # as the review services do
    period = Period(end=datetime.date.today())
    assert dashboard_data(user=city_reviewer, period=period).table.totals()["labor_models"] == 2

    # A correction puts a labor model back to draft: it no longer counts.
    table[1][LABOR_HEADER.index("荣誉级别")] = "省级"
    run_import(clerk_client, "labor-models", xlsx_bytes(table))

    shown = dashboard_data(user=city_reviewer, period=period).table.totals()
    assert shown == compute_indicators(user=city_reviewer, period=period).totals()
    assert shown["labor_models"] == 1


def test_labor_model_rows_are_checked_like_the_form(clerk_client, county_b):
    LaborModelFactory(county=county_b, id_number=person(3))
    table = as_table(
        [
            labor_model(1, 授予年份=1900),
            labor_model(2, 身份证号=""),
            labor_model(3),
            labor_model(4, 专长领域="炼钢"),
            labor_model(5, 县区="正阳县"),
        ],
        LABOR_HEADER,
    )
    run = run_import(clerk_client, "labor-models", xlsx_bytes(table))

    assert run.status == ImportStatus.INVALID
    by_row = {(e["row"], e["column"]): e["message"] for e in run.errors}
    assert by_row[(2, "授予年份")] == "年份应在1950年到今年之间。"
    assert "必填" in by_row[(3, "身份证号")]
    assert by_row[(4, "身份证号")] == duplicate_message("身份证号")
    assert "炼钢" in by_row[(5, "专长领域")]
    assert "正阳县" in by_row[(6, "县区")]
    assert LaborModel.objects.filter(county__name="汝南县").count() == 0


def test_collectives_are_matched_by_name_in_the_county(clerk_client, county_a):
    row = {"县区": "汝南县", "名称": "供电公司工人先锋号", "荣誉称号": "工人先锋号",
           "授予年份": "2016", "联系人": "王红", "联系电话": "0396-1234567"}
    run_import(clerk_client, "collectives", xlsx_bytes(as_table([row], COLLECTIVE_HEADER)))
    row["联系人"] = "李明"

    run = run_import(clerk_client, "collectives", xlsx_bytes(as_table([row], COLLECTIVE_HEADER)))

    assert (run.created_count, run.updated_count) == (0, 1)
    collective = AdvancedCollective.objects.get()
    assert collective.contact_person == "李明" and collective.county == county_a


def test_enterprises_find_their_leader_by_id_number(clerk_client, county_a, county_b):
    leader = LaborModelFactory(county=county_a, id_number=person(7))
    LaborModelFactory(county=county_b, id_number=person(8))
    EnterpriseFactory(county=county_b, credit_code="91411727MA44XXXX1A")
    rows = [
        {"县区": "汝南县", "名称": "丰收合作社", "类型": "专业合作社",
         "领办劳模身份证号": person(7)},
        {"县区": "汝南县", "名称": "青山合作社", "类型": "专业合作社",
         "领办劳模身份证号": person(8)},
        {"县区": "汝南县", "名称": "绿源公司", "类型": "劳模企业",
         "统一社会信用代码": "91411727MA44XXXX1A"},
    ]
    run = run_import(clerk_client, "enterprises", xlsx_bytes(as_table(rows, ENTERPRISE_HEADER)))

    assert run.status == ImportStatus.INVALID
    by_row = {(e["row"], e["column"]): e["message"] for e in run.errors}
    assert person(8) in by_row[(3, "领办劳模身份证号")]
    assert "已被另一条记录使用" in by_row[(4, "统一社会信用代码")]

    run = run_import(clerk_client, "enterprises", xlsx_bytes(as_table(rows[:1], ENTERPRISE_HEADER)))
    assert run.status == ImportStatus.DONE
    assert Enterprise.objects.get(county=county_a).leader == leader


def test_each_kind_has_a_template_and_a_help_page(clerk_client):
    for kind, header in (
        ("labor-models", LABOR_HEADER), ("collectives", COLLECTIVE_HEADER),
        ("enterprises", ENTERPRISE_HEADER), ("finance-agreements", FINANCE_HEADER),
        ("employment", EMPLOYMENT_HEADER), ("dividends", DIVIDEND_HEADER),
    ):
        response = clerk_client.get(reverse("imports:kind_template", args=[kind]))
        assert list(next(load_workbook(io.BytesIO(response.content)).active.values)) == header
        assert clerk_client.get(reverse("imports:kind_help", args=[kind])).status_code == 200


def test_the_template_example_row_imports(clerk_client):
    response = clerk_client.get(reverse("imports:kind_template", args=["labor-models"]))
    run = run_import(clerk_client, "labor-models", response.content)
    assert run.status == ImportStatus.DONE, run.errors
    assert LaborModel.objects.get().name == "张志强"



def test_finance_agreements_are_matched_by_enterprise_household_and_date(
    clerk_client, county_a, county_b
):
    from cases.models import FinanceAgreement
    from tests.factories import HouseholdFactory, TownshipFactory, VillageFactory

    village = VillageFactory(township=TownshipFactory(county=county_a))
    HouseholdFactory(register_number="411727001000009", village=village)
    HouseholdFactory(
        register_number="411724001000001",
        village=VillageFactory(township=TownshipFactory(county=county_b)),
    )
    EnterpriseFactory(county=county_a, name="丰收 合作社")
    row = {"县区": "汝南县", "企业名称": "丰收 合作社", "户编号": "411727001000009",
           "带贫模式": "入股分红", "协议资金(元)": "50,000.00", "签订日期": "2017年6月1日"}
    bad = [
        {**row, "企业名称": "不存在的公司"},
        {**row, "户编号": "411724001000001"},
        {**row, "签订日期": "2017-06-02", "协议资金(元)": "-5"},
    ]
    run = run_import(
        clerk_client, "finance-agreements", xlsx_bytes(as_table(bad, FINANCE_HEADER))
    )
    by_row = {(e["row"], e["column"]): e["message"] for e in run.errors}
    assert "不存在的公司" in by_row[(2, "企业名称")]
    assert "411724001000001" in by_row[(3, "户编号")]
    assert (4, "协议资金(元)") in by_row
    assert FinanceAgreement.objects.count() == 0

    run = run_import(
        clerk_client, "finance-agreements", xlsx_bytes(as_table([row], FINANCE_HEADER))
    )
    assert run.status == ImportStatus.DONE, run.errors
    agreement = FinanceAgreement.objects.get()
    assert agreement.funds == Decimal("50000.00") and agreement.county == county_a
    assert agreement.signed_on == datetime.date(2017, 6, 1)

    again = run_import(
        clerk_client, "finance-agreements", csv_bytes(as_table([row], FINANCE_HEADER)), "file.csv"
    )
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 1)
    row["协议资金(元)"] = 60000
    changed = run_import(
        clerk_client, "finance-agreements", xlsx_bytes(as_table([row], FINANCE_HEADER))
    )
    assert (changed.created_count, changed.updated_count) == (0, 1)
    agreement.refresh_from_db()
    assert agreement.funds == Decimal("60000.00") and agreement.history.count() == 2



def test_employment_is_matched_by_member_and_start_date(clerk_client, county_a):
    from cases.models import Employment
    from tests.factories import MemberFactory

    member = MemberFactory(household__village__township__county=county_a)
    EnterpriseFactory(county=county_a, name="巧媳妇加工厂")
    row = {"县区": "汝南县", "身份证号": member.id_number, "企业名称": "巧媳妇加工厂",
           "就业日期": "2018/3/1", "月工资(元)": "2500", "稳定就业": "是", "接受岗前培训": "否"}
    no_employer = {**row, "企业名称": "", "就业日期": "2018-05-01"}
    run = run_import(
        clerk_client, "employment", xlsx_bytes(as_table([row, no_employer], EMPLOYMENT_HEADER))
    )
    assert run.status == ImportStatus.INVALID
    assert (run.errors[0]["row"], run.errors[0]["column"]) == (3, "其他用工单位")
    assert Employment.objects.count() == 0

    run = run_import(clerk_client, "employment", xlsx_bytes(as_table([row], EMPLOYMENT_HEADER)))
    assert run.status == ImportStatus.DONE, run.errors
    employment = Employment.objects.get()
    assert employment.member == member and employment.is_stable is True
    assert employment.monthly_wage == Decimal("2500") and employment.county == county_a

    row["离职日期"] = "2019-12-31"
    run = run_import(
        clerk_client, "employment", csv_bytes(as_table([row], EMPLOYMENT_HEADER)), "file.csv"
    )
    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 1, 0)
    employment.refresh_from_db()
    assert employment.ended_on == datetime.date(2019, 12, 31)



def test_dividends_find_their_agreement_and_are_matched_by_year(clerk_client, county_a):
    from cases.models import DividendPayment
    from tests.factories import FinanceAgreementFactory

    agreement = FinanceAgreementFactory(
        household__village__township__county=county_a, enterprise__name="丰收合作社",
        signed_on=datetime.date(2017, 6, 1),
    )
    number = agreement.household.register_number
    row = {"县区": "汝南县", "企业名称": "丰收合作社", "户编号": number,
           "协议签订日期": "2017-06-01", "分红年度": "2018", "分红金额(元)": "2000",
           "发放日期": "2018-12-20"}
    bad = [
        {**row, "协议签订日期": "2017-06-02"},
        {**row, "分红年度": "2019", "发放日期": "2017-01-01"},
    ]
    run = run_import(clerk_client, "dividends", xlsx_bytes(as_table(bad, DIVIDEND_HEADER)))
    by_row = {(e["row"], e["column"]): e["message"] for e in run.errors}
    assert "带贫协议" in by_row[(2, "企业名称")]
    assert by_row[(3, "发放日期")] == "发放日期不能早于协议签订日期。"
    assert DividendPayment.objects.count() == 0

    run = run_import(clerk_client, "dividends", xlsx_bytes(as_table([row], DIVIDEND_HEADER)))
    assert run.status == ImportStatus.DONE, run.errors
    dividend = DividendPayment.objects.get()
    assert dividend.agreement == agreement and dividend.amount == Decimal("2000")
    assert dividend.county == county_a

    again = run_import(clerk_client, "dividends", xlsx_bytes(as_table([row], DIVIDEND_HEADER)))
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 1)
    row["分红金额(元)"] = "2100.50"
    changed = run_import(clerk_client, "dividends", xlsx_bytes(as_table([row], DIVIDEND_HEADER)))
    assert (changed.created_count, changed.updated_count) == (0, 1)
    dividend.refresh_from_db()
    assert dividend.amount == Decimal("2100.50") and dividend.history.count() == 2


def test_one_employer_column_is_matched_by_name_prefix_or_short_name(clerk_client, county_a):
    from cases.models import Employment
    from tests.factories import AdvancedCollectiveFactory, MemberFactory

    members = [MemberFactory(household__village__township__county=county_a) for _n in range(4)]
    factory = EnterpriseFactory(county=county_a, name="汝南县巧媳妇食品加工有限公司")
    co_op = EnterpriseFactory(county=county_a, name="汝南县丰收种植专业合作社")
    collective = AdvancedCollectiveFactory(county=county_a, name="汝南县供电公司工人先锋号")
    roster = [
        ["县区", "证件号码", "就业单位", "就业时间"],
        ["汝南县", members[0].id_number, "汝南县巧媳妇食品加工", "2018年6月"],  # beginning
        ["汝南县", members[1].id_number, "丰收种植合作社", "2019.3"],  # short name
        ["汝南县", members[2].id_number, "汝南县供电公司工人先锋号", "2019-04-01"],  # name
        ["汝南县", members[3].id_number, "广东东莞电子厂", "2019-05-01"],
    ]

    run = run_import(clerk_client, "employment", xlsx_bytes(roster))

    assert run.status == ImportStatus.DONE, run.errors
    by_member = {job.member: job for job in Employment.objects.all()}
    assert by_member[members[0]].enterprise == factory
    assert by_member[members[0]].started_on == datetime.date(2018, 6, 1)
    assert by_member[members[1]].enterprise == co_op
    assert by_member[members[2]].collective == collective
    other = by_member[members[3]]
    assert (other.enterprise, other.collective) == (None, None)
    assert other.employer_name == "广东东莞电子厂"
