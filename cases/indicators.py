"""The programme's indicators (docs/figures.md), computed from the records.

Each indicator is defined once, as the rows it counts: ``indicator_rows(key, ...)`` is a
queryset of members, households, labor models, sessions, projects, ... and the figure is the
number of those rows, or for a sum (funds, beneficiaries) the sum of one of their fields.
``compute_indicators`` aggregates those same querysets grouped by county, and the dashboard's
drill-down lists show them, so a figure and its list cannot disagree.

Indicators that count the same kind of row share one row source (e.g. every labor model
awarded by the end of the period) and differ by a condition on it (national, in service and
local, ...): each source is one grouped query with one ``Count(filter=...)`` or
``Sum(filter=...)`` per figure, so the cost is a fixed number of queries however many records
there are. The sources never join to many-valued relations (they use EXISTS), so each row is
counted once: a person or household is counted once per indicator however many records it has.

Which records count is written once, in ``COUNTING_RULES`` (shown on the dashboard's help
page): approved help records and helpers (optionally also submitted ones), registered
households and members whatever their review; households and members archived by the end of
the period do not count. Each figure is counted in the county of the thing
counted (the member's household, the labor model, the enterprise, ...), so the city total is
exactly the sum of the county figures.

"Of them exited": the beneficiary's household is exited on the period's end (by its dated
events, ``exit_date_on``: a household that returned to poverty later still counts, as it did
then), with an exit date on or after the help began (the first training, project or job in the
period).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DateField, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import HonourLevel, PairingMode, ReviewStatus
from cases.models import (
    AdvancedCollective,
    DividendPayment,
    Employment,
    Enterprise,
    FinanceAgreement,
    Household,
    HouseholdEvent,
    IndustryProject,
    LaborModel,
    Member,
    Pairing,
    ProjectBeneficiary,
    TrainingAttendance,
    TrainingSession,
    VolunteerEvent,
    VolunteerTeam,
    Workshop,
)


@dataclass(frozen=True)
class Period:
    """From ``start`` (None: since the programme began, i.e. "as of" ``end``) to ``end``."""

    end: datetime.date
    start: datetime.date | None = None

    def date_range(self, lookup):
        condition = Q(**{f"{lookup}__lte": self.end})
        if self.start:
            condition &= Q(**{f"{lookup}__gte": self.start})
        return condition

    def not_archived(self, prefix=""):
        """The household or member (``prefix``: the path to it) was not archived by the end of
        the period: archiving it later leaves this period's figures as they were."""
        next_day = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min,
            tzinfo=timezone.get_current_timezone(),
        )
        return Q(**{f"{prefix}archived_at__isnull": True}) | Q(
            **{f"{prefix}archived_at__gte": next_day}
        )


@dataclass(frozen=True)
class IndicatorDefinition:
    """``summed``: the field of the counted rows whose sum is the figure (None: the figure is
    the number of rows)."""

    key: str
    label: str
    unit: str
    money: bool = False
    summed: str | None = None


