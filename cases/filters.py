"""One FilterSet per list. The same FilterSet serves the page, its export and (later) the
dashboard figures that link to it, so a figure and its list cannot disagree."""

import datetime

import django_filters
import django_filters.fields
from django import forms
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import DateRangeWidget, RangeWidget

from cases import models
from cases.choices import FinanceModel, HouseholdAttribute, PovertyStatus, ReviewStatus
from cases.search import AnyOfSubquery, IndexedIContains
from cases.widgets import AutocompleteSelect


def scoped(model, *related):
    """Choices for a filter: only the rows the requesting user may see."""
    return lambda request: model.objects.for_user(request.user).select_related(*related)


class SearchFilterSet(django_filters.FilterSet):
    """Adds the list's one search box, ``q``, matching any of ``search_fields``."""

    q = django_filters.CharFilter(method="search", label=_("搜索"))
    search_fields = ()

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(self.search_condition(value))

    def search_condition(self, value):
        condition = Q()
        for lookup in self.search_fields:
            condition |= Q(**{lookup: value})
        return condition


class ReviewedFilterSet(SearchFilterSet):
    review_status = django_filters.ChoiceFilter(
        choices=ReviewStatus.choices, label=_("审核状态")
    )


#
# Shared pieces of the county workspace lists
#

YES_NO_CHOICES = (("", "---------"), ("true", _("是")), ("false", _("否")))


class DateRangeInput(DateRangeWidget):
    """Two native date pickers; the range's legend names them, the aria-labels tell them apart."""

    def __init__(self, attrs=None):
        widgets = (
            forms.DateInput(attrs={"type": "date", "aria-label": _("从")}, format="%Y-%m-%d"),
            forms.DateInput(attrs={"type": "date", "aria-label": _("至")}, format="%Y-%m-%d"),
        )
        # Past RangeWidget.__init__, which would put in two plain text inputs.
        super(RangeWidget, self).__init__(widgets, attrs)


class NumberRangeInput(RangeWidget):
    """Lowest and highest value, e.g. of an amount in yuan (``step="0.01"``) or a year."""

    def __init__(self, attrs=None, step="0.01"):
        widgets = tuple(
            forms.NumberInput(
                attrs={"step": step, "min": "0", "aria-label": bound, "placeholder": bound}
            )
            for bound in (_("最低"), _("最高"))
        )
        super(RangeWidget, self).__init__(widgets, attrs)  # as in DateRangeInput


def date_range(field_name, label):
    return django_filters.DateFromToRangeFilter(
        field_name=field_name, label=label, widget=DateRangeInput()
    )


class NumberField(forms.DecimalField):
    """A decimal that refuses a signaling NaN ("sNaN") as any other text: Django's error would
    carry the value, and merging a range's two errors hashes it, which raises a TypeError."""

    def to_python(self, value):
        if isinstance(value, str) and "snan" in value.lower():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class NumberRangeField(django_filters.fields.RangeField):
    def __init__(self, fields=None, *args, **kwargs):
        super().__init__(fields or (NumberField(), NumberField()), *args, **kwargs)


class NumberRangeFilter(django_filters.RangeFilter):
    field_class = NumberRangeField


def amount_range(field_name, label):
    return NumberRangeFilter(field_name=field_name, label=label, widget=NumberRangeInput())


def year_range(field_name, label):
    return NumberRangeFilter(field_name=field_name, label=label, widget=NumberRangeInput(step="1"))


def yes_no(field_name, label):
    return django_filters.BooleanFilter(
        field_name=field_name, label=label, widget=forms.Select(choices=YES_NO_CHOICES)
    )


