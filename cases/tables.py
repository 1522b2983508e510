"""One table per list: the columns shown, sorted and exported."""

import django_tables2 as tables
from django.conf import settings
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django_tables2.utils import Accessor

from cases import models
from cases.validators import mask_id_number, mask_phone
from evidence.services import ATTACHMENT_COUNT_LABEL


class MaskedIdColumn(tables.Column):
    """Shows 412822********123X: lists and exports never carry a full ID number."""

    def render(self, value):
        return mask_id_number(value)


class MaskedPhoneColumn(tables.Column):
    def render(self, value):
        return mask_phone(value)


# Cells do not wrap: a wide table scrolls sideways in its container, where wrapping would
# stack Chinese headers and names one character per line.
NOWRAP_TABLE_CLASS = f"{settings.DJANGO_TABLES2_TABLE_ATTRS.get('class', 'table')} text-nowrap"


class HouseholdTable(tables.Table):
    register_number = tables.Column(linkify=True)
    village = tables.Column(order_by=("village__township__name", "village__name"))
    phone = MaskedPhoneColumn()
    member_count = tables.Column(verbose_name=_("人口"), orderable=True)

    class Meta:
        model = models.Household
        attrs = {"class": NOWRAP_TABLE_CLASS}
        fields = (
            "register_number", "head_name", "village", "member_count", "attribute",
            "main_cause", "status", "exit_date", "phone", "review_status",
        )


class MemberTable(tables.Table):
    name = tables.Column(linkify=lambda record: record.household.get_absolute_url())
    id_number = MaskedIdColumn()
    phone = MaskedPhoneColumn()
    household = tables.Column(
        accessor="household__register_number", verbose_name=_("户编号"),
    )
    # The year only: a whole birth date beside the region and last digits that the masked ID
    # number shows would give the number back.
    birth_year = tables.Column(
        accessor="birth_date__year", verbose_name=_("出生年份"), order_by="birth_date",
    )

    class Meta:
        model = models.Member
        attrs = {"class": NOWRAP_TABLE_CLASS}
        fields = (
            "name", "household", "relation", "sex", "id_number", "education",
            "health", "labour_ability", "work_status", "phone",
        )
        sequence = (
            "name", "household", "relation", "sex", "birth_year", "id_number", "education",
            "health", "labour_ability", "work_status", "phone",
        )


#
# Column types of the county workspace lists
#


class MoneyColumn(tables.Column):
    """Yuan, right-aligned, grouped in thousands as on bank and finance forms (1,234,567.89;
    Django's zh-hans format has no separator); exports carry the exact decimal."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "attrs", {"th": {"class": "text-end"}, "td": {"class": "text-end text-nowrap"}}
        )
        super().__init__(*args, **kwargs)

    def render(self, value):
        return f"{value:,.2f}"


class CountColumn(tables.Column):
    """A head count or number of records, right-aligned."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"th": {"class": "text-end"}, "td": {"class": "text-end"}})
        super().__init__(*args, **kwargs)


def attachment_count_column():
    """The number of a record's evidence files: a column of the list exports (the view
    annotates ``attachment_count``), not of the pages."""
    return CountColumn(verbose_name=ATTACHMENT_COUNT_LABEL, orderable=False)


class YesNoColumn(tables.BooleanColumn):
    """是 / 否 on the page and in exports (rather than ✔ / ✘ and True / False)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("yesno", (_("是"), _("否")))
        super().__init__(*args, **kwargs)

    def value(self, value):
        return str(self.yesno[0 if value else 1])


class NamesColumn(tables.ManyToManyColumn):
    """Names of related rows (prefetched by the view), joined with 、."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("separator", "、")
        kwargs.setdefault("orderable", False)
        super().__init__(*args, **kwargs)

    def value(self, value):
        return self.separator.join(str(item) for item in self.filter(value))


class SummaryColumn(tables.Column):
    """Long free text cut short on the page; exports carry all of it."""

    def __init__(self, *args, length=20, **kwargs):
        self.length = length
        kwargs.setdefault("orderable", False)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return Truncator(value).chars(self.length)

    def value(self, value):
        return value


def household_link(path="household"):
    """Links a cell to the case page of the household the record belongs to."""

    def url(record):
        household = Accessor(path).resolve(record, quiet=True)
        return household.get_absolute_url() if household else None

    return url