INDICATORS = [
    IndicatorDefinition("labor_models", _("各级劳模和五一劳动奖章获得者"), _("人")),
    IndicatorDefinition("labor_models_national", _("其中国家级"), _("人")),
    IndicatorDefinition("labor_models_provincial", _("其中省级"), _("人")),
    IndicatorDefinition("labor_models_city", _("其中市级"), _("人")),
    IndicatorDefinition("labor_models_county", _("其中县区级"), _("人")),
    IndicatorDefinition("labor_models_in_service_local", _("在职在本地劳模"), _("人")),
    IndicatorDefinition(
        "labor_models_participating", _("直接参与脱贫攻坚的在职在本地劳模"), _("人")
    ),
    IndicatorDefinition("training_sessions", _("技术培训"), _("场次")),
    IndicatorDefinition("people_trained", _("培训贫困人口"), _("人")),
    IndicatorDefinition("people_trained_exited", _("其中已通过培训实现脱贫"), _("人")),
    IndicatorDefinition("households_trained", _("培训贫困户"), _("户")),
    IndicatorDefinition("households_trained_industry", _("其中发展产业"), _("户")),
    IndicatorDefinition("enterprise_projects", _("依托劳模企业共建产业扶贫项目"), _("个")),
    IndicatorDefinition(
        "enterprise_project_funds", _("产业扶贫项目投入帮扶资金"), _("元"), True, "funds"
    ),
    IndicatorDefinition("workshops", _("进驻扶贫车间"), _("个")),
    IndicatorDefinition("project_beneficiaries", _("带动建档立卡受益贫困人口"), _("人")),
    IndicatorDefinition("project_beneficiaries_exited", _("其中已经脱贫"), _("人")),
    IndicatorDefinition("finance_enterprises", _("签订带贫协议的劳模企业和合作社"), _("个")),
    IndicatorDefinition("finance_households", _("签订金融扶贫带贫协议的贫困家庭"), _("户")),
    IndicatorDefinition("finance_funds", _("带贫协议资金"), _("元"), True, "funds"),
    IndicatorDefinition("dividend_payments", _("带贫协议分红"), _("户次")),
    IndicatorDefinition("dividend_funds", _("分红金额"), _("元"), True, "amount"),
    IndicatorDefinition("stable_employed", _("实现稳定就业的贫困人口"), _("人")),
    IndicatorDefinition("volunteer_teams", _("劳模志愿服务队"), _("个")),
    IndicatorDefinition("volunteer_events", _("志愿服务宣传活动"), _("场次")),
    IndicatorDefinition(
        "volunteer_beneficiaries", _("志愿服务受益贫困人口"), _("人次"), summed="beneficiaries"
    ),
    IndicatorDefinition("collectives_participating", _("参与脱贫攻坚的先进集体"), _("个")),
    IndicatorDefinition("collective_projects", _("先进集体帮扶项目"), _("个")),
    IndicatorDefinition(
        "collective_project_funds", _("先进集体投入帮扶资金"), _("元"), True, "funds"
    ),
    IndicatorDefinition("collective_employed", _("先进集体吸纳贫困就业人员"), _("人")),
    IndicatorDefinition("collective_employed_exited", _("其中已实现脱贫"), _("人")),
]
DEFINITIONS = {definition.key: definition for definition in INDICATORS}

# The indicators grouped as the article reports them (dashboard sections, report chapters).
SECTIONS = [
    (
        _("劳模队伍"),
        [
            "labor_models", "labor_models_national", "labor_models_provincial",
            "labor_models_city", "labor_models_county", "labor_models_in_service_local",
            "labor_models_participating",
        ],
    ),
    (
        _("技术扶贫"),
        [
            "training_sessions", "people_trained", "people_trained_exited",
            "households_trained", "households_trained_industry",
        ],
    ),
    (
        _("产业扶贫"),
        [
            "enterprise_projects", "enterprise_project_funds", "workshops",
            "project_beneficiaries", "project_beneficiaries_exited",
        ],
    ),
    (
        _("金融扶贫"),
        [
            "finance_enterprises", "finance_households", "finance_funds",
            "dividend_payments", "dividend_funds",
        ],
    ),
    (_("就业扶贫"), ["stable_employed"]),
    (_("志愿服务"), ["volunteer_teams", "volunteer_events", "volunteer_beneficiaries"]),
    (
        _("先进集体扶贫"),
        [
            "collectives_participating", "collective_projects", "collective_project_funds",
            "collective_employed", "collective_employed_exited",
        ],
    ),
]


@dataclass
class IndicatorTable:
    """Figures per indicator and county; ``total(key)`` is the sum over the counties."""

    period: Period
    by_county: dict = field(default_factory=lambda: defaultdict(dict))

    def add(self, rows, county_key="county"):
        for row in rows:
            county_id = row.pop(county_key)
            for key, value in row.items():
                self.by_county[county_id][key] = value or 0

    def value(self, county_id, key):
        return self.by_county.get(county_id, {}).get(key, 0)

    def total(self, key):
        zero = Decimal("0.00") if DEFINITIONS[key].money else 0
        return sum((values.get(key, 0) for values in self.by_county.values()), zero)

    def totals(self):
        return {definition.key: self.total(definition.key) for definition in INDICATORS}