def on_date(method, label):
    return django_filters.DateFilter(
        method=method, label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class VillageSearchFilterSet(SearchFilterSet):
    """The villages a list filter offers, searched by name or township as one types."""

    search_fields = ("name__icontains", "township__name__icontains")

    class Meta:
        model = models.Village
        fields = []


def village_choice(field_name, method=None):
    """A village filter: a country has tens of thousands, so it is searched, never listed."""
    return django_filters.ModelChoiceFilter(
        field_name=field_name, method=method, queryset=scoped(models.Village, "township"),
        label=_("行政村"), widget=AutocompleteSelect("village", scope="view"),
    )


def scoped_choice(model, source, label, field_name=None):
    """A filter on an enterprise or workshop: searched as one types, like the village."""
    kwargs = {"field_name": field_name} if field_name else {}
    return django_filters.ModelChoiceFilter(
        queryset=scoped(model), label=label, widget=AutocompleteSelect(source, scope="view"),
        **kwargs,
    )


class TownshipSearchFilterSet(SearchFilterSet):
    """The townships a list filter offers, searched by name or county as one types."""

    search_fields = ("name__icontains", "county__name__icontains")

    class Meta:
        model = models.Township
        fields = []


def township_choice(field_name, method=None):
    """A township filter: hundreds across a province, so searched like the village."""
    return django_filters.ModelChoiceFilter(
        field_name=field_name, method=method, queryset=scoped(models.Township),
        label=_("乡镇"), widget=AutocompleteSelect("township", scope="view"),
    )


def township_filter(village_path):
    return township_choice(f"{village_path}__township")


def village_filter(village_path):
    return village_choice(village_path)


def member_id_ends_with(household_path, value):
    """Rows whose household has a member whose ID number ends with ``value`` (the last digits
    people read out on the phone; a typed x finds the check character X). Exists, so a
    household with two matching members is listed once."""
    members = models.Member.objects.filter(
        household=OuterRef(household_path), id_number__iendswith=value
    )
    return Q(Exists(members))


class CountyRecordFilterSet(ReviewedFilterSet):
    """A reviewed county record. City reviewers and administrators also filter by county; county
    staff see one county only, so they are not offered the choice."""

    county = django_filters.ModelChoiceFilter(queryset=scoped(models.County), label=_("县区"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if getattr(user, "is_county_staff", False):
            del self.filters["county"]
        # django-filter puts the filters generated from Meta.fields first; the search box
        # belongs at the top of every list's form.
        self.filters.move_to_end("q", last=False)


#
# Households and members
#


class HouseholdFilterSet(CountyRecordFilterSet):
    search_fields = (
        "register_number__icontains",
        "head_name__icontains",
        "phone__icontains",
    )
    township = township_choice("village__township")
    village = village_choice("village")
    status = django_filters.ChoiceFilter(choices=PovertyStatus.choices, label=_("脱贫状态"))
    attribute = django_filters.ChoiceFilter(
        choices=HouseholdAttribute.choices, label=_("贫困户属性")
    )
    cause = django_filters.ModelChoiceFilter(
        queryset=models.PovertyCause.objects.all(), method="filter_cause", label=_("致贫原因")
    )
    identified = date_range("identified_on", _("识别日期"))
    unpaired = django_filters.BooleanFilter(
        method="filter_unpaired", label=_("无在帮结对"),
        widget=forms.Select(choices=(("", "---------"), ("true", _("是")), ("false", _("否")))),
    )

    class Meta:
        model = models.Household
        fields = []

    def search_condition(self, value):
        # The same rows as icontains, in a shape PostgreSQL serves from indexes
        # (cases/search.py): each column's condition from its tripled-text trigram index, the
        # members' ID numbers as an id array looked up by primary key, combined in a
        # BitmapOr. An Exists over the members would make the OR a per-row filter: a scan of
        # every household (0.5-1.4 s at 1,000,000).
        # A value most households contain (say "138") is still found by walking the list's
        # order and stopping at the page, which the planner picks from the same shape.
        condition = Q()
        for lookup in self.search_fields:
            condition |= Q(IndexedIContains(F(lookup.removesuffix("__icontains")), value))
        members = (
            models.Member.objects.filter(id_number__iendswith=value).order_by().values("household")
        )
        return condition | Q(AnyOfSubquery(F("pk"), members))

    def filter_cause(self, queryset, name, cause):
        other_cause = models.Household.other_causes.through.objects.filter(
            household=OuterRef("pk"), povertycause=cause
        )
        return queryset.filter(Q(main_cause=cause) | Q(Exists(other_cause)))

    def filter_unpaired(self, queryset, name, unpaired):
        """Households no helper is paired with today, neither on their own nor through a
        pairing with their whole village (the home page's work list counts these)."""
        paired = models.Pairing.objects.active_on(timezone.localdate()).filter(
            Q(household=OuterRef("pk")) | Q(village=OuterRef("village"))
        )
        return queryset.exclude(Exists(paired)) if unpaired else queryset.filter(Exists(paired))


class MemberFilterSet(SearchFilterSet):
    search_fields = (
        "name__icontains",
        "phone__icontains",
        "id_number__iendswith",
        "household__register_number__icontains",
    )
    township = township_choice("household__village__township")
    village = village_choice("household__village")
    household_status = django_filters.ChoiceFilter(
        field_name="household__status", choices=PovertyStatus.choices, label=_("脱贫状态")
    )

    class Meta:
        model = models.Member
        fields = ["relation", "sex", "education", "health", "labour_ability", "work_status"]


#
# Helpers: labor models, collectives, enterprises, volunteer teams
#


class LaborModelFilterSet(CountyRecordFilterSet):
    search_fields = (
        "name__icontains",
        "employer__icontains",
        "phone__icontains",
        "id_number__iendswith",
    )
    in_service = yes_no("in_service", _("在职"))
    is_local = yes_no("is_local", _("在本地"))
    expertise = django_filters.ModelChoiceFilter(
        queryset=models.ExpertiseField.objects.all(), label=_("专长领域")
    )
    year_awarded = year_range("year_awarded", _("授予年份"))

    class Meta:
        model = models.LaborModel
        fields = ["honour_level", "honour_title"]


class AdvancedCollectiveFilterSet(CountyRecordFilterSet):
    search_fields = ("name__icontains", "contact_person__icontains", "phone__icontains")
    year_awarded = year_range("year_awarded", _("授予年份"))

    class Meta:
        model = models.AdvancedCollective
        fields = ["honour"]


class EnterpriseFilterSet(CountyRecordFilterSet):
    search_fields = (
        "name__icontains",
        "credit_code__icontains",
        "address__icontains",
        "phone__icontains",
        "leader__name__icontains",
    )

    class Meta:
        model = models.Enterprise
        fields = ["kind"]


class VolunteerTeamFilterSet(CountyRecordFilterSet):
    search_fields = ("name__icontains", "leader__name__icontains")
    founded = date_range("founded_on", _("成立日期"))

    class Meta:
        model = models.VolunteerTeam
        fields = ["field"]


#
# Pairings
#


class PairingFilterSet(CountyRecordFilterSet):
    HELPER_KINDS = (
        ("labor_model", _("劳模")),
        ("collective", _("先进集体")),
        ("enterprise", _("劳模企业/合作社")),
    )

    search_fields = (
        "labor_model__name__icontains",
        "collective__name__icontains",
        "enterprise__name__icontains",
        "household__register_number__icontains",
        "household__head_name__icontains",
        "village__name__icontains",
    )
    township = township_choice("township", method="filter_township")
    village = village_choice("village", method="filter_village")
    helper_kind = django_filters.ChoiceFilter(
        choices=HELPER_KINDS, method="filter_helper_kind", label=_("帮扶方类型")
    )
    active_on = on_date("filter_active_on", _("某日在帮"))
    started = date_range("start_date", _("开始日期"))
    idle = django_filters.BooleanFilter(
        method="filter_idle", label=_("近90天无帮扶记录"),
        widget=forms.Select(choices=YES_NO_CHOICES),
    )

    IDLE_DAYS = 90

    class Meta:
        model = models.Pairing
        fields = ["mode"]

    def search_condition(self, value):
        return super().search_condition(value) | member_id_ends_with("household", value)

    # A pairing helps a household or a whole village: both count as "in" the village.
    def filter_township(self, queryset, name, township):
        return queryset.filter(
            Q(household__village__township=township) | Q(village__township=township)
        )

    def filter_village(self, queryset, name, village):
        return queryset.filter(Q(household__village=village) | Q(village=village))

    def filter_helper_kind(self, queryset, name, kind):
        return queryset.filter(**{f"{kind}__isnull": False})

    def filter_active_on(self, queryset, name, day):
        return queryset.active_on(day)

    def filter_idle(self, queryset, name, idle):
        """Pairings in place for at least 90 days under which nothing has happened for 90 days:
        no help dated within them (入户走访, visit or aid, training attended, job held,
        agreement signed, dividend paid, project joined) reached the household, or for a village
        pairing any household of the village, from any helper. The home page's work list counts
        these."""
        today = timezone.localdate()
        since = today - datetime.timedelta(days=self.IDLE_DAYS)

        # (help, path from it to the household, condition that makes it recent)
        recent_help = (
            (models.MaterialAid, "household", Q(given_on__gte=since)),
            (models.HouseholdVisit, "household", Q(visited_on__gte=since)),
            (models.TrainingAttendance, "member__household", Q(session__held_on__gte=since)),
            (
                models.Employment,
                "member__household",
                Q(ended_on__isnull=True) | Q(ended_on__gte=since),
            ),
            (models.FinanceAgreement, "household", Q(signed_on__gte=since)),
            (models.DividendPayment, "agreement__household", Q(paid_on__gte=since)),
            (models.ProjectBeneficiary, "member__household", Q(since__gte=since)),
        )
        # One EXISTS for the household and one for the village rather than an OR inside one,
        # so each is an index lookup (with the OR, the database scans for every pairing).
        helped = Q()
        for model, path, recent in recent_help:
            for target, outer in ((path, "household"), (f"{path}__village", "village")):
                rows = model.objects.filter(recent, **{target: OuterRef(outer)})
                # The pairing's own target first: a household pairing skips the village
                # lookups (and a village pairing the household ones) instead of probing them.
                helped |= Q(**{f"{outer}__isnull": False}) & Q(Exists(rows))
        idle_pairings = (
            Q(start_date__lte=since)
            & (Q(end_date__isnull=True) | Q(end_date__gt=today))
            & ~helped
        )
        return queryset.filter(idle_pairings) if idle else queryset.exclude(idle_pairings)


#
# Assistance records
#


class TrainingSessionFilterSet(CountyRecordFilterSet):
    search_fields = (
        "topic__icontains",
        "trainer__icontains",
        "place__icontains",
        "labor_model__name__icontains",
    )
    field = django_filters.ModelChoiceFilter(
        queryset=models.ExpertiseField.objects.all(), label=_("培训领域")
    )
    held = date_range("held_on", _("培训日期"))

    class Meta:
        model = models.TrainingSession
        fields = []

    def search_condition(self, value):
        # A session someone attended, found by the last digits of that person's ID number.
        attended = models.TrainingAttendance.objects.filter(
            session=OuterRef("pk"), member__id_number__iendswith=value
        )
        return super().search_condition(value) | Q(Exists(attended))


class IndustryProjectFilterSet(CountyRecordFilterSet):
    search_fields = (
        "name__icontains",
        "enterprise__name__icontains",
        "collective__name__icontains",
    )
    township = township_filter("village")
    village = village_filter("village")
    enterprise = scoped_choice(models.Enterprise, "enterprise", _("劳模企业/合作社"))
    collective = scoped_choice(models.AdvancedCollective, "collective", _("先进集体"))
    started = date_range("started_on", _("开始日期"))
    funds = amount_range("funds", _("帮扶资金(元)"))

    class Meta:
        model = models.IndustryProject
        fields = []

    def search_condition(self, value):
        benefits = models.ProjectBeneficiary.objects.filter(
            project=OuterRef("pk"), member__id_number__iendswith=value
        )
        return super().search_condition(value) | Q(Exists(benefits))


class WorkshopFilterSet(CountyRecordFilterSet):
    search_fields = ("name__icontains", "enterprise__name__icontains", "project__name__icontains")
    township = township_filter("village")
    village = village_filter("village")
    enterprise = scoped_choice(models.Enterprise, "enterprise", _("劳模企业/合作社"))
    opened = date_range("opened_on", _("设立日期"))

    class Meta:
        model = models.Workshop
        fields = []


class FinanceAgreementFilterSet(CountyRecordFilterSet):
    search_fields = (
        "household__register_number__icontains",
        "household__head_name__icontains",
        "enterprise__name__icontains",
    )
    township = township_filter("household__village")
    village = village_filter("household__village")
    enterprise = scoped_choice(models.Enterprise, "enterprise", _("劳模企业/合作社"))
    signed = date_range("signed_on", _("签订日期"))
    funds = amount_range("funds", _("协议资金(元)"))

    class Meta:
        model = models.FinanceAgreement
        fields = ["model"]

    def search_condition(self, value):
        return super().search_condition(value) | member_id_ends_with("household", value)


class DividendPaymentFilterSet(CountyRecordFilterSet):
    search_fields = (
        "agreement__household__register_number__icontains",
        "agreement__household__head_name__icontains",
        "agreement__enterprise__name__icontains",
    )
    township = township_filter("agreement__household__village")
    village = village_filter("agreement__household__village")
    enterprise = scoped_choice(
        models.Enterprise, "enterprise", _("劳模企业/合作社"), "agreement__enterprise"
    )
    model = django_filters.ChoiceFilter(
        field_name="agreement__model", choices=FinanceModel.choices, label=_("带贫模式")
    )
    year = django_filters.NumberFilter(label=_("分红年度"))
    paid = date_range("paid_on", _("发放日期"))
    amount = amount_range("amount", _("分红金额(元)"))

    class Meta:
        model = models.DividendPayment
        fields = []

    def search_condition(self, value):
        return super().search_condition(value) | member_id_ends_with("agreement__household", value)


class EmploymentFilterSet(CountyRecordFilterSet):
    search_fields = (
        "member__name__icontains",
        "member__id_number__iendswith",
        "member__phone__icontains",
        "member__household__register_number__icontains",
        "enterprise__name__icontains",
        "workshop__name__icontains",
        "collective__name__icontains",
        "employer_name__icontains",
    )
    township = township_filter("member__household__village")
    village = village_filter("member__household__village")
    enterprise = scoped_choice(models.Enterprise, "enterprise", _("劳模企业/合作社"))
    workshop = scoped_choice(models.Workshop, "workshop", _("扶贫车间"))
    is_stable = yes_no("is_stable", _("稳定就业"))
    job_training = yes_no("job_training", _("接受岗前培训"))
    employed_on = on_date("filter_employed_on", _("某日在岗"))
    started = date_range("started_on", _("就业日期"))
    monthly_wage = amount_range("monthly_wage", _("月工资(元)"))

    class Meta:
        model = models.Employment
        fields = []

    def filter_employed_on(self, queryset, name, day):
        return queryset.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=day), started_on__lte=day
        )


class VolunteerEventFilterSet(CountyRecordFilterSet):
    search_fields = ("title__icontains", "place__icontains", "team__name__icontains")
    team = django_filters.ModelChoiceFilter(
        queryset=scoped(models.VolunteerTeam), label=_("志愿服务队")
    )
    held = date_range("held_on", _("活动日期"))

    class Meta:
        model = models.VolunteerEvent
        fields = ["kind"]


class MaterialAidFilterSet(CountyRecordFilterSet):
    search_fields = (
        "household__register_number__icontains",
        "household__head_name__icontains",
        "labor_model__name__icontains",
        "description__icontains",
    )
    township = township_filter("household__village")
    village = village_filter("household__village")
    given = date_range("given_on", _("日期"))
    value = amount_range("value", _("折合金额(元)"))

    class Meta:
        model = models.MaterialAid
        fields = ["kind"]

    def search_condition(self, value):
        return super().search_condition(value) | member_id_ends_with("household", value)


class HouseholdVisitFilterSet(CountyRecordFilterSet):
    search_fields = (
        "household__register_number__icontains",
        "household__head_name__icontains",
        "visitors__icontains",
        "findings__icontains",
        "needs__icontains",
    )
    township = township_filter("household__village")
    village = village_filter("household__village")
    visited = date_range("visited_on", _("走访日期"))
    labor_model = django_filters.ModelChoiceFilter(
        queryset=scoped(models.LaborModel), label=_("帮扶劳模")
    )

    class Meta:
        model = models.HouseholdVisit
        fields = []


#
# The city's review queue
#


def reviewed_kind_choices():
    # Imported here: the record kinds are declared with this module's filter sets.
    from cases.kinds import reviewed_kind_choices

    return reviewed_kind_choices()


class ReviewQueueFilterSet(django_filters.FilterSet):
    """The city's review queue: submitted records of every reviewed model, by county, kind
    and submission date. It is not tied to one model: validate the form once, then filter
    each model's rows with ``filter_queryset``, which must carry the ``submitted_at``
    annotation (``cases.views.queue.queue_rows``). The queue's counts, its rows and its bulk
    approval all go through it, so they select the same records."""

    county = django_filters.ModelChoiceFilter(queryset=scoped(models.County), label=_("县区"))
    kind = django_filters.ChoiceFilter(
        choices=reviewed_kind_choices, method="filter_kind", label=_("记录类型")
    )
    submitted = django_filters.DateFromToRangeFilter(
        field_name="submitted_at", label=_("提交日期"), widget=DateRangeInput()
    )

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = models.ReviewEvent.objects.none()  # no model of its own
        super().__init__(data, queryset, request=request, prefix=prefix)

    def filter_kind(self, queryset, name, value):
        return queryset if queryset.model._meta.model_name == value else queryset.none()
