"""The programme's indicators (../shared/domain.md), computed from the records.

Every figure is a database aggregate grouped by county, one query per group of related
figures, so the cost does not depend on how many records there are in Python. A person or
household is counted once per indicator however many records it has. Only approved records
count (optionally also submitted ones); archived households and members never count.

Each figure is counted in the county of the thing counted (the member's household, the labor
model, the enterprise, ...), so the city total is exactly the sum of the county figures.

"Of them exited": the beneficiary's household has status 已脱贫 with an exit date on or after
the help began (the first training, project or job in the period) and not after the period's end.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext_lazy as _

from cases.choices import HonourLevel, PovertyStatus, ReviewStatus
from cases.models import (
    AdvancedCollective,
    Employment,
    Enterprise,
    FinanceAgreement,
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


@dataclass(frozen=True)
class IndicatorDefinition:
    key: str
    label: str
    unit: str
    money: bool = False


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
    IndicatorDefinition("enterprise_projects", _("依托劳模企业共建产业扶贫项目"), _("个")),
    IndicatorDefinition("enterprise_project_funds", _("产业扶贫项目投入帮扶资金"), _("元"), True),
    IndicatorDefinition("workshops", _("进驻扶贫车间"), _("个")),
    IndicatorDefinition("project_beneficiaries", _("带动建档立卡受益贫困人口"), _("人")),
    IndicatorDefinition("project_beneficiaries_exited", _("其中已经脱贫"), _("人")),
    IndicatorDefinition("finance_enterprises", _("签订带贫协议的劳模企业和合作社"), _("个")),
    IndicatorDefinition("finance_households", _("签订金融扶贫带贫协议的贫困家庭"), _("户")),
    IndicatorDefinition("finance_funds", _("带贫协议资金"), _("元"), True),
    IndicatorDefinition("stable_employed", _("实现稳定就业的贫困人口"), _("人")),
    IndicatorDefinition("volunteer_teams", _("劳模志愿服务队"), _("个")),
    IndicatorDefinition("volunteer_events", _("志愿服务宣传活动"), _("场次")),
    IndicatorDefinition("volunteer_beneficiaries", _("志愿服务受益贫困人口"), _("人次")),
    IndicatorDefinition("collectives_participating", _("参与脱贫攻坚的先进集体"), _("个")),
    IndicatorDefinition("collective_projects", _("先进集体帮扶项目"), _("个")),
    IndicatorDefinition("collective_project_funds", _("先进集体投入帮扶资金"), _("元"), True),
    IndicatorDefinition("collective_employed", _("先进集体吸纳贫困就业人员"), _("人")),
    IndicatorDefinition("collective_employed_exited", _("其中已实现脱贫"), _("人")),
]
DEFINITIONS = {definition.key: definition for definition in INDICATORS}


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


def _exited_after(help_exists):
    """Members whose household exited on or after a help record (``help_exists``, a queryset
    correlated on the member and bounded by ``OuterRef('household__exit_date')``)."""
    return Q(Exists(help_exists), household__status=PovertyStatus.EXITED)


def compute_indicators(*, user, period, include_submitted=False):
    """All indicators for the counties ``user`` may see, over ``period``."""
    counted = _statuses(include_submitted)
    table = IndicatorTable(period=period)
    members = Member.objects.for_user(user).filter(
        archived_at__isnull=True, household__archived_at__isnull=True
    )

    # Labor models: a stock, counted when awarded by the end of the period.
    participating = Pairing.objects.filter(
        labor_model=OuterRef("pk"), review_status__in=counted
    ).active_on(period.end)
    table.add(
        LaborModel.objects.for_user(user)
        .filter(review_status__in=counted, year_awarded__lte=period.end.year)
        .values("county")
        .annotate(
            labor_models=Count("pk"),
            labor_models_national=Count("pk", filter=Q(honour_level=HonourLevel.NATIONAL)),
            labor_models_provincial=Count("pk", filter=Q(honour_level=HonourLevel.PROVINCIAL)),
            labor_models_city=Count("pk", filter=Q(honour_level=HonourLevel.CITY)),
            labor_models_county=Count("pk", filter=Q(honour_level=HonourLevel.COUNTY)),
            labor_models_in_service_local=Count("pk", filter=Q(in_service=True, is_local=True)),
            labor_models_participating=Count(
                "pk", filter=Q(Exists(participating), in_service=True, is_local=True)
            ),
        )
        .order_by()
    )

    sessions = TrainingSession.objects.filter(review_status__in=counted).filter(
        period.date_range("held_on")
    )
    table.add(
        sessions.for_user(user).values("county").annotate(training_sessions=Count("pk")).order_by()
    )
    attended = TrainingAttendance.objects.filter(member=OuterRef("pk"), session__in=sessions)
    table.add(
        members.filter(Exists(attended))
        .values("county")
        .annotate(
            people_trained=Count("pk"),
            people_trained_exited=Count(
                "pk",
                filter=_exited_after(
                    attended.filter(session__held_on__lte=OuterRef("household__exit_date"))
                )
                & Q(household__exit_date__lte=period.end),
            ),
        )
        .order_by()
    )

    projects = IndustryProject.objects.filter(review_status__in=counted).filter(
        period.date_range("started_on")
    )
    table.add(
        projects.for_user(user)
        .values("county")
        .annotate(
            enterprise_projects=Count("pk", filter=Q(enterprise__isnull=False)),
            enterprise_project_funds=Sum("funds", filter=Q(enterprise__isnull=False)),
            collective_projects=Count("pk", filter=Q(collective__isnull=False)),
            collective_project_funds=Sum("funds", filter=Q(collective__isnull=False)),
        )
        .order_by()
    )
    table.add(
        Workshop.objects.for_user(user)
        .filter(period.date_range("opened_on"), review_status__in=counted)
        .values("county")
        .annotate(workshops=Count("pk"))
        .order_by()
    )
    benefits = ProjectBeneficiary.objects.filter(
        period.date_range("since"),
        member=OuterRef("pk"),
        project__in=projects.filter(enterprise__isnull=False),
    )
    table.add(
        members.filter(Exists(benefits))
        .values("county")
        .annotate(
            project_beneficiaries=Count("pk"),
            project_beneficiaries_exited=Count(
                "pk",
                filter=_exited_after(benefits.filter(since__lte=OuterRef("household__exit_date")))
                & Q(household__exit_date__lte=period.end),
            ),
        )
        .order_by()
    )

    agreements = FinanceAgreement.objects.filter(
        period.date_range("signed_on"),
        review_status__in=counted,
        household__archived_at__isnull=True,
    )
    table.add(
        Enterprise.objects.for_user(user)
        .filter(Exists(agreements.filter(enterprise=OuterRef("pk"))))
        .values("county")
        .annotate(finance_enterprises=Count("pk"))
        .order_by()
    )
    table.add(
        agreements.for_user(user)
        .values("county")
        .annotate(
            finance_households=Count("household", distinct=True), finance_funds=Sum("funds")
        )
        .order_by()
    )

    stable_jobs = Employment.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=period.end),
        member=OuterRef("pk"),
        review_status__in=counted,
        is_stable=True,
        started_on__lte=period.end,
    )
    collective_jobs = Employment.objects.filter(
        period.date_range("started_on"),
        member=OuterRef("pk"),
        review_status__in=counted,
        collective__isnull=False,
    )
    table.add(
        members.filter(Q(Exists(stable_jobs)) | Q(Exists(collective_jobs)))
        .values("county")
        .annotate(
            stable_employed=Count("pk", filter=Q(Exists(stable_jobs))),
            collective_employed=Count("pk", filter=Q(Exists(collective_jobs))),
            collective_employed_exited=Count(
                "pk",
                filter=_exited_after(
                    collective_jobs.filter(started_on__lte=OuterRef("household__exit_date"))
                )
                & Q(household__exit_date__lte=period.end),
            ),
        )
        .order_by()
    )

    table.add(
        VolunteerTeam.objects.for_user(user)
        .filter(review_status__in=counted, founded_on__lte=period.end)
        .values("county")
        .annotate(volunteer_teams=Count("pk"))
        .order_by()
    )
    table.add(
        VolunteerEvent.objects.for_user(user)
        .filter(period.date_range("held_on"), review_status__in=counted)
        .values("county")
        .annotate(volunteer_events=Count("pk"), volunteer_beneficiaries=Sum("beneficiaries"))
        .order_by()
    )

    collective_pairings = Pairing.objects.filter(
        _active_during(period), collective=OuterRef("pk"), review_status__in=counted
    )
    collective_employers = Employment.objects.filter(
        period.date_range("started_on"), collective=OuterRef("pk"), review_status__in=counted
    )
    table.add(
        AdvancedCollective.objects.for_user(user)
        .filter(
            Q(Exists(collective_pairings))
            | Q(Exists(projects.filter(collective=OuterRef("pk"))))
            | Q(Exists(collective_employers))
        )
        .values("county")
        .annotate(collectives_participating=Count("pk"))
        .order_by()
    )
    return table
