"""Help recorded for households and members: finance agreements (金融扶贫带贫协议), the
dividends paid under them, and employment (就业)."""

from django.utils.translation import gettext_lazy

from cases.models import DividendPayment, Employment, FinanceAgreement, Member
from imports import keys
from imports.columns import (
    BooleanColumn,
    ChoiceColumn,
    CodeColumn,
    Column,
    DateColumn,
    NumberColumn,
)
from imports.kinds.flat import (
    FlatKind,
    Parent,
    RefColumn,
    collectives_by_name,
    county_column,
    enterprises_by_name,
    household_column,
    members_by_id_number,
)


class FinanceAgreementKind(FlatKind):
    slug = "finance-agreements"
    label = gettext_lazy("金融扶贫带贫协议")
    description = gettext_lazy(
        "每行一份协议,按“企业名称 + 户编号 + 签订日期”匹配:已登记的更新,没有的新增,"
        "完全相同的不作改动。企业和贫困户须是本县区已登记的。"
    )
    model = FinanceAgreement
    key_fields = ("enterprise", "household", "signed_on")
    records_related = ("enterprise", "household")
    list_url = "cases:financeagreement_list"
    columns = [
        county_column(),
        RefColumn(
            gettext_lazy("企业名称"), "enterprise", required=True, find=enterprises_by_name,
            example="汝南县丰收种植专业合作社",
            describe=gettext_lazy("本县区没有名为“%(value)s”的劳模企业或合作社,请先登记。"),
        ),
        household_column(),
        ChoiceColumn(gettext_lazy("带贫模式"), "model", example="入股分红"),
        NumberColumn(gettext_lazy("协议资金(元)"), "funds", example="50000"),
        DateColumn(gettext_lazy("签订日期"), "signed_on", example="2017-06-01"),
    ]

    def find_existing(self, user, keys_in_chunk):
        enterprises = {key[0] for key in keys_in_chunk}
        households = {key[1] for key in keys_in_chunk}
        rows = FinanceAgreement.objects.filter(
            county_id=user.county_id, enterprise__name__in=enterprises,
            household__register_number__in=households,
        ).select_related("enterprise", "household")
        return {
            (row.enterprise.name, row.household.register_number, row.signed_on): row
            for row in rows
        }


class EmploymentKind(FlatKind):
    slug = "employment"
    label = gettext_lazy("就业帮扶")
    description = gettext_lazy(
        "每行一段就业,按“身份证号 + 就业日期”匹配:已登记的更新,没有的新增,完全相同的不作改动。"
        "就业人员须是本县区已登记的家庭成员;用工单位填登记在册的企业或先进集体名称,"
        "或填“其他用工单位”。"
    )
    model = Employment
    key_fields = ("member", "started_on")
    records_related = ("member__household", "enterprise", "workshop", "collective")
    list_url = "cases:employment_list"
    columns = [
        county_column(),
        RefColumn(
            gettext_lazy("身份证号"), "member", required=True, code=True,
            find=members_by_id_number, example="411727198001010019",
            describe=gettext_lazy("本县区没有身份证号为“%(value)s”的家庭成员,请先导入登记册。"),
        ),
        RefColumn(
            gettext_lazy("企业名称"), "enterprise", required=False, find=enterprises_by_name,
            example="汝南县丰收种植专业合作社",
            describe=gettext_lazy("本县区没有名为“%(value)s”的劳模企业或合作社。"),
        ),
        RefColumn(
            gettext_lazy("先进集体名称"), "collective", required=False, find=collectives_by_name,
            example="", describe=gettext_lazy("本县区没有名为“%(value)s”的先进集体。"),
        ),
        Column(gettext_lazy("其他用工单位"), "employer_name", example=""),
        DateColumn(gettext_lazy("就业日期"), "started_on", example="2018-03-01"),
        DateColumn(gettext_lazy("离职日期"), "ended_on", example=""),
        NumberColumn(gettext_lazy("月工资(元)"), "monthly_wage", example="2500"),
        BooleanColumn(gettext_lazy("稳定就业"), "is_stable", example="是"),
        BooleanColumn(gettext_lazy("接受岗前培训"), "job_training", example="否"),
    ]

    def find_existing(self, user, keys_in_chunk):
        members = keys.by_id_number(Member.objects.all(), [key[0] for key in keys_in_chunk])
        id_of = {member.pk: value for value, member in members.items()}
        rows = Employment.objects.filter(member_id__in=list(id_of))
        return {(id_of[row.member_id], row.started_on): row for row in rows}


def agreements_by_key(user, keys_in_chunk):
    """{(enterprise name, register number, signing date): agreement} of the user's county."""
    rows = FinanceAgreement.objects.for_user(user, "change").filter(
        enterprise__name__in={key[0] for key in keys_in_chunk},
        household__register_number__in={key[1] for key in keys_in_chunk},
        signed_on__in={key[2] for key in keys_in_chunk},
    ).select_related("enterprise", "household")
    return {(r.enterprise.name, r.household.register_number, r.signed_on): r for r in rows}


class DividendPaymentKind(FlatKind):
    slug = "dividends"
    label = gettext_lazy("分红发放")
    description = gettext_lazy(
        "每行一笔年度分红,所属协议按“企业名称 + 户编号 + 协议签订日期”查找(须已登记),"
        "按协议和分红年度匹配:已登记的更新,没有的新增,完全相同的不作改动。"
    )
    model = DividendPayment
    key_fields = ("agreement", "year")
    records_related = ("agreement__enterprise", "agreement__household")
    list_url = "cases:dividendpayment_list"
    agreement_columns = [
        Column(gettext_lazy("企业名称"), required=True, example="汝南县丰收种植专业合作社"),
        CodeColumn(gettext_lazy("户编号"), required=True, example="411727001001000123"),
        DateColumn(gettext_lazy("协议签订日期"), required=True, example="2017-06-01"),
    ]
    parent = Parent(
        "agreement", agreement_columns, find=agreements_by_key,
        describe=gettext_lazy("本县区没有该企业与该户在该日签订的带贫协议,请先导入或登记协议。"),
    )
    columns = [
        county_column(),
        *agreement_columns,
        NumberColumn(gettext_lazy("分红年度"), "year", integer=True, example="2018"),
        NumberColumn(gettext_lazy("分红金额(元)"), "amount", example="2000"),
        DateColumn(gettext_lazy("发放日期"), "paid_on", example="2018-12-20"),
    ]

    def find_existing(self, user, keys_in_chunk):
        agreements = {key[0] for key in keys_in_chunk if key[0]}
        rows = DividendPayment.objects.filter(
            county_id=user.county_id,
            agreement__enterprise__name__in={key[0] for key in agreements},
            agreement__household__register_number__in={key[1] for key in agreements},
            year__in={key[1] for key in keys_in_chunk},
        ).select_related("agreement__enterprise", "agreement__household")
        return {
            (
                (r.agreement.enterprise.name, r.agreement.household.register_number,
                 r.agreement.signed_on),
                r.year,
            ): r
            for r in rows
        }
