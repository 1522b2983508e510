from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from cases import filters
from cases.forms.base import choosable

# source name → the list FilterSet whose search box the lookup reuses.
SOURCES = {
    "household": filters.HouseholdFilterSet,
    "member": filters.MemberFilterSet,
    "labormodel": filters.LaborModelFilterSet,
    "enterprise": filters.EnterpriseFilterSet,
}
RESULT_LIMIT = 20


@login_required
@require_GET
def autocomplete(request, source):
    """Rows the user may pick in a form (their change scope) matching ``q``, as JSON."""
    filterset_class = SOURCES.get(source)
    if filterset_class is None:
        raise Http404
    model = filterset_class._meta.model
    filterset = filterset_class(
        data={"q": request.GET.get("q", "")},
        queryset=choosable(model, request.user),
        request=request,
    )
    results = [
        {"value": obj.pk, "text": obj.autocomplete_label()}
        for obj in filterset.qs[:RESULT_LIMIT]
    ]
    return JsonResponse({"results": results})
