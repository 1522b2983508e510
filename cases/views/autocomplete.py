from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from cases import filters
from cases.kinds import KINDS
from cases.widgets import autocomplete_label

# source name → the FilterSet whose search box the lookup reuses: a record kind's list
# (``RecordKind.autocomplete``), or a place.
SOURCES = {
    **{kind.autocomplete: kind.filterset for kind in KINDS if kind.autocomplete},
    "village": filters.VillageSearchFilterSet,
    "township": filters.TownshipSearchFilterSet,
}
RESULT_LIMIT = 20
# What a source's labels read besides the row itself (a village is named with its township).
LABEL_RELATED = {"village": ("township",)}


@login_required
@require_GET
def autocomplete(request, source):
    """Rows the user may pick in a form (their change scope) matching ``q``, as JSON; with
    ``?scope=view``, rows the user may see, for the filters of the lists."""
    filterset_class = SOURCES.get(source)
    if filterset_class is None:
        raise Http404
    model = filterset_class._meta.model
    if request.GET.get("scope") == "view":
        rows = model.objects.for_user(request.user).active()
    else:
        rows = model.objects.choosable(request.user)
    filterset = filterset_class(
        data={"q": request.GET.get("q", "")},
        queryset=rows.select_related(*LABEL_RELATED.get(source, ())),
        request=request,
    )
    results = [
        {"value": obj.pk, "text": autocomplete_label(obj)}
        for obj in filterset.qs[:RESULT_LIMIT]
    ]
    return JsonResponse({"results": results})
