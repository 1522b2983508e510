"""Help recorded for households and members: finance agreements (金融扶贫带贫协议), the
dividends paid under them, and employment (就业)."""

import re

from django.utils.translation import gettext_lazy

from cases.models import (
    AdvancedCollective,
    DividendPayment,
    Employment,
    Enterprise,
    FinanceAgreement,
    Member,
)
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


employer_enterprise = RefColumn(
    gettext_lazy("企业名称"), "enterprise", required=False, find=enterprises_by_name,
    example="汝南县丰收种植专业合作社",
    describe=gettext_lazy("本县区没有名为“%(value)s”的劳模企业或合作社。"),
)
employer_collective = RefColumn(
    gettext_lazy("先进集体名称"), "collective", required=False, find=collectives_by_name,
    example="", describe=gettext_lazy("本县区没有名为“%(value)s”的先进集体。"),
)
other_employer = Column(gettext_lazy("其他用工单位"), "employer_name", example="")
employer = Column(
    gettext_lazy("就业单位"), example="",
    aliases=("用工单位", "工作单位", "就业企业"),
    help_text=gettext_lazy(
        "可代替前三列:按名称、名称开头或简称(去掉县名和“有限公司”“专业合作社”等)匹配本县区的"
        "企业或先进集体,都不匹配时记为其他用工单位。"
    ),
)
# What a short name of an employer leaves out.
LEGAL_SUFFIXES = re.compile(r"(股份有限公司|有限责任公司|有限公司|专业合作社|合作社|公司)$")


class EmployerMatcher:
    """Finds the registered employer one 就业单位 cell names: the same name, else the one
    name it begins (or that begins it), else the same short name; None if none or several."""

    def __init__(self, user):
        self.county_name = user.county.name
        collectives = AdvancedCollective.objects.for_user(user, "change")
        enterprises = Enterprise.objects.for_user(user, "change")
        self.names = {
            **dict.fromkeys(collectives.values_list("name", flat=True), employer_collective),
            **dict.fromkeys(enterprises.values_list("name", flat=True), employer_enterprise),
        }
        self.short = {}
        for name in self.names:
            self.short.setdefault(self.short_name(name), []).append(name)

    def short_name(self, name):
        return LEGAL_SUFFIXES.sub("", name.removeprefix(self.county_name))

    def find(self, text):
        if text in self.names:
            return text
        prefixed = [name for name in self.names if name.startswith(text) or text.startswith(name)]
        if len(prefixed) == 1:
            return prefixed[0]
        same = self.short.get(self.short_name(text), [])
        return same[0] if len(same) == 1 else None

    def adapt(self, data):
        text = data.get(employer)
        if not text or any(data.get(column) for column in EMPLOYER_COLUMNS):
            return
        name = self.find(text)
        if name is None:
            data[other_employer] = text
        else:
            data[self.names[name]] = name


EMPLOYER_COLUMNS = (employer_enterprise, employer_collective, other_employer)


class EmploymentKind(FlatKind):
    slug = "employment"
    label = gettext_lazy("就业帮扶")
    description = gettext_lazy(
        "每行一段就业,按“身份证号 + 就业日期”匹配:已登记的更新,没有的新增,完全相同的不作改动。"
        "就业人员须是本县区已登记的家庭成员;用工单位填登记在册的企业或先进集体名称,"
        "或填“其他用工单位”;也可只填一列“就业单位”。"
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
            aliases=("证件号码", "身份证号码"),
        ),
        employer_enterprise,
        employer_collective,
        other_employer,
        employer,
        DateColumn(
            gettext_lazy("就业日期"), "started_on", example="2018-03-01",
            aliases=("就业时间", "务工时间", "入职时间"),
        ),
        DateColumn(gettext_lazy("离职日期"), "ended_on", example="", aliases=("离职时间",)),
        NumberColumn(gettext_lazy("月工资(元)"), "monthly_wage", example="2500"),
        BooleanColumn(gettext_lazy("稳定就业"), "is_stable", example="是"),
        BooleanColumn(gettext_lazy("接受岗前培训"), "job_training", example="否"),
    ]

    def row_adapter(self, user, reader):
        return EmployerMatcher(user).adapt if reader.present(employer) else None

    def columns_filled(self, reader):
        return set(EMPLOYER_COLUMNS) if reader.present(employer) else set()

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
