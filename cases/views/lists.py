"""The county workspace lists: one filtered, sortable, exportable list per kind of record.

Each view only adds to ``get_queryset`` what its table's columns read, so a page costs the same
number of queries however many rows it shows: ``select_related`` for the rows it names,
``prefetch_related`` for many-to-many columns, and correlated subqueries for the counts and
totals, which the database computes for the rows of the page only.
"""

from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases import filters, tables
from cases.models import (
    AdvancedCollective,
    DividendPayment,
    Employment,
    Enterprise,
    FinanceAgreement,
    HouseholdVisit,
    IndustryProject,
    LaborModel,
    MaterialAid,
    Pairing,
    ProjectBeneficiary,
    TrainingAttendance,
    TrainingSession,
    VolunteerEvent,
    VolunteerTeam,
    Workshop,
)

from .generic import ObjectListView

MONEY = DecimalField(max_digits=16, decimal_places=2)


def count_of(related, link):
    """How many rows of the queryset ``related`` point at each listed row through ``link``."""
    per_row = (
        related.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_row, output_field=IntegerField()), 0)


def total_of(related, link, field, output_field=MONEY):
    """The sum of ``field`` over the rows of ``related`` that point at each listed row."""
    per_row = (
        related.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(total=Sum(field))
        .values("total")
    )
    zero = Decimal("0.00") if isinstance(output_field, DecimalField) else 0
    return Coalesce(Subquery(per_row, output_field=output_field), Value(zero, output_field))


def current_employments():
    today = timezone.localdate()
    return Employment.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))


class CountyListView(ObjectListView):
    """A list of county records. County staff see one county, so the county column is left off
    their page (exports keep it: files travel between offices)."""

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        if self.request.user.is_county_staff:
            kwargs["exclude"] = ("county",)
        return kwargs

    def get_queryset(self):
        return super().get_queryset().select_related("county")


#
# Helpers
#


class LaborModelListView(CountyListView):
    model = LaborModel
    filterset_class = filters.LaborModelFilterSet
    table_class = tables.LaborModelTable

    def get_queryset(self):
        active = Pairing.objects.active_on(timezone.localdate())
        return (
            super().get_queryset()
            .prefetch_related("expertise")
            .annotate(active_pairings=count_of(active, "labor_model"))
        )


class AdvancedCollectiveListView(CountyListView):
    model = AdvancedCollective
    filterset_class = filters.AdvancedCollectiveFilterSet
    table_class = tables.AdvancedCollectiveTable

    def get_queryset(self):
        projects = IndustryProject.objects.all()
        return super().get_queryset().annotate(
            project_count=count_of(projects, "collective"),
            project_funds=total_of(projects, "collective", "funds"),
        )


class EnterpriseListView(CountyListView):
    model = Enterprise
    filterset_class = filters.EnterpriseFilterSet
    table_class = tables.EnterpriseTable

    def get_queryset(self):
        return (
            super().get_queryset()
            .select_related("leader")
            .annotate(
                workshop_count=count_of(Workshop.objects.all(), "enterprise"),
                agreement_count=count_of(FinanceAgreement.objects.all(), "enterprise"),
            )
        )


class VolunteerTeamListView(CountyListView):
    model = VolunteerTeam
    filterset_class = filters.VolunteerTeamFilterSet
    table_class = tables.VolunteerTeamTable

    def get_queryset(self):
        events = VolunteerEvent.objects.all()
        return (
            super().get_queryset()
            .select_related("leader")
            .annotate(
                event_count=count_of(events, "team"),
                beneficiary_total=total_of(
                    events, "team", "beneficiaries", output_field=IntegerField()
                ),
            )
        )


#
# Pairings
#


class PairingListView(CountyListView):
    model = Pairing
    filterset_class = filters.PairingFilterSet
    table_class = tables.PairingTable

    def get_queryset(self):
        return super().get_queryset().select_related(
            "labor_model", "collective", "enterprise", "household", "village__township"
        )


#
# Assistance records
#


class TrainingSessionListView(CountyListView):
    model = TrainingSession
    filterset_class = filters.TrainingSessionFilterSet
    table_class = tables.TrainingSessionTable

    def get_queryset(self):
        return (
            super().get_queryset()
            .select_related("field", "labor_model")
            .annotate(attendee_count=count_of(TrainingAttendance.objects.all(), "session"))
        )


class IndustryProjectListView(CountyListView):
    model = IndustryProject
    filterset_class = filters.IndustryProjectFilterSet
    table_class = tables.IndustryProjectTable

    def get_queryset(self):
        return (
            super().get_queryset()
            .select_related("village__township")
            .annotate(
                # One column for either sponsor, so the list also sorts by it.
                sponsor=Coalesce("enterprise__name", "collective__name"),
                workshop_count=count_of(Workshop.objects.all(), "project"),
                beneficiary_count=count_of(ProjectBeneficiary.objects.all(), "project"),
            )
        )


class WorkshopListView(CountyListView):
    model = Workshop
    filterset_class = filters.WorkshopFilterSet
    table_class = tables.WorkshopTable

    def get_queryset(self):
        return (
            super().get_queryset()
            .select_related("enterprise", "project", "village__township")
            .annotate(employee_count=count_of(current_employments(), "workshop"))
        )


class FinanceAgreementListView(CountyListView):
    model = FinanceAgreement
    filterset_class = filters.FinanceAgreementFilterSet
    table_class = tables.FinanceAgreementTable

    def get_queryset(self):
        return (
            super().get_queryset()
            .select_related("household__village__township", "enterprise")
            .annotate(
                dividends_paid=total_of(DividendPayment.objects.all(), "agreement", "amount")
            )
        )


class DividendPaymentListView(CountyListView):
    model = DividendPayment
    filterset_class = filters.DividendPaymentFilterSet
    table_class = tables.DividendPaymentTable

    def get_queryset(self):
        return super().get_queryset().select_related(
            "agreement__household", "agreement__enterprise"
        )


class EmploymentListView(CountyListView):
    model = Employment
    filterset_class = filters.EmploymentFilterSet
    table_class = tables.EmploymentTable

    def get_queryset(self):
        return super().get_queryset().select_related(
            "member__household", "enterprise", "workshop", "collective"
        )


class VolunteerEventListView(CountyListView):
    model = VolunteerEvent
    filterset_class = filters.VolunteerEventFilterSet
    table_class = tables.VolunteerEventTable

    def get_queryset(self):
        return super().get_queryset().select_related("team")


class MaterialAidListView(CountyListView):
    model = MaterialAid
    filterset_class = filters.MaterialAidFilterSet
    table_class = tables.MaterialAidTable

    def get_queryset(self):
        return super().get_queryset().select_related(
            "household__village__township", "labor_model"
        )


class HouseholdVisitListView(CountyListView):
    model = HouseholdVisit
    filterset_class = filters.HouseholdVisitFilterSet
    table_class = tables.HouseholdVisitTable

    def get_queryset(self):
        return super().get_queryset().select_related(
            "household__village__township", "labor_model"
        )
