"""The explicit, logged look at a full ID or phone number."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cases import privacy


@never_cache
@login_required
@require_POST
def reveal(request, model_name: str, pk: int, field_name: str):
    """Show one full value: a record outside the user's scope answers 404 like any page, one
    they may see but have no need to reveal 403; every reveal is logged before it is shown."""
    model = privacy.revealable_model(model_name, field_name)
    record = model.objects.get_or_deny(request.user, pk, "view")
    context = {
        "record": record,
        "field": model._meta.get_field(field_name),
        "back_url": record.household.get_absolute_url() if model_name == "member"
        else record.get_absolute_url(),
    }
    try:
        value = privacy.reveal(request.user, record, field_name)
    except privacy.RevealLimitReached:
        context["limit"] = settings.REVEAL_LIMIT_PER_HOUR
        return render(request, "cases/reveal.html", context, status=429)
    return render(request, "cases/reveal.html", {**context, "value": value})