# Which review states count, per register: the one rule every figure, trend, breakdown and
# drill-down list applies (through ``_Sources``), shown as written here on the dashboard's help
# page (docs/figures.md says the same).
COUNTING_RULES = [
    (
        _("所有审核登记册"),
        _("只计入审核通过的记录;勾选“含待审核记录”时,待审核(已提交)的记录也计入。"
          "草稿和退回修改的记录从不计入。"),
    ),
    (
        _("贫困户与家庭成员"),
        _("建档立卡登记的贫困户及其成员无论审核状态如何都计入以人、以户计的指标"
          "(包括脱贫户数趋势);是否计入由帮扶记录和帮扶方的审核状态决定。"),
    ),
    (
        _("劳模、先进集体、劳模企业/合作社、志愿服务队"),
        _("本身须计入:如签订带贫协议的企业须审核通过,参与脱贫攻坚的先进集体须审核通过。"),
    ),
    (
        _("技术培训、产业项目、扶贫车间、带贫协议、分红、就业、结对帮扶、志愿服务活动"),
        _("记录本身须计入(分红还须其带贫协议计入);培训签到和项目受益人随所属培训和项目。"),
    ),
    (
        _("归档"),
        _("统计截止日前已归档的贫困户和成员不计入;截止日后才归档的,仍计入该期。"),
    ),
    (
        _("脱贫与返贫"),
        _("按截止日当天的状态:截止日前已脱贫、且截止日前未返贫的贫困户计为已脱贫;"
          "之后才返贫的,仍计入该期的“其中已脱贫”。"),
    ),
    (
        _("县区"),
        _("每项指标计入被统计对象所在县区(成员随贫困户,企业、集体、劳模随本身);"
          "贫困户迁至其他县区后,其成员和帮扶记录一并迁入新县区,培训和项目仍属举办县区。"),
    ),
    (
        _("百分比"),
        _("保留一位小数,四舍五入(如80人中的1人为1.3%)。"),
    ),
]


def _statuses(include_submitted):
    if include_submitted:
        return [ReviewStatus.APPROVED, ReviewStatus.SUBMITTED]
    return [ReviewStatus.APPROVED]


def _active_during(period, prefix=""):
    """A pairing or job running at some time in the period."""
    condition = Q(**{f"{prefix}start_date__lte": period.end})
    if period.start:
        condition &= Q(**{f"{prefix}end_date__isnull": True}) | Q(
            **{f"{prefix}end_date__gte": period.start}
        )
    return condition


def exit_date_on(day, household):
    """The day ``household`` (an expression for a household id) exited poverty, if it is
    exited on ``day`` by its events (``HouseholdEvent``): its last exit by then, unless it
    returned to poverty after that and by then; NULL if it is not exited on ``day``. A later
    返贫 leaves the day's answer as it was."""
    returned_since = HouseholdEvent.objects.filter(
        household=OuterRef("household"), kind=HouseholdEvent.Kind.RETURNED,
        on__gt=OuterRef("on"), on__lte=day,
    )
    return Subquery(
        HouseholdEvent.objects.filter(
            household=household, kind=HouseholdEvent.Kind.EXITED, on__lte=day
        )
        .exclude(Exists(returned_since))
        .order_by("-on")
        .values("on")[:1]
    )


def _exited_after(help_exists, help_date, period):
    """Members with a help record (``help_exists``, a queryset of rows with a ``member``,
    correlated on the member) dated (``help_date``) on or before the day their household
    exited poverty, the household being exited on the period's end."""
    exit_date = exit_date_on(period.end, OuterRef("member__household"))
    return Q(Exists(help_exists.filter(**{f"{help_date}__lte": exit_date})))


@dataclass(frozen=True)
class RowSource:
    """The rows behind one or more figures: ``rows`` holds every row any of them counts, and
    ``figures`` maps each indicator key to the condition (a ``Q``, or None for all the rows)
    that picks that figure's rows out of ``rows``."""

    rows: object
    figures: dict


