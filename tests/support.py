"""Builders and helpers shared by the test modules: imported from here, never copied.

Fixtures shared by several modules (``clerk_client``, ``village_a``, ``household`` and the
counties and users) are in tests/conftest.py; model factories in tests/factories.py; import
files in tests/import_files.py.
"""

import datetime
import html
import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

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
from cases.validators import build_resident_id
from imports.models import ImportRun, ImportStatus
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