class ListTable(tables.Table):
    """Base of the county workspace tables. Their views hide the county column from county
    staff, who only ever see their own county. Cells do not wrap (``NOWRAP_TABLE_CLASS``)."""

    county = tables.Column(order_by=("county__code",))

    class Meta:
        attrs = {**settings.DJANGO_TABLES2_TABLE_ATTRS, "class": NOWRAP_TABLE_CLASS}
        empty_text = _("没有符合条件的记录。")


#
# Helpers
#


class HouseholdRecordTable(ListTable):
    """A list of records made for one household: its number (linked to its case page), head
    and village lead the row."""

    household = tables.Column(
        accessor="household__register_number", verbose_name=_("户编号"), linkify=household_link()
    )
    head_name = tables.Column(accessor="household__head_name", verbose_name=_("户主姓名"))
    village = tables.Column(
        accessor="household__village", verbose_name=_("行政村"),
        order_by=("household__village__township__name", "household__village__name"),
    )


class LaborModelTable(ListTable):
    id_number = MaskedIdColumn()
    in_service = YesNoColumn()
    is_local = YesNoColumn()
    expertise = NamesColumn()
    phone = MaskedPhoneColumn()
    active_pairings = CountColumn(verbose_name=_("在帮结对"))

    class Meta(ListTable.Meta):
        model = models.LaborModel
        fields = (
            "name", "sex", "id_number", "honour_level", "honour_title", "year_awarded",
            "employer", "in_service", "is_local", "expertise", "phone", "active_pairings",
            "county", "review_status",
        )


class AdvancedCollectiveTable(ListTable):
    phone = MaskedPhoneColumn()
    project_count = CountColumn(verbose_name=_("项目数"))
    project_funds = MoneyColumn(verbose_name=_("项目资金(元)"))

    class Meta(ListTable.Meta):
        model = models.AdvancedCollective
        fields = (
            "name", "honour", "year_awarded", "contact_person", "phone", "project_count",
            "project_funds", "county", "review_status",
        )


class EnterpriseTable(ListTable):
    leader = tables.Column(accessor="leader__name", verbose_name=_("领办劳模"))
    phone = MaskedPhoneColumn()
    workshop_count = CountColumn(verbose_name=_("扶贫车间"))
    agreement_count = CountColumn(verbose_name=_("带贫协议"))

    class Meta(ListTable.Meta):
        model = models.Enterprise
        fields = (
            "name", "kind", "leader", "credit_code", "address", "phone", "workshop_count",
            "agreement_count", "county", "review_status",
        )


class VolunteerTeamTable(ListTable):
    leader = tables.Column(accessor="leader__name", verbose_name=_("队长"))
    event_count = CountColumn(verbose_name=_("活动次数"))
    beneficiary_total = CountColumn(verbose_name=_("受益贫困人口数"))

    class Meta(ListTable.Meta):
        model = models.VolunteerTeam
        fields = (
            "name", "field", "leader", "founded_on", "event_count", "beneficiary_total",
            "county", "review_status",
        )


#
# Pairings
#


class PairingTable(ListTable):
    helper = tables.Column(
        verbose_name=_("帮扶方"),
        order_by=("labor_model__name", "collective__name", "enterprise__name"),
    )
    helper_kind = tables.Column(accessor="helper", verbose_name=_("帮扶方类型"), orderable=False)
    target = tables.Column(
        verbose_name=_("帮扶对象"),
        linkify=household_link(),
        order_by=("household__register_number", "village__township__name", "village__name"),
    )
    plan = SummaryColumn()

    class Meta(ListTable.Meta):
        model = models.Pairing
        fields = (
            "helper", "helper_kind", "target", "mode", "start_date", "end_date", "plan",
            "county", "review_status",
        )

    def render_helper_kind(self, value):
        return value._meta.verbose_name


#
# Assistance records
#


class TrainingSessionTable(ListTable):
    labor_model = tables.Column(accessor="labor_model__name", verbose_name=_("授课劳模"))
    attendee_count = CountColumn(verbose_name=_("在册参训人数"))
    other_attendees = CountColumn()

    class Meta(ListTable.Meta):
        model = models.TrainingSession
        fields = (
            "held_on", "topic", "field", "trainer", "labor_model", "place", "attendee_count",
            "other_attendees", "county", "review_status",
        )