class _Sources:
    """The row sources of every indicator for one user, period and review rule. Building them
    runs no query; each is evaluated only when aggregated or listed."""

    def __init__(self, *, user, period, include_submitted):
        self.user = user
        self.period = period
        self.counted = _statuses(include_submitted)

    def all(self):
        return [
            self.labor_models(),
            self.training_sessions(),
            self.people_trained(),
            self.households_trained(),
            self.projects(),
            self.workshops(),
            self.project_beneficiaries(),
            self.finance_enterprises(),
            self.finance_households(),
            self.finance_agreements(),
            self.dividends(),
            self.employed(),
            self.volunteer_teams(),
            self.volunteer_events(),
            self.collectives(),
        ]

    # Shared pieces

    def members(self):
        """Registered people count whatever their household's review (COUNTING_RULES)."""
        return Member.objects.for_user(self.user).filter(
            self.period.not_archived(), self.period.not_archived("household__")
        )

    def sessions(self):
        return TrainingSession.objects.filter(
            self.period.date_range("held_on"), review_status__in=self.counted
        )

    def project_rows(self):
        return IndustryProject.objects.filter(
            self.period.date_range("started_on"), review_status__in=self.counted
        )

    def agreement_rows(self):
        return FinanceAgreement.objects.filter(
            self.period.date_range("signed_on"),
            self.period.not_archived("household__"),
            review_status__in=self.counted,
        )

    def stable_jobs(self):
        """Stable jobs held on the period's end."""
        return Employment.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=self.period.end),
            review_status__in=self.counted,
            is_stable=True,
            started_on__lte=self.period.end,
        )

    def collective_jobs(self):
        """Jobs with an advanced collective started in the period."""
        return Employment.objects.filter(
            self.period.date_range("started_on"),
            review_status__in=self.counted,
            collective__isnull=False,
        )

    def attended(self):
        """A member's attendance at a counted session in the period. (A join to the session
        rather than ``session__in=self.sessions()``: SQLite would probe every session's id for
        every member.)"""
        return TrainingAttendance.objects.filter(
            self.period.date_range("session__held_on"),
            member=OuterRef("pk"),
            session__review_status__in=self.counted,
        )

    # The sources

    def labor_models(self):
        """Labor models are a stock: counted when awarded by the end of the period."""
        participating = Pairing.objects.filter(
            labor_model=OuterRef("pk"), review_status__in=self.counted
        ).active_on(self.period.end)
        in_service_local = Q(in_service=True, is_local=True)
        return RowSource(
            LaborModel.objects.for_user(self.user).filter(
                review_status__in=self.counted, year_awarded__lte=self.period.end.year
            ),
            {
                "labor_models": None,
                "labor_models_national": Q(honour_level=HonourLevel.NATIONAL),
                "labor_models_provincial": Q(honour_level=HonourLevel.PROVINCIAL),
                "labor_models_city": Q(honour_level=HonourLevel.CITY),
                "labor_models_county": Q(honour_level=HonourLevel.COUNTY),
                "labor_models_in_service_local": in_service_local,
                "labor_models_participating": in_service_local & Q(Exists(participating)),
            },
        )

    def training_sessions(self):
        return RowSource(self.sessions().for_user(self.user), {"training_sessions": None})

    def people_trained(self):
        attended = self.attended()
        exited = _exited_after(attended, "session__held_on", self.period)
        return RowSource(
            self.members().filter(Exists(attended)),
            {"people_trained": None, "people_trained_exited": exited},
        )

    def households_trained(self):
        """Households with a member trained (the article's 汝南县: 2,731), and of them those
        that took up an industry by the period's end (1,744 planting or breeding)."""
        trained_members = self.members().filter(Exists(self.attended()), household=OuterRef("pk"))
        return RowSource(
            Household.objects.for_user(self.user).filter(
                Exists(trained_members), self.period.not_archived()
            ),
            {
                "households_trained": None,
                "households_trained_industry": Q(
                    industry__isnull=False, industry_since__lte=self.period.end
                ),
            },
        )

    def projects(self):
        by_enterprise = Q(enterprise__isnull=False)
        by_collective = Q(collective__isnull=False)
        return RowSource(
            self.project_rows().for_user(self.user),
            {
                "enterprise_projects": by_enterprise,
                "enterprise_project_funds": by_enterprise,
                "collective_projects": by_collective,
                "collective_project_funds": by_collective,
            },
        )

    def workshops(self):
        return RowSource(
            Workshop.objects.for_user(self.user).filter(
                self.period.date_range("opened_on"), review_status__in=self.counted
            ),
            {"workshops": None},
        )

    def project_beneficiaries(self):
        benefits = ProjectBeneficiary.objects.filter(
            self.period.date_range("since"),
            self.period.date_range("project__started_on"),
            member=OuterRef("pk"),
            project__review_status__in=self.counted,
            project__enterprise__isnull=False,
        )
        exited = _exited_after(benefits, "since", self.period)
        return RowSource(
            self.members().filter(Exists(benefits)),
            {"project_beneficiaries": None, "project_beneficiaries_exited": exited},
        )

    def finance_enterprises(self):
        return RowSource(
            Enterprise.objects.for_user(self.user).filter(
                Exists(self.agreement_rows().filter(enterprise=OuterRef("pk"))),
                review_status__in=self.counted,
            ),
            {"finance_enterprises": None},
        )

    def finance_households(self):
        # An agreement belongs to its household's county, so this groups as the agreements do.
        return RowSource(
            Household.objects.for_user(self.user).filter(
                Exists(self.agreement_rows().filter(household=OuterRef("pk"))),
                self.period.not_archived(),
            ),
            {"finance_households": None},
        )

    def finance_agreements(self):
        return RowSource(self.agreement_rows().for_user(self.user), {"finance_funds": None})

    def dividends(self):
        """Dividends paid in the period under counted agreements of counted households: each
        is one household's dividend for one year (户次), so the average yearly dividend per
        household is ``dividend_funds`` / ``dividend_payments`` (``average_dividend``)."""
        return RowSource(
            DividendPayment.objects.for_user(self.user).filter(
                self.period.date_range("paid_on"),
                self.period.not_archived("agreement__household__"),
                review_status__in=self.counted,
                agreement__review_status__in=self.counted,
            ),
            {"dividend_payments": None, "dividend_funds": None},
        )

    def employed(self):
        # "Member in (members with such a job)" rather than a correlated EXISTS per member:
        # under the OR below, EXISTS would be probed for every member of the register, while
        # each IN reads the jobs once (PostgreSQL hashes them).
        stable = Q(pk__in=self.stable_jobs().values("member"))
        collective_jobs = self.collective_jobs()
        by_collective = Q(pk__in=collective_jobs.values("member"))
        exited = _exited_after(
            collective_jobs.filter(member=OuterRef("pk")), "started_on", self.period
        )
        return RowSource(
            self.members().filter(stable | by_collective),
            {
                "stable_employed": stable,
                "collective_employed": by_collective,
                "collective_employed_exited": exited,
            },
        )

    def volunteer_teams(self):
        return RowSource(
            VolunteerTeam.objects.for_user(self.user).filter(
                review_status__in=self.counted, founded_on__lte=self.period.end
            ),
            {"volunteer_teams": None},
        )

    def volunteer_events(self):
        return RowSource(
            VolunteerEvent.objects.for_user(self.user).filter(
                self.period.date_range("held_on"), review_status__in=self.counted
            ),
            {"volunteer_events": None, "volunteer_beneficiaries": None},
        )

    def collectives(self):
        pairings = Pairing.objects.filter(
            _active_during(self.period), collective=OuterRef("pk"), review_status__in=self.counted
        )
        employers = Employment.objects.filter(
            self.period.date_range("started_on"),
            collective=OuterRef("pk"),
            review_status__in=self.counted,
        )
        return RowSource(
            AdvancedCollective.objects.for_user(self.user).filter(
                Q(review_status__in=self.counted),
                Q(Exists(pairings))
                | Q(Exists(self.project_rows().filter(collective=OuterRef("pk"))))
                | Q(Exists(employers))
            ),
            {"collectives_participating": None},
        )


