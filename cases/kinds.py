"""The kinds of record of the county workspace, each declared once.

A kind names its model and everything the portal builds for it: the list page (its rows with
what the table's columns read, its FilterSet and table), the create and edit pages (its form),
whether the city reviews it, which personal numbers may be revealed, its button on the case
page, its autocomplete source and its entries on a household's timeline. The URLs, the review
queue and counts, the autocomplete, the reveal, the dashboard's drill-down and the list counts
read the kinds from here (``docs/adding-a-record-kind.md``).

It is declared with the forms, filters and tables, so ``cases.filters`` and ``cases.privacy``
(which the forms read) import it at call time only.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from cases import filters, tables, timeline
from cases.forms import records as record_forms
from cases.models import (
    AdvancedCollective,
    DividendPayment,
    Employment,
    Enterprise,
    FinanceAgreement,
    Household,
    HouseholdVisit,
    IndustryProject,
    LaborModel,
    MaterialAid,
    Member,
    Pairing,
    ProjectBeneficiary,
    TrainingAttendance,
    TrainingSession,
    VolunteerEvent,
    VolunteerTeam,
    Workshop,
)

MONEY = DecimalField(max_digits=16, decimal_places=2)
# A create page opened from the case page: query parameter → the form field it fills.
FOR_HOUSEHOLD_OR_MEMBER = {"household": "household", "member": "member"}


@dataclass(frozen=True)
class RecordKind:
    model: type
    # The URL path of the list page; ``<path>new/`` and ``<path><pk>/edit/`` with a form.
    path: str
    filterset: type
    table: type
    # The list's rows → the same rows with what the table's columns read (joins, counts), so
    # a page costs the same number of queries however many rows it shows.
    list_rows: Callable = lambda rows: rows
    # Households and members leave the register when archived: the list shows current rows
    # (a figure of a past period still counts them, so the drill-down does not narrow).
    archivable: bool = False
    # zip: the workbook and each household's evidence files (evidence.archives), by a job.
    export_formats: tuple = ("csv", "xlsx")
    # The create and edit pages' form, with the rows it edits inline; None: no such pages
    # here (households have their own, a dividend is edited in its agreement's form).
    form: type | None = None
    formset: type | None = None
    prefill: dict = field(default_factory=lambda: FOR_HOUSEHOLD_OR_MEMBER)
    reviewed: bool = True
    # The personal numbers shown masked that county staff may reveal (``cases.privacy``).
    revealable: tuple = ()
    # The case page's button adding this help to the household, and to a member's row.
    add_help: str | None = None
    member_help: bool = False
    # The name a form's autocomplete reads the rows by (``cases:autocomplete``), if any.
    autocomplete: str | None = None
    # household → the household's ``TimelineEntry``s of this kind (``cases.timeline``).
    timeline: Callable | None = None
    # What the record's name and page read, so a short list of mixed records costs one
    # query per kind.
    display_related: tuple = ()

    @property
    def name(self):
        return self.model._meta.model_name

    @property
    def list_url_name(self):
        return f"cases:{self.name}_list"

    @property
    def has_county_column(self):
        return "county" in self.table.base_columns

    def list_queryset(self, rows):
        """``rows`` as the list page shows them: with what its columns read."""
        if self.has_county_column:
            rows = rows.select_related("county")
        return self.list_rows(rows)

    def listed(self, rows):
        """The rows the list page starts from: all of ``rows``, or the current ones."""
        return rows.active() if self.archivable else rows


def joined(*related):
    """``list_rows`` of a list whose columns read only the rows ``related`` names."""
    return lambda rows: rows.select_related(*related)


def count_of(related, link):
    """How many rows of the queryset ``related`` point at each listed row through ``link``:
    a correlated subquery, which the database computes for the rows of the page only."""
    per_row = (
        related.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_row, output_field=IntegerField()), 0)


def total_of(related, link, field_name, output_field=MONEY):
    """The sum of ``field_name`` over the rows of ``related`` that point at each listed row."""
    per_row = (
        related.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(total=Sum(field_name))
        .values("total")
    )
    zero = Decimal("0.00") if isinstance(output_field, DecimalField) else 0
    return Coalesce(Subquery(per_row, output_field=output_field), Value(zero, output_field))


def current_employments():
    today = timezone.localdate()
    return Employment.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))


#
# What each list's columns read
#


def _households(rows):
    # By register number alone: it starts with the county's code, so the order is the
    # model's (county, number) without joining the county, and an index serves it.
    return (
        rows.select_related("village__township", "main_cause")
        .annotate(member_count=count_of(Member.objects.active(), "household"))
        .order_by("register_number")
    )


def _labor_models(rows):
    active = Pairing.objects.active_on(timezone.localdate())
    return rows.prefetch_related("expertise").annotate(
        active_pairings=count_of(active, "labor_model")
    )


def _collectives(rows):
    projects = IndustryProject.objects.all()
    return rows.annotate(
        project_count=count_of(projects, "collective"),
        project_funds=total_of(projects, "collective", "funds"),
    )


def _enterprises(rows):
    return rows.select_related("leader").annotate(
        workshop_count=count_of(Workshop.objects.all(), "enterprise"),
        agreement_count=count_of(FinanceAgreement.objects.all(), "enterprise"),
    )


def _volunteer_teams(rows):
    events = VolunteerEvent.objects.all()
    return rows.select_related("leader").annotate(
        event_count=count_of(events, "team"),
        beneficiary_total=total_of(events, "team", "beneficiaries", output_field=IntegerField()),
    )


def _training_sessions(rows):
    return rows.select_related("field", "labor_model").annotate(
        attendee_count=count_of(TrainingAttendance.objects.all(), "session")
    )


def _industry_projects(rows):
    return rows.select_related("village__township").annotate(
        # One column for either sponsor, so the list also sorts by it.
        sponsor=Coalesce("enterprise__name", "collective__name"),
        workshop_count=count_of(Workshop.objects.all(), "project"),
        beneficiary_count=count_of(ProjectBeneficiary.objects.all(), "project"),
    )


def _workshops(rows):
    return rows.select_related("enterprise", "project", "village__township").annotate(
        employee_count=count_of(current_employments(), "workshop")
    )


def _finance_agreements(rows):
    return rows.select_related("household__village__township", "enterprise").annotate(
        dividends_paid=total_of(DividendPayment.objects.all(), "agreement", "amount")
    )


#
# The registry, in the order the home page, the review queue and the case page list them
#

KINDS = (
    RecordKind(
        Household, "households/", filters.HouseholdFilterSet, tables.HouseholdTable,
        list_rows=_households, archivable=True, export_formats=("csv", "xlsx", "zip"),
        revealable=("phone",), autocomplete="household",
    ),
    RecordKind(
        Member, "members/", filters.MemberFilterSet, tables.MemberTable,
        list_rows=joined("household"), archivable=True, reviewed=False,
        revealable=("id_number", "phone"), autocomplete="member",
    ),
    RecordKind(
        Pairing, "pairings/", filters.PairingFilterSet, tables.PairingTable,
        list_rows=joined(
            "labor_model", "collective", "enterprise", "household", "village__township"
        ),
        form=record_forms.PairingForm,
        add_help=pgettext_lazy("add help", "结对帮扶"),
        timeline=timeline.pairing_entries,
        display_related=(
            "labor_model", "collective", "enterprise", "household", "village__township",
        ),
    ),
    RecordKind(
        LaborModel, "labor-models/", filters.LaborModelFilterSet, tables.LaborModelTable,
        list_rows=_labor_models, form=record_forms.LaborModelForm,
        revealable=("id_number", "phone"), autocomplete="labormodel",
    ),
    RecordKind(
        AdvancedCollective, "collectives/", filters.AdvancedCollectiveFilterSet,
        tables.AdvancedCollectiveTable,
        list_rows=_collectives, form=record_forms.AdvancedCollectiveForm,
        revealable=("phone",), autocomplete="collective",
    ),
    RecordKind(
        Enterprise, "enterprises/", filters.EnterpriseFilterSet, tables.EnterpriseTable,
        list_rows=_enterprises, form=record_forms.EnterpriseForm,
        revealable=("phone",), autocomplete="enterprise",
    ),
    RecordKind(
        VolunteerTeam, "volunteer-teams/", filters.VolunteerTeamFilterSet,
        tables.VolunteerTeamTable,
        list_rows=_volunteer_teams, form=record_forms.VolunteerTeamForm,
    ),
    RecordKind(
        TrainingSession, "training/", filters.TrainingSessionFilterSet,
        tables.TrainingSessionTable,
        list_rows=_training_sessions, form=record_forms.TrainingSessionForm,
        prefill={"member": "attendees"},
        add_help=pgettext_lazy("add help", "技术培训"), member_help=True,
        timeline=timeline.training_entries,
    ),
    RecordKind(
        IndustryProject, "projects/", filters.IndustryProjectFilterSet,
        tables.IndustryProjectTable,
        list_rows=_industry_projects, form=record_forms.IndustryProjectForm,
        formset=record_forms.ProjectBeneficiaryFormSet,
        add_help=pgettext_lazy("add help", "产业项目"),
        timeline=timeline.project_entries,
    ),
    RecordKind(
        Workshop, "workshops/", filters.WorkshopFilterSet, tables.WorkshopTable,
        list_rows=_workshops, form=record_forms.WorkshopForm, autocomplete="workshop",
    ),
    RecordKind(
        FinanceAgreement, "finance-agreements/", filters.FinanceAgreementFilterSet,
        tables.FinanceAgreementTable,
        list_rows=_finance_agreements, form=record_forms.FinanceAgreementForm,
        formset=record_forms.DividendFormSet,
        add_help=pgettext_lazy("add help", "带贫协议"),
        timeline=timeline.agreement_entries,
        display_related=("enterprise", "household"),
    ),
    RecordKind(
        DividendPayment, "dividends/", filters.DividendPaymentFilterSet,
        tables.DividendPaymentTable,
        list_rows=joined("agreement__household", "agreement__enterprise"),
        timeline=timeline.dividend_entries,
        display_related=("agreement__enterprise", "agreement__household"),
    ),
    RecordKind(
        Employment, "employment/", filters.EmploymentFilterSet, tables.EmploymentTable,
        list_rows=joined("member__household", "enterprise", "workshop", "collective"),
        form=record_forms.EmploymentForm,
        add_help=pgettext_lazy("add help", "就业"), member_help=True,
        timeline=timeline.employment_entries,
        display_related=("member", "enterprise", "workshop", "collective"),
    ),
    RecordKind(
        VolunteerEvent, "volunteer-events/", filters.VolunteerEventFilterSet,
        tables.VolunteerEventTable,
        list_rows=joined("team"), form=record_forms.VolunteerEventForm,
    ),
    RecordKind(
        MaterialAid, "aid/", filters.MaterialAidFilterSet, tables.MaterialAidTable,
        list_rows=joined("household__village__township", "labor_model"),
        form=record_forms.MaterialAidForm,
        add_help=pgettext_lazy("add help", "走访与物资"),
        timeline=timeline.aid_entries,
    ),
    RecordKind(
        HouseholdVisit, "visits/", filters.HouseholdVisitFilterSet, tables.HouseholdVisitTable,
        list_rows=joined("household__village__township", "labor_model"),
        form=record_forms.HouseholdVisitForm,
        add_help=pgettext_lazy("add help", "入户走访"),
        timeline=timeline.visit_entries,
        display_related=("household",),
    ),
)
_BY_MODEL = {kind.model: kind for kind in KINDS}
_BY_NAME = {kind.name: kind for kind in KINDS}
# Every reviewed model, in the registry's order.
REVIEWED_MODELS = tuple(kind.model for kind in KINDS if kind.reviewed)


def by_model(model):
    """The kind of ``model``, or None if it is not a record kind."""
    return _BY_MODEL.get(model)


def by_name(model_name):
    """The kind whose model is called ``model_name``, or None."""
    return _BY_NAME.get(model_name)


def by_list_url_name(url_name):
    """The kind whose list page is called ``url_name`` (``cases:<model>_list``), or None."""
    app, _sep, name = url_name.partition(":")
    model_name, _sep, page = name.rpartition("_")
    return by_name(model_name) if (app, page) == ("cases", "list") else None


def reviewed_kind_choices():
    """The reviewed kinds as the choices of a form field: ``(model name, verbose name)``."""
    return [(model._meta.model_name, model._meta.verbose_name) for model in REVIEWED_MODELS]
