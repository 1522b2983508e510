from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.views.generic import DetailView

from cases import filters, tables
from cases.forms.households import HouseholdForm, MemberFormSet
from cases.models import Household, Member

from .generic import ObjectEditView, ObjectListView, ScopedObjectMixin


@login_required
def home(request):
    return render(request, "cases/home.html")


def active_member_count():
    """Members per household as a correlated subquery, computed only for the rows shown."""
    per_household = (
        Member.objects.active()
        .filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_household, output_field=IntegerField()), 0)


class HouseholdListView(ObjectListView):
    model = Household
    filterset_class = filters.HouseholdFilterSet
    table_class = tables.HouseholdTable

    def get_queryset(self):
        return (
            super().get_queryset().active()
            .select_related("village__township", "main_cause")
            .annotate(member_count=active_member_count())
        )


class MemberListView(ObjectListView):
    model = Member
    filterset_class = filters.MemberFilterSet
    table_class = tables.MemberTable

    def get_queryset(self):
        return super().get_queryset().active().select_related("household")


class HouseholdDetailView(ScopedObjectMixin, DetailView):
    model = Household

    def get_queryset(self):
        return super().get_queryset().select_related("village__township", "main_cause", "county")

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "members": self.object.members.active(),
        }


class HouseholdEditView(ObjectEditView):
    model = Household
    form_class = HouseholdForm
    formset_class = MemberFormSet