def _figure(key, condition):
    """The aggregate of one figure over its source's rows."""
    summed = DEFINITIONS[key].summed
    if summed:
        return Sum(summed, filter=condition)
    return Count("pk", filter=condition)


def indicator_rows(key, *, user, period, include_submitted=False):
    """The rows indicator ``key`` counts for ``user`` over ``period`` (members, households,
    labor models, sessions, projects, ...): the figure is their number, or for an indicator
    with ``summed`` the sum of that field over them. Raises KeyError for an unknown key."""
    if key not in DEFINITIONS:
        raise KeyError(key)
    sources = _Sources(user=user, period=period, include_submitted=include_submitted)
    for source in sources.all():
        if key in source.figures:
            condition = source.figures[key]
            return source.rows if condition is None else source.rows.filter(condition)
    raise KeyError(key)


def indicator_figure(key, rows):
    """The figure of indicator ``key`` over ``rows`` (a queryset from ``indicator_rows``,
    perhaps narrowed further): their number, or the sum of the summed field. One query."""
    summed = DEFINITIONS[key].summed
    if not summed:
        return rows.count()
    total = rows.aggregate(total=Sum(summed))["total"] or 0
    return Decimal(total).quantize(Decimal("0.01")) if DEFINITIONS[key].money else total


def _in_counties(rows, counties, path="county"):
    return rows if counties is None else rows.filter(**{f"{path}__in": counties})


