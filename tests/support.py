"""Builders and helpers shared by the test modules: imported from here, never copied.

Fixtures shared by several modules (``clerk_client``, ``village_a``, ``household``, ``w``
and the counties and users) are in tests/conftest.py; the walk over every route in
tests/routes.py; model factories in tests/factories.py; import files in
tests/import_files.py.
"""

import datetime
import html
import re
import runpy
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases import models
from cases.choices import (
    AidKind,
    CollectiveHonour,
    EnterpriseKind,
    FinanceModel,
    HonourLevel,
    PairingMode,
    PovertyStatus,
    ReviewStatus,
    VolunteerEventKind,
)
from cases.indicators import DEFINITIONS
from cases.kinds import KINDS
from cases.services import record_submit
from cases.validators import build_resident_id
from imports.models import ImportRun, ImportStatus
from tests import factories as f
from tests.factories import (
    AdvancedCollectiveFactory,
    DividendPaymentFactory,
    EmploymentFactory,
    EnterpriseFactory,
    FinanceAgreementFactory,
    HouseholdFactory,
    HouseholdVisitFactory,
    IndustryProjectFactory,
    LaborModelFactory,
    MaterialAidFactory,
    MemberFactory,
    PairingFactory,
    ProjectBeneficiaryFactory,
    ReviewEventFactory,
    TownshipFactory,
    TrainingAttendanceFactory,
    TrainingSessionFactory,
    VillageFactory,
    VolunteerEventFactory,
    VolunteerTeamFactory,
    WorkshopFactory,
    expertise_field,
)

#
# Signing in, and posting as the pages do
#


