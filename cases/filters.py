"""One FilterSet per list. The same FilterSet serves the page, its export and (later) the
dashboard figures that link to it, so a figure and its list cannot disagree."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from cases import models
from cases.choices import HouseholdAttribute, PovertyStatus, ReviewStatus


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


class HouseholdFilterSet(ReviewedFilterSet):
    search_fields = (
        "register_number__icontains",
        "head_name__icontains",
        "phone__icontains",
    )
    township = django_filters.ModelChoiceFilter(
        field_name="village__township", queryset=scoped(models.Township), label=_("乡镇")
    )
    village = django_filters.ModelChoiceFilter(
        queryset=scoped(models.Village, "township"), label=_("行政村")
    )
    status = django_filters.ChoiceFilter(choices=PovertyStatus.choices, label=_("脱贫状态"))
    attribute = django_filters.ChoiceFilter(
        choices=HouseholdAttribute.choices, label=_("贫困户属性")
    )
    cause = django_filters.ModelChoiceFilter(
        queryset=models.PovertyCause.objects.all(), method="filter_cause", label=_("致贫原因")
    )
    identified = django_filters.DateFromToRangeFilter(
        field_name="identified_on", label=_("识别日期")
    )

    class Meta:
        model = models.Household
        fields = []

    def search_condition(self, value):
        # Exists rather than a join, so a household with two matching members shows once.
        member_id_matches = models.Member.objects.filter(
            household=OuterRef("pk"), id_number__endswith=value
        )
        return super().search_condition(value) | Q(Exists(member_id_matches))

    def filter_cause(self, queryset, name, cause):
        other_cause = models.Household.other_causes.through.objects.filter(
            household=OuterRef("pk"), povertycause=cause
        )
        return queryset.filter(Q(main_cause=cause) | Q(Exists(other_cause)))


class MemberFilterSet(SearchFilterSet):
    search_fields = (
        "name__icontains",
        "phone__icontains",
        "id_number__endswith",
        "household__register_number__icontains",
    )
    township = django_filters.ModelChoiceFilter(
        field_name="household__village__township", queryset=scoped(models.Township),
        label=_("乡镇"),
    )
    village = django_filters.ModelChoiceFilter(
        field_name="household__village",
        queryset=scoped(models.Village, "township"),
        label=_("行政村"),
    )
    household_status = django_filters.ChoiceFilter(
        field_name="household__status", choices=PovertyStatus.choices, label=_("脱贫状态")
    )

    class Meta:
        model = models.Member
        fields = ["relation", "sex", "education", "health", "labour_ability", "work_status"]