class IndustryProjectTable(ListTable):
    sponsor = tables.Column(verbose_name=_("实施方"))
    funds = MoneyColumn()
    village = tables.Column(order_by=("village__township__name", "village__name"))
    workshop_count = CountColumn(verbose_name=_("扶贫车间"))
    beneficiary_count = CountColumn(verbose_name=_("受益贫困人口"))

    class Meta(ListTable.Meta):
        model = models.IndustryProject
        fields = (
            "name", "sponsor", "funds", "started_on", "village", "workshop_count",
            "beneficiary_count", "county", "review_status",
        )


class WorkshopTable(ListTable):
    enterprise = tables.Column(accessor="enterprise__name", verbose_name=_("劳模企业/合作社"))
    project = tables.Column(accessor="project__name", verbose_name=_("所属项目"))
    village = tables.Column(order_by=("village__township__name", "village__name"))
    employee_count = CountColumn(verbose_name=_("在岗贫困人口"))

    class Meta(ListTable.Meta):
        model = models.Workshop
        fields = (
            "name", "enterprise", "project", "village", "opened_on", "employee_count",
            "county", "review_status",
        )


class FinanceAgreementTable(HouseholdRecordTable):
    enterprise = tables.Column(accessor="enterprise__name", verbose_name=_("劳模企业/合作社"))
    funds = MoneyColumn()
    dividends_paid = MoneyColumn(verbose_name=_("已发放分红(元)"))

    class Meta(ListTable.Meta):
        model = models.FinanceAgreement
        fields = (
            "household", "head_name", "village", "enterprise", "model", "funds", "signed_on",
            "dividends_paid", "county", "review_status",
        )


class DividendPaymentTable(ListTable):
    household = tables.Column(
        accessor="agreement__household__register_number", verbose_name=_("户编号"),
        linkify=household_link("agreement__household"),
    )
    head_name = tables.Column(
        accessor="agreement__household__head_name", verbose_name=_("户主姓名")
    )
    enterprise = tables.Column(
        accessor="agreement__enterprise__name", verbose_name=_("劳模企业/合作社")
    )
    model = tables.Column(accessor="agreement__model", verbose_name=_("带贫模式"))
    amount = MoneyColumn()

    class Meta(ListTable.Meta):
        model = models.DividendPayment
        fields = (
            "household", "head_name", "enterprise", "model", "year", "amount", "paid_on",
            "county", "review_status",
        )


class EmploymentTable(ListTable):
    member = tables.Column(
        accessor="member__name", verbose_name=_("就业人员"),
        linkify=household_link("member__household"),
    )
    id_number = MaskedIdColumn(accessor="member__id_number", verbose_name=_("身份证号"))
    household = tables.Column(
        accessor="member__household__register_number", verbose_name=_("户编号")
    )
    employer = tables.Column(
        verbose_name=_("用工单位"),
        order_by=("enterprise__name", "workshop__name", "collective__name", "employer_name"),
    )
    monthly_wage = MoneyColumn()
    is_stable = YesNoColumn()
    job_training = YesNoColumn()
    phone = MaskedPhoneColumn(accessor="member__phone", verbose_name=_("联系电话"))

    class Meta(ListTable.Meta):
        model = models.Employment
        fields = (
            "member", "id_number", "household", "employer", "started_on", "ended_on",
            "monthly_wage", "is_stable", "job_training", "phone", "county", "review_status",
        )


class VolunteerEventTable(ListTable):
    team = tables.Column(accessor="team__name", verbose_name=_("志愿服务队"))
    beneficiaries = CountColumn()

    class Meta(ListTable.Meta):
        model = models.VolunteerEvent
        fields = (
            "held_on", "title", "team", "kind", "place", "beneficiaries", "county",
            "review_status",
        )


class MaterialAidTable(HouseholdRecordTable):
    labor_model = tables.Column(accessor="labor_model__name", verbose_name=_("劳模"))
    description = SummaryColumn()
    value = MoneyColumn()
    points = CountColumn()

    class Meta(ListTable.Meta):
        model = models.MaterialAid
        fields = (
            "given_on", "household", "head_name", "village", "kind", "labor_model",
            "description", "value", "points", "county", "review_status",
        )


class HouseholdVisitTable(HouseholdRecordTable):
    labor_model = tables.Column(accessor="labor_model__name", verbose_name=_("帮扶劳模"))
    findings = SummaryColumn()
    needs = SummaryColumn()

    class Meta(ListTable.Meta):
        model = models.HouseholdVisit
        fields = (
            "visited_on", "household", "head_name", "village", "visitors", "labor_model",
            "findings", "needs", "county", "review_status",
        )