def verify_second_factor(client, user):
    """Marks the client's session as having passed a TOTP code (as django_otp.login does), for
    tests that are about something else than the login; returns the user's confirmed device."""
    device, _ = TOTPDevice.objects.get_or_create(user=user, defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def export(client, url, data, **extra):
    """Starts an export as the pages' buttons do: ``export`` (or the register's ``format``) is
    posted to the page's URL, whose query string carries the rest of ``data``."""
    query = dict(data)
    posted = {key: query.pop(key) for key in ("export", "format") if key in query}
    target = f"{url}?{urlencode(query, doseq=True)}" if query else url
    return client.post(target, posted, **extra)


def sign_in(client, user):
    """Logs the client in as ``user``; an administrator also passes the second factor, without
    which the portal shows administrators nothing (accounts.middleware)."""
    client.force_login(user)
    if user.is_administrator:
        verify_second_factor(client, user)
    return client


def login(user):
    """A new client, signed in as ``user``."""
    return sign_in(Client(), user)


#
# Records of a county
#


def village_in(county):
    return VillageFactory(township=TownshipFactory(county=county))


def household_in(county, **kwargs):
    return HouseholdFactory(village__township__county=county, **kwargs)


def member_in(county, **kwargs):
    return MemberFactory(household=household_in(county), **kwargs)


def set_status(record, status):
    """Puts ``record`` in review status ``status`` without going through the review."""
    type(record).objects.filter(pk=record.pk).update(review_status=status)
    record.refresh_from_db()


def submitted_household(county, clerk, **kwargs):
    """A household of ``county``, submitted for review by ``clerk``."""
    household = HouseholdFactory(village__township__county=county, **kwargs)
    return record_submit(record=household, user=clerk)


def return_record(record, reviewer, comment):
    """What the city's record_return does: mark the record returned, with a comment."""
    set_status(record, ReviewStatus.RETURNED)
    return ReviewEventFactory(record=record, action="returned", comment=comment, user=reviewer)


#
# The dashboard: records every indicator counts, and the figures' drill-down lists
#

AS_OF = datetime.date(2018, 8, 31)
AS_OF_PARAMS = {"period": "as_of", "as_of": "2018-08-31"}
DASHBOARD = reverse("cases:dashboard")
LEVELS = list(HonourLevel)
MODES = list(PairingMode)
APPROVED = ReviewStatus.APPROVED
CARD_LINK = re.compile(r'href="([^"]+)" data-indicator="(\w+)"')


def build_records(county, n):
    """``n`` of each kind of record in ``county``, every one counted by some indicator as of
    AS_OF, plus records that must not count (a draft project, a session awaiting review, an
    archived household's trainee)."""
    for i in range(n):
        model = LaborModelFactory(
            county=county, honour_level=LEVELS[i % 4], review_status=APPROVED
        )
        household = HouseholdFactory(
            village__township__county=county,
            status=PovertyStatus.EXITED,
            exit_date=datetime.date(2018, 6, 1),
            review_status=APPROVED,
            industry=expertise_field(),
            industry_since=datetime.date(2018, 5, 1),
        )
        member = MemberFactory(household=household)
        other = MemberFactory(household__village__township__county=county)
        PairingFactory(
            labor_model=model, household=household, mode=MODES[i % 7], review_status=APPROVED
        )
        session = TrainingSessionFactory(
            county=county, labor_model=model, held_on=datetime.date(2018, 3, 1),
            review_status=APPROVED,
        )
        TrainingAttendanceFactory(session=session, member=member)
        TrainingAttendanceFactory(session=session, member=other)
        enterprise = EnterpriseFactory(county=county, review_status=APPROVED)
        project = IndustryProjectFactory(
            county=county, enterprise=enterprise, funds="1234567.89",
            started_on=datetime.date(2018, 2, 1), review_status=APPROVED,
        )
        ProjectBeneficiaryFactory(project=project, member=member)
        WorkshopFactory(enterprise=enterprise, project=project, review_status=APPROVED)
        agreement = FinanceAgreementFactory(
            enterprise=enterprise, household=household, funds="250000.50", review_status=APPROVED
        )
        DividendPaymentFactory(
            agreement=agreement, year=2017, amount="2100.00", paid_on=datetime.date(2018, 1, 20),
            review_status=APPROVED,
        )
        EmploymentFactory(member=other, enterprise=enterprise, review_status=APPROVED)
        collective = AdvancedCollectiveFactory(county=county, review_status=APPROVED)
        IndustryProjectFactory(
            county=county, enterprise=None, collective=collective, funds="80000.00",
            review_status=APPROVED,
        )
        EmploymentFactory(
            member=member, enterprise=None, collective=collective, is_stable=False,
            started_on=datetime.date(2018, 5, 1), review_status=APPROVED,
        )
        team = VolunteerTeamFactory(county=county, leader=model, review_status=APPROVED)
        VolunteerEventFactory(team=team, beneficiaries=40 + i, review_status=APPROVED)
        # Not counted: a draft project, a session awaiting review, an archived trainee.
        IndustryProjectFactory(county=county, enterprise=enterprise)
        TrainingAttendanceFactory(
            session=TrainingSessionFactory(county=county, review_status=ReviewStatus.SUBMITTED),
            member=MemberFactory(household__village__township__county=county),
        )
        archived = MemberFactory(household__village__township__county=county)
        archived.household.archived_at = timezone.now()
        archived.household.save()
        TrainingAttendanceFactory(session=session, member=archived)


def card_links(content):
    """{indicator key: the URL its figure links to} on a dashboard page."""
    return {key: html.unescape(url) for url, key in CARD_LINK.findall(content)}


def listed_figure(client, url, key):
    """Follows a figure's link; the list's row count, or the sum of the summed field over all
    its rows (added up here, from the rows themselves), and the response."""
    response = client.get(url)
    assert response.status_code == 200, url
    table = response.context["table"]
    definition = DEFINITIONS[key]
    if definition.summed:
        rows = table.data.data
        total = sum((getattr(row, definition.summed) for row in rows), Decimal(0))
        return (total if definition.money else int(total)), response
    return table.paginator.count, response


#
# Imports
#


def person(n):
    """The ``n``-th resident ID number of a person of 汝南县 born on 1966-06-06."""
    return build_resident_id("411727", datetime.date(1966, 6, 6), n)


def run_import(client, kind, data, name="file.xlsx", confirm=True):
    """Uploads ``data`` as an import of ``kind`` and, if it validated and ``confirm``, confirms
    it; the run."""
    response = client.post(
        reverse("imports:index"), {"kind": kind, "file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    run = ImportRun.objects.latest("pk")
    if confirm and run.status == ImportStatus.VALIDATED:
        client.post(reverse("imports:run_confirm", args=[run.pk]))
        run.refresh_from_db()
    return run


#
# The lists of the record kinds (cases.kinds): the view a route runs, one way to make a row of
# each list, showing
# ``label`` on the page, and a filter that keeps it
#


def view_for(path):
    """The view instance ``path`` runs, as Django builds it for a request (before ``setup``):
    a record kind's list or form page reads its model, form, FilterSet and table from the
    kind its route gives it, so they are read from an instance, not from the class."""
    view = resolve(path).func
    return view.view_class(**view.view_initkwargs)


def make_household(county, label, **kwargs):
    return household_in(county, head_name=label, **kwargs)


def make_member(county, label, **kwargs):
    return member_in(county, name=label, **kwargs)


def make_labormodel(county, label, **kwargs):
    return LaborModelFactory(county=county, name=label, **kwargs)


def make_advancedcollective(county, label, **kwargs):
    return AdvancedCollectiveFactory(county=county, name=label, **kwargs)


def make_enterprise(county, label, **kwargs):
    return EnterpriseFactory(county=county, name=label, **kwargs)


def make_volunteerteam(county, label, **kwargs):
    return VolunteerTeamFactory(county=county, name=label, **kwargs)


def make_pairing(county, label, **kwargs):
    if "household" not in kwargs:
        kwargs["household"] = household_in(county)
    helper = LaborModelFactory(county=county, name=label)
    return PairingFactory(county=county, labor_model=helper, **kwargs)


def make_trainingsession(county, label, **kwargs):
    return TrainingSessionFactory(county=county, topic=label, **kwargs)


def make_industryproject(county, label, **kwargs):
    return IndustryProjectFactory(county=county, name=label, **kwargs)


def make_workshop(county, label, **kwargs):
    return WorkshopFactory(enterprise=EnterpriseFactory(county=county), name=label, **kwargs)


def make_financeagreement(county, label, **kwargs):
    return FinanceAgreementFactory(household=household_in(county, head_name=label), **kwargs)


def make_dividendpayment(county, label, **kwargs):
    agreement = FinanceAgreementFactory(household=household_in(county, head_name=label))
    return DividendPaymentFactory(agreement=agreement, **kwargs)


def make_employment(county, label, **kwargs):
    return EmploymentFactory(member=member_in(county, name=label), **kwargs)


def make_volunteerevent(county, label, **kwargs):
    return VolunteerEventFactory(team=VolunteerTeamFactory(county=county), title=label, **kwargs)


def make_materialaid(county, label, **kwargs):
    return MaterialAidFactory(household=household_in(county, head_name=label), **kwargs)


def make_householdvisit(county, label, **kwargs):
    return HouseholdVisitFactory(household=household_in(county, head_name=label), **kwargs)


@dataclass
class FilterCase:
    """Query parameters, and the keyword arguments of a row they keep and of one they drop."""

    params: dict
    kept: dict
    dropped: dict


@dataclass
class ListSpec:
    name: str
    make: object
    filter_case: FilterCase
    has_date: bool = True

    @property
    def url(self):
        return reverse(f"cases:{self.name}_list")


LIST_CASES = [
    ListSpec(
        "labormodel", make_labormodel,
        FilterCase(
            {"honour_level": HonourLevel.NATIONAL},
            {"honour_level": HonourLevel.NATIONAL},
            {"honour_level": HonourLevel.CITY},
        ),
        has_date=False,
    ),
    ListSpec(
        "advancedcollective", make_advancedcollective,
        FilterCase(
            {"honour": CollectiveHonour.MAY_DAY_AWARD},
            {"honour": CollectiveHonour.MAY_DAY_AWARD},
            {"honour": CollectiveHonour.WORKER_PIONEER},
        ),
        has_date=False,
    ),
    ListSpec(
        "enterprise", make_enterprise,
        FilterCase(
            {"kind": EnterpriseKind.COOPERATIVE},
            {"kind": EnterpriseKind.COOPERATIVE},
            {"kind": EnterpriseKind.ENTERPRISE},
        ),
        has_date=False,
    ),
    ListSpec(
        "volunteerteam", make_volunteerteam,
        FilterCase(
            {"founded_after": "2018-01-01"},
            {"founded_on": datetime.date(2018, 3, 1)},
            {"founded_on": datetime.date(2016, 3, 1)},
        ),
    ),
    ListSpec(
        "pairing", make_pairing,
        FilterCase(
            {"active_on": "2018-08-31"},
            {"start_date": datetime.date(2018, 6, 1)},
            {"start_date": datetime.date(2017, 6, 1), "end_date": datetime.date(2018, 7, 1)},
        ),
    ),
    ListSpec(
        "trainingsession", make_trainingsession,
        FilterCase(
            {"held_after": "2018-01-01", "held_before": "2018-12-31"},
            {"held_on": datetime.date(2018, 5, 10)},
            {"held_on": datetime.date(2017, 5, 10)},
        ),
    ),
    ListSpec(
        "industryproject", make_industryproject,
        FilterCase({"funds_min": "100000"}, {"funds": "500000.00"}, {"funds": "99999.99"}),
    ),
    ListSpec(
        "workshop", make_workshop,
        FilterCase(
            {"review_status": ReviewStatus.APPROVED},
            {"review_status": ReviewStatus.APPROVED},
            {"review_status": ReviewStatus.DRAFT},
        ),
    ),
    ListSpec(
        "financeagreement", make_financeagreement,
        FilterCase(
            {"model": FinanceModel.LAND_TRANSFER},
            {"model": FinanceModel.LAND_TRANSFER},
            {"model": FinanceModel.EQUITY_DIVIDEND},
        ),
    ),
    ListSpec(
        "dividendpayment", make_dividendpayment,
        FilterCase({"amount_min": "2000"}, {"amount": "2500.00"}, {"amount": "1500.00"}),
    ),
    ListSpec(
        "employment", make_employment,
        FilterCase({"is_stable": "true"}, {"is_stable": True}, {"is_stable": False}),
    ),
    ListSpec(
        "volunteerevent", make_volunteerevent,
        FilterCase(
            {"kind": VolunteerEventKind.CAMPAIGN},
            {"kind": VolunteerEventKind.CAMPAIGN},
            {"kind": VolunteerEventKind.POLICY_TALK},
        ),
    ),
    ListSpec(
        "materialaid", make_materialaid,
        FilterCase(
            {"given_after": "2018-01-01", "kind": AidKind.CASH},
            {"given_on": datetime.date(2018, 2, 1), "kind": AidKind.CASH},
            {"given_on": datetime.date(2018, 2, 1), "kind": AidKind.VISIT},
        ),
    ),
    ListSpec(
        "householdvisit", make_householdvisit,
        FilterCase(
            {"visited_after": "2018-03-01"},
            {"visited_on": datetime.date(2018, 3, 5)},
            {"visited_on": datetime.date(2018, 2, 1)},
        ),
    ),
]
# Every kind's list with a county column, in the registry's order: a kind without its case
# here stops the suite at import.
LISTS = [
    {spec.name: spec for spec in LIST_CASES}[kind.name]
    for kind in KINDS if kind.has_county_column
]
LIST_IDS = [spec.name for spec in LISTS]


# The builders above by model name.
MAKERS = {
    "household": make_household,
    "member": make_member,
    "labormodel": make_labormodel,
    "advancedcollective": make_advancedcollective,
    "enterprise": make_enterprise,
    "volunteerteam": make_volunteerteam,
    "pairing": make_pairing,
    "trainingsession": make_trainingsession,
    "industryproject": make_industryproject,
    "workshop": make_workshop,
    "financeagreement": make_financeagreement,
    "dividendpayment": make_dividendpayment,
    "employment": make_employment,
    "volunteerevent": make_volunteerevent,
    "materialaid": make_materialaid,
    "householdvisit": make_householdvisit,
}


#
# Two counties with a row of everything a form may choose
#


def county_rows(county):
    member = f.MemberFactory(household__village__township__county=county)
    household = member.household
    enterprise = f.EnterpriseFactory(county=county)
    return SimpleNamespace(
        county=county,
        member=member,
        household=household,
        village=household.village,
        labor_model=f.LaborModelFactory(county=county),
        enterprise=enterprise,
        collective=f.AdvancedCollectiveFactory(county=county),
        team=f.VolunteerTeamFactory(county=county),
        workshop=f.WorkshopFactory(enterprise=enterprise),
        project=f.IndustryProjectFactory(
            county=county, enterprise=enterprise, village=household.village
        ),
    )


#
# Record forms: one description per kind of record
#


@dataclass
class Spec:
    model: type
    # valid POST values (county A's choices) for a new record
    data: Callable
    # an existing county A record
    make: Callable
    # where the page goes after saving ``record``
    redirect: Callable
    # choice field → the POST changes that pick county B's row for it
    foreign: dict = field(default_factory=dict)
    # a field two clerks both change, and the values they type
    edit_field: str = "name"
    edit_values: tuple = ("对方的修改", "我的修改")

    @property
    def name(self):
        return self.model._meta.model_name

    def __str__(self):
        return self.name

    def edit_change(self, value):
        return {self.edit_field: value}


def household_page(record):
    return reverse("cases:household_detail", args=[record.household_id])


def own_page(record):
    return record.get_absolute_url()


def expertise():
    return f.expertise_field().pk


# What the create and edit pages of each kind of record take (tests/test_records.py).
FORM_SPECS = [
    Spec(
        models.LaborModel,
        data=lambda w: {
            "name": "新劳模", "sex": "M", "honour_level": "city", "honour_title": "labor_model",
            "year_awarded": "2012", "in_service": "on", "is_local": "on",
            "expertise": [expertise()],
        },
        make=lambda w: f.LaborModelFactory(county=w.a.county),
        redirect=own_page,
        edit_field="employer",
    ),
    Spec(
        models.AdvancedCollective,
        data=lambda w: {"name": "新集体", "honour": "worker_pioneer", "year_awarded": "2015"},
        make=lambda w: f.AdvancedCollectiveFactory(county=w.a.county),
        redirect=own_page,
        edit_field="contact_person",
    ),
    Spec(
        models.Enterprise,
        data=lambda w: {"name": "新企业", "kind": "enterprise", "leader": w.a.labor_model.pk},
        make=lambda w: f.EnterpriseFactory(county=w.a.county),
        redirect=own_page,
        foreign={"leader": lambda w: {"leader": w.b.labor_model.pk}},
        edit_field="address",
    ),
    Spec(
        models.VolunteerTeam,
        data=lambda w: {
            "name": "新服务队", "field": "agriculture", "leader": w.a.labor_model.pk,
            "founded_on": "2017-05-01",
        },
        make=lambda w: f.VolunteerTeamFactory(county=w.a.county, leader=w.a.labor_model),
        redirect=own_page,
        foreign={"leader": lambda w: {"leader": w.b.labor_model.pk}},
    ),
    Spec(
        models.Workshop,
        data=lambda w: {
            "name": "新车间", "enterprise": w.a.enterprise.pk, "project": w.a.project.pk,
            "village": w.a.village.pk, "opened_on": "2018-04-01",
        },
        make=lambda w: f.WorkshopFactory(enterprise=w.a.enterprise),
        redirect=own_page,
        foreign={
            "enterprise": lambda w: {"enterprise": w.b.enterprise.pk},
            "project": lambda w: {"project": w.b.project.pk},
            "village": lambda w: {"village": w.b.village.pk},
        },
    ),
    Spec(
        models.Pairing,
        data=lambda w: {
            "labor_model": w.a.labor_model.pk, "household": w.a.household.pk,
            "mode": "technical", "start_date": "2018-06-01", "plan": "种植技术指导",
        },
        make=lambda w: f.PairingFactory(household=w.a.household, labor_model=w.a.labor_model),
        redirect=household_page,
        foreign={
            "labor_model": lambda w: {"labor_model": w.b.labor_model.pk},
            "collective": lambda w: {"labor_model": "", "collective": w.b.collective.pk},
            "enterprise": lambda w: {"labor_model": "", "enterprise": w.b.enterprise.pk},
            "household": lambda w: {"household": w.b.household.pk},
            "village": lambda w: {"household": "", "village": w.b.village.pk},
        },
        edit_field="plan",
    ),
    Spec(
        models.TrainingSession,
        data=lambda w: {
            "held_on": "2018-05-10", "topic": "食用菌种植", "field": expertise(),
            "trainer": "张师傅", "labor_model": w.a.labor_model.pk, "place": "村委会",
            "other_attendees": "3", "attendees": [w.a.member.pk],
        },
        make=lambda w: f.TrainingAttendanceFactory(
            session__county=w.a.county, member=w.a.member
        ).session,
        redirect=own_page,
        foreign={
            "labor_model": lambda w: {"labor_model": w.b.labor_model.pk},
            "attendees": lambda w: {"attendees": [w.a.member.pk, w.b.member.pk]},
        },
        edit_field="topic",
    ),
    Spec(
        models.Employment,
        data=lambda w: {
            "member": w.a.member.pk, "enterprise": w.a.enterprise.pk,
            "started_on": "2018-03-01", "monthly_wage": "2500.00", "is_stable": "on",
        },
        make=lambda w: f.EmploymentFactory(member=w.a.member, enterprise=w.a.enterprise),
        redirect=lambda record: reverse(
            "cases:household_detail", args=[record.member.household_id]
        ),
        foreign={
            "member": lambda w: {"member": w.b.member.pk},
            "enterprise": lambda w: {"enterprise": w.b.enterprise.pk},
            "workshop": lambda w: {"workshop": w.b.workshop.pk},
            "collective": lambda w: {"collective": w.b.collective.pk},
        },
        edit_field="employer_name",
    ),
    Spec(
        models.FinanceAgreement,
        data=lambda w: {
            "enterprise": w.a.enterprise.pk, "household": w.a.household.pk,
            "model": "equity_dividend", "funds": "50000.00", "signed_on": "2017-06-01",
            "dividends-0-year": "2018", "dividends-0-amount": "2000.00",
            "dividends-0-paid_on": "2018-12-20",
        },
        make=lambda w: f.DividendPaymentFactory(
            agreement__household=w.a.household, agreement__enterprise=w.a.enterprise
        ).agreement,
        redirect=household_page,
        foreign={
            "enterprise": lambda w: {"enterprise": w.b.enterprise.pk},
            "household": lambda w: {"household": w.b.household.pk},
        },
        edit_field="funds",
        edit_values=("60000.00", "70000.00"),
    ),
    Spec(
        models.IndustryProject,
        data=lambda w: {
            "name": "香菇大棚", "enterprise": w.a.enterprise.pk, "funds": "500000.00",
            "started_on": "2018-03-01", "village": w.a.village.pk,
            "beneficiary_links-0-member": w.a.member.pk,
            "beneficiary_links-0-since": "2018-04-01",
        },
        make=lambda w: f.ProjectBeneficiaryFactory(
            project__county=w.a.county, project__enterprise=w.a.enterprise,
            project__village=w.a.village, member=w.a.member,
        ).project,
        redirect=own_page,
        foreign={
            "enterprise": lambda w: {"enterprise": w.b.enterprise.pk},
            "collective": lambda w: {"enterprise": "", "collective": w.b.collective.pk},
            "village": lambda w: {"village": w.b.village.pk},
        },
        edit_field="description",
    ),
    Spec(
        models.VolunteerEvent,
        data=lambda w: {
            "team": w.a.team.pk, "held_on": "2018-07-01", "title": "扶贫政策宣讲",
            "kind": "policy_talk", "beneficiaries": "50",
        },
        make=lambda w: f.VolunteerEventFactory(team=w.a.team),
        redirect=own_page,
        foreign={"team": lambda w: {"team": w.b.team.pk}},
        edit_field="title",
    ),
    Spec(
        models.MaterialAid,
        data=lambda w: {
            "household": w.a.household.pk, "given_on": "2018-02-01", "kind": "visit",
            "labor_model": w.a.labor_model.pk, "description": "春节走访慰问", "value": "500.00",
        },
        make=lambda w: f.MaterialAidFactory(household=w.a.household, labor_model=w.a.labor_model),
        redirect=household_page,
        foreign={
            "household": lambda w: {"household": w.b.household.pk},
            "labor_model": lambda w: {"labor_model": w.b.labor_model.pk},
        },
        edit_field="description",
    ),
]


#
# Settings as a deployment loads them
#


SETTINGS_FILE = Path(__file__).resolve().parent.parent / "reliefportal" / "settings.py"


def production_settings(monkeypatch, **environ):
    """The settings module as a deployment with ``environ`` would load it."""
    for name in ("REDIS_URL", "DATABASE_REPLICA_URL", "LOG_FORMAT", "DEBUG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))