def compute_indicators(*, user, period, include_submitted=False, counties=None):
    """All indicators for the counties ``user`` may see (of them, only ``counties``, a list of
    county ids, when given), over ``period``: one grouped query per row source (13), whatever
    the number of records."""
    table = IndicatorTable(period=period)
    sources = _Sources(user=user, period=period, include_submitted=include_submitted)
    for source in sources.all():
        table.add(
            _in_counties(source.rows, counties).values("county")
            .annotate(
                **{key: _figure(key, condition) for key, condition in source.figures.items()}
            )
            .order_by()
        )
    return table


#
# Charts: monthly trends and breakdowns, under the same counting rules as the figures
#

TREND_MONTHS_AS_OF = 24  # an "as of" period has no start: its trend shows the last 24 months


def trend_months(period):
    """The first days of the months a trend over ``period`` shows, oldest first: the months
    of the period, or for an "as of" period the last ``TREND_MONTHS_AS_OF`` months."""
    last = period.end.replace(day=1)
    if period.start:
        first = period.start.replace(day=1)
    else:
        index = last.year * 12 + last.month - 1 - (TREND_MONTHS_AS_OF - 1)
        first = datetime.date(index // 12, index % 12 + 1, 1)
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _per_month(rows, months, date_field, value, county_path):
    """``value`` (an aggregate) of ``rows`` per county (``county_path``: the county of the
    thing counted) and month of ``date_field`` (a field or an annotation), one query;
    ``{county id: list aligned with months}``, 0 for a month without rows."""
    grouped = (
        rows.filter(**{f"{date_field}__gte": months[0]})
        .annotate(month=TruncMonth(date_field, output_field=DateField()))
        .values(county_path, "month")
        .annotate(value=value)
        .order_by()
    )
    found = defaultdict(dict)
    for row in grouped:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        found[row[county_path]][month] = row["value"] or 0
    return {
        county: [by_month.get(month, 0) for month in months]
        for county, by_month in found.items()
    }


TREND_KEYS = (
    "people_trained", "people_employed", "households_exited", "project_funds", "agreement_funds",
)


def sum_trends(months, trends):
    """The trends of several counties (``monthly_trend_by_county`` values) added up. Each
    person, household, project and agreement is counted in one county, so the sums are the
    figures of the counties together."""
    total = {"months": months}
    for key in TREND_KEYS:
        total[key] = [
            sum((trend[key][i] for trend in trends), 0) for i in range(len(months))
        ]
    return total


def monthly_trend(*, user, period, include_submitted=False):
    """Month by month over ``trend_months(period)``, for every county ``user`` may see
    together (see ``monthly_trend_by_county``)."""
    by_county = monthly_trend_by_county(
        user=user, period=period, include_submitted=include_submitted
    )
    return sum_trends(trend_months(period), list(by_county.values()))


def monthly_trend_by_county(*, user, period, include_submitted=False, counties=None):
    """Month by month over ``trend_months(period)``, per county (of those ``user`` may see;
    only ``counties`` when given): people trained for the first time (so over a whole period
    the months add up to the "people trained" figure), people who started a job, households
    that exited poverty, and funds of the projects started and agreements signed (yuan). Each
    is counted in the county of the person, household, project or agreement. Five queries.

    Returns ``{county id: {"people_trained": [...], "people_employed": [...],
    "households_exited": [...], "project_funds": [Decimal, ...], "agreement_funds": [...]}}``
    for the counties with any of them.
    """
    sources = _Sources(user=user, period=period, include_submitted=include_submitted)
    months = trend_months(period)
    # Each counted person's first attendance: one with no earlier attendance of the same
    # person (an anti-join; two sessions on the first day fall in the same month, and the
    # person is counted once by the distinct count).
    counted_attendance = TrainingAttendance.objects.filter(
        period.date_range("session__held_on"), session__review_status__in=sources.counted
    )
    earlier = counted_attendance.filter(
        member=OuterRef("member"), session__held_on__lt=OuterRef("session__held_on")
    )
    first_attendance = counted_attendance.filter(
        member__in=_in_counties(sources.members(), counties)
    ).exclude(Exists(earlier))
    jobs = _in_counties(Employment.objects.for_user(user), counties).filter(
        period.date_range("started_on"),
        period.not_archived("member__"),
        period.not_archived("member__household__"),
        review_status__in=sources.counted,
    )
    # Exits as the households' events date them: one that returned to poverty since still
    # exited in its month.
    exits = HouseholdEvent.objects.filter(
        period.date_range("on"),
        kind=HouseholdEvent.Kind.EXITED,
        household__in=_in_counties(Household.objects.for_user(user), counties).filter(
            period.not_archived()
        ),
    )
    series = {
        "people_trained": _per_month(
            first_attendance, months, "session__held_on", Count("member", distinct=True),
            "member__county",
        ),
        "people_employed": _per_month(
            jobs, months, "started_on", Count("member", distinct=True), "county"
        ),
        "households_exited": _per_month(
            exits, months, "on", Count("household", distinct=True), "household__county"
        ),
        "project_funds": _per_month(
            _in_counties(sources.projects().rows, counties), months, "started_on",
            Sum("funds"), "county",
        ),
        "agreement_funds": _per_month(
            _in_counties(sources.finance_agreements().rows, counties), months, "signed_on",
            Sum("funds"), "county",
        ),
    }
    by_county = {}
    for key, per_county in series.items():
        for county, values in per_county.items():
            trend = by_county.setdefault(county, {k: [0] * len(months) for k in TREND_KEYS})
            trend[key] = values
    return by_county


LEVEL_KEYS = ("labor_models", "labor_models_in_service_local", "labor_models_participating")


def breakdowns(*, user, period, include_submitted=False):
    """Labor models by honour level (all, in service and local, participating: the same rows
    and conditions as the figures) and pairings by "6+1" mode (running at some time in the
    period; and of them still running on its end), for every county ``user`` may see
    together; two queries.

    Returns ``{"honour_levels": [{"level", "label", "labor_models",
    "labor_models_in_service_local", "labor_models_participating"}, ...],
    "pairing_modes": [{"mode", "label", "pairings", "active"}, ...]}`` in choice order."""
    by_county = breakdowns_by_county(user=user, period=period, include_submitted=include_submitted)
    return sum_breakdowns(list(by_county.values()))


def breakdowns_by_county(*, user, period, include_submitted=False, counties=None):
    """``breakdowns`` per county (of those ``user`` may see; only ``counties`` when given):
    ``{county id: {"levels": {level: {key: n}}, "modes": {mode: {"pairings": n, "active":
    n}}}}`` for the counties with any. Two queries."""
    sources = _Sources(user=user, period=period, include_submitted=include_submitted)
    labor_models = sources.labor_models()
    by_county = defaultdict(lambda: {"levels": {}, "modes": {}})
    for row in (
        _in_counties(labor_models.rows, counties).values("county", "honour_level")
        .annotate(**{key: _figure(key, labor_models.figures[key]) for key in LEVEL_KEYS})
        .order_by()
    ):
        by_county[row.pop("county")]["levels"][row.pop("honour_level")] = row
    pairings = _in_counties(Pairing.objects.for_user(user), counties).filter(
        Q(household__isnull=True) | period.not_archived("household__"),
        _active_during(period),
        review_status__in=sources.counted,
    )
    # As Pairing.objects.active_on(period.end), as a condition.
    active_on_end = Q(start_date__lte=period.end) & (
        Q(end_date__isnull=True) | Q(end_date__gt=period.end)
    )
    for row in (
        pairings.values("county", "mode")
        .annotate(pairings=Count("pk"), active=Count("pk", filter=active_on_end))
        .order_by()
    ):
        by_county[row.pop("county")]["modes"][row.pop("mode")] = row
    return dict(by_county)


def sum_breakdowns(parts):
    """Several counties' ``breakdowns_by_county`` values added up, as ``breakdowns`` returns."""

    def total(section, choice, key):
        return sum(part[section].get(choice, {}).get(key, 0) for part in parts)

    return {
        "honour_levels": [
            {
                "level": level.value,
                "label": level.label,
                **{key: total("levels", level.value, key) for key in LEVEL_KEYS},
            }
            for level in HonourLevel
        ],
        "pairing_modes": [
            {
                "mode": mode.value,
                "label": mode.label,
                "pairings": total("modes", mode.value, "pairings"),
                "active": total("modes", mode.value, "active"),
            }
            for mode in PairingMode
        ],
    }


#
# Presentation of a figure
#

WAN = Decimal(10_000)
YI = Decimal(100_000_000)


def figure_parts(value, definition):
    """A figure as the article prints it, as (number, unit): money in 万元 with two decimals
    ("7,127.85", "万元"), or in 亿元 with one decimal from 1亿 ("4.1", "亿元"); counts with
    thousands separators and the indicator's unit ("27,438", "人")."""
    if definition.money:
        amount = Decimal(value or 0)
        if amount >= YI:
            number = (amount / YI).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            return f"{number:,}", _("亿元")
        return f"{in_wan(amount):,}", _("万元")
    return f"{value or 0:,}", definition.unit


def format_figure(value, definition):
    """A figure with its unit: "7,127.85 万元", "4.1 亿元", "27,438 人"."""
    number, unit = figure_parts(value, definition)
    return f"{number} {unit}"


def percent(part, whole):
    """``part`` as a percentage of ``whole`` to one decimal, rounded half up as the report
    prints it (1 of 80 is 1.3), or None when ``whole`` is 0. Every page, export and report
    shows a share with this."""
    if not whole:
        return None
    return round_percent(Decimal(part) * 100 / Decimal(whole))


def round_percent(value):
    """A percentage (a Decimal) to one decimal, half up."""
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def average_dividend(values):
    """The average yearly dividend per household (yuan, to the fen) of figures ``values``
    (``{key: value}``), or None without any dividend."""
    if not values["dividend_payments"]:
        return None
    return (Decimal(values["dividend_funds"]) / values["dividend_payments"]).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def in_wan(value):
    """Yuan as 万元 with two decimals (a Decimal), for tables and charts of money."""
    return (Decimal(value or 0) / WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# Yearly targets: how far each county is towards the targets the city union set for the year.

# A county is behind schedule when its completion is more than this many percentage points
# below the share of the year that has elapsed.
BEHIND_SCHEDULE_MARGIN = Decimal(10)


@dataclass(frozen=True)
class TargetProgress:
    """One county's progress towards its target for one indicator.

    ``percent`` is the value as a percentage of the target (None for a target of 0, which is
    met by definition); ``expected_percent`` the share of the target year elapsed by the end of
    the period (days elapsed / days in the year, as a percentage); ``behind`` whether
    ``percent`` is more than ``BEHIND_SCHEDULE_MARGIN`` points below ``expected_percent``.
    """

    county: object
    definition: IndicatorDefinition
    value: object
    target: Decimal
    percent: Decimal | None
    expected_percent: Decimal
    behind: bool

    @property
    def key(self):
        return self.definition.key


def year_elapsed_share(year, end):
    """The share (0 to 1) of ``year`` elapsed by the end of the day ``end``: 0 before the year,
    1 after it. 2018-07-02 is day 183 of 365."""
    first = datetime.date(year, 1, 1)
    days_in_year = (datetime.date(year + 1, 1, 1) - first).days
    elapsed = min(max((end - first).days + 1, 0), days_in_year)
    return Decimal(elapsed) / Decimal(days_in_year)


def year_to_date(end):
    """The period a yearly target is measured over: from 1 January of ``end``'s year to
    ``end`` (stock figures such as the labor models are counted as of ``end`` anyway)."""
    return Period(start=datetime.date(end.year, 1, 1), end=end)


def target_progress(*, user, year, table):
    """Progress towards the targets of ``year`` that ``user`` may see (county staff their own
    county's, the city every county's), measured by ``table`` (a ``compute_indicators`` result,
    normally for ``year_to_date``). Its period's end decides how much of the year has elapsed,
    but never later than today: nothing can have happened yet in the rest of a year still
    running. One entry per county and indicator with a target, by county code then in the
    order of ``INDICATORS``. One query."""
    from django.utils import timezone

    from cases.models import IndicatorTarget

    order = {definition.key: index for index, definition in enumerate(INDICATORS)}
    measured_to = min(table.period.end, timezone.localdate())
    expected = year_elapsed_share(year, measured_to) * 100
    targets = (
        IndicatorTarget.objects.for_user(user)
        .filter(year=year, indicator__in=order)
        .select_related("county")
    )
    progress = []
    for target in sorted(targets, key=lambda t: (t.county.code, order[t.indicator])):
        value = table.value(target.county_id, target.indicator)
        # Compared unrounded; shown to one decimal.
        share = Decimal(value) * 100 / target.target if target.target > 0 else None
        progress.append(
            TargetProgress(
                county=target.county,
                definition=DEFINITIONS[target.indicator],
                value=value,
                target=target.target,
                percent=None if share is None else round_percent(share),
                expected_percent=round_percent(expected),
                behind=share is not None and share < expected - BEHIND_SCHEDULE_MARGIN,
            )
        )
    return progress
