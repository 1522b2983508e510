"""How each indicator (``definitions.py``) is counted from the records (docs/figures.md).

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
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import HonourLevel, ReviewStatus
from cases.indicators.definitions import DEFINITIONS, INDICATORS, SOURCES
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
# drill-down list applies (through ``IndicatorSources``), shown as written here on the
# dashboard's help page (docs/figures.md says the same).
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


def active_during(period, prefix=""):
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
    """The rows behind the indicators declared with one source: ``rows`` holds every row any of
    them counts, and ``conditions`` the named conditions (``Q``) their declarations pick their
    rows out of ``rows`` with."""

    rows: object
    conditions: dict = field(default_factory=dict)


class IndicatorSources:
    """The row sources of every indicator for one user, period and review rule. Building them
    runs no query; each is evaluated only when aggregated or listed."""

    def __init__(self, *, user, period, include_submitted):
        self.user = user
        self.period = period
        self.counted = _statuses(include_submitted)

    def all(self):
        """Every source's figures, as ``figures`` returns them."""
        return [self.figures(name) for name in SOURCES]

    def figures(self, name):
        """The rows of source ``name`` and, for each indicator declared with it, the condition
        that picks its rows out of them (None: all of them): ``(rows, {key: condition})``."""
        source = getattr(self, name)()
        conditions = {None: None, **source.conditions}
        return source.rows, {
            definition.key: conditions[definition.condition] for definition in SOURCES[name]
        }

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
                "national": Q(honour_level=HonourLevel.NATIONAL),
                "provincial": Q(honour_level=HonourLevel.PROVINCIAL),
                "city": Q(honour_level=HonourLevel.CITY),
                "county": Q(honour_level=HonourLevel.COUNTY),
                "in_service_local": in_service_local,
                "participating": in_service_local & Q(Exists(participating)),
            },
        )

    def training_sessions(self):
        return RowSource(self.sessions().for_user(self.user))

    def people_trained(self):
        attended = self.attended()
        exited = _exited_after(attended, "session__held_on", self.period)
        return RowSource(
            self.members().filter(Exists(attended)), {"exited": exited}
        )

    def households_trained(self):
        """Households with a member trained (the article's 汝南县: 2,731), and of them those
        that took up an industry by the period's end (1,744 planting or breeding)."""
        trained_members = self.members().filter(Exists(self.attended()), household=OuterRef("pk"))
        return RowSource(
            Household.objects.for_user(self.user).filter(
                Exists(trained_members), self.period.not_archived()
            ),
            {"industry": Q(industry__isnull=False, industry_since__lte=self.period.end)},
        )

    def projects(self):
        return RowSource(
            self.project_rows().for_user(self.user),
            {
                "by_enterprise": Q(enterprise__isnull=False),
                "by_collective": Q(collective__isnull=False),
            },
        )

    def workshops(self):
        return RowSource(
            Workshop.objects.for_user(self.user).filter(
                self.period.date_range("opened_on"), review_status__in=self.counted
            )
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
            self.members().filter(Exists(benefits)), {"exited": exited}
        )

    def finance_enterprises(self):
        return RowSource(
            Enterprise.objects.for_user(self.user).filter(
                Exists(self.agreement_rows().filter(enterprise=OuterRef("pk"))),
                review_status__in=self.counted,
            )
        )

    def finance_households(self):
        # An agreement belongs to its household's county, so this groups as the agreements do.
        return RowSource(
            Household.objects.for_user(self.user).filter(
                Exists(self.agreement_rows().filter(household=OuterRef("pk"))),
                self.period.not_archived(),
            )
        )

    def finance_agreements(self):
        return RowSource(self.agreement_rows().for_user(self.user))

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
            )
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
                "stable": stable,
                "by_collective": by_collective,
                "collective_job_then_exited": exited,
            },
        )

    def volunteer_teams(self):
        return RowSource(
            VolunteerTeam.objects.for_user(self.user).filter(
                review_status__in=self.counted, founded_on__lte=self.period.end
            )
        )

    def volunteer_events(self):
        return RowSource(
            VolunteerEvent.objects.for_user(self.user).filter(
                self.period.date_range("held_on"), review_status__in=self.counted
            )
        )

    def collectives(self):
        pairings = Pairing.objects.filter(
            active_during(self.period), collective=OuterRef("pk"), review_status__in=self.counted
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
            )
        )


def figure_aggregate(key, condition):
    """The aggregate of one figure over its source's rows."""
    summed = DEFINITIONS[key].summed
    if summed:
        return Sum(summed, filter=condition)
    return Count("pk", filter=condition)


def indicator_rows(key, *, user, period, include_submitted=False):
    """The rows indicator ``key`` counts for ``user`` over ``period`` (members, households,
    labor models, sessions, projects, ...): the figure is their number, or for an indicator
    with ``summed`` the sum of that field over them. Raises KeyError for an unknown key."""
    definition = DEFINITIONS[key]
    sources = IndicatorSources(user=user, period=period, include_submitted=include_submitted)
    rows, figures = sources.figures(definition.source)
    condition = figures[key]
    return rows if condition is None else rows.filter(condition)


def indicator_figure(key, rows):
    """The figure of indicator ``key`` over ``rows`` (a queryset from ``indicator_rows``,
    perhaps narrowed further): their number, or the sum of the summed field. One query."""
    summed = DEFINITIONS[key].summed
    if not summed:
        return rows.count()
    total = rows.aggregate(total=Sum(summed))["total"] or 0
    return Decimal(total).quantize(Decimal("0.01")) if DEFINITIONS[key].money else total


def in_counties(rows, counties, path="county"):
    return rows if counties is None else rows.filter(**{f"{path}__in": counties})


def compute_indicators(*, user, period, include_submitted=False, counties=None):
    """All indicators for the counties ``user`` may see (of them, only ``counties``, a list of
    county ids, when given), over ``period``: one grouped query per row source (13), whatever
    the number of records."""
    table = IndicatorTable(period=period)
    sources = IndicatorSources(user=user, period=period, include_submitted=include_submitted)
    for rows, figures in sources.all():
        table.add(
            in_counties(rows, counties).values("county")
            .annotate(
                **{key: figure_aggregate(key, condition) for key, condition in figures.items()}
            )
            .order_by()
        )
    return table
