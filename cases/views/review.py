"""Review, county side: submitting a record, and what every record's page shows about its
review and its changes."""

import logging

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.choices import ReviewStatus
from cases.models import ReviewedRecord
from cases.selectors import record_history, review_events_for
from cases.services import record_submit

from .generic import ScopedObjectMixin, log_record_action


def reviewed_model(model_name):
    """The ReviewedRecord model called ``model_name`` (``household``, ``pairing``, ...); any
    other name, including models that are not reviewed, answers 404."""
    for model in apps.get_app_config("cases").get_models():
        if issubclass(model, ReviewedRecord) and model._meta.model_name == model_name:
            return model
    raise Http404


@login_required
@require_POST
def submit_record(request, model_name: str, pk: int):
    """Submit a draft or returned record for the city's review, then back to the page the
    button was on (``next``, e.g. the household timeline) or else to the record's page."""
    model = reviewed_model(model_name)
    record = model.objects.get_or_deny(request.user, pk)
    try:
        submitted = record_submit(record=record, user=request.user)
    except ValidationError as error:
        log_record_action(logging.WARNING, "submit refused", record)
        messages.error(request, " ".join(error.messages))
    else:
        log_record_action(logging.INFO, "submitted", submitted)
        messages.success(request, _("已提交市总工会审核。"))
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect(next_url)
    return redirect(record.get_absolute_url())


class CasePageMixin(ScopedObjectMixin):
    """A record's page: scoped like every page (another county's id answers 404), with what
    the user may do computed here, never in the template, and the record's review trail and
    change history.

    Context: ``can_change`` (edit and add buttons), ``edit_url``, ``can_submit`` (the submit
    button), ``submit_url``, ``review_events`` and ``history``.
    """

    def may_change(self, record):
        """Whether the page offers changes: the edit and action views check again."""
        return self.model.objects.allows(self.request.user, record.pk)

    def edit_url(self, record):
        try:
            return reverse(f"cases:{self.model._meta.model_name}_edit", args=[record.pk])
        except NoReverseMatch:
            return None

    def get_context_data(self, **kwargs):
        record = self.object
        user = self.request.user
        can_change = self.may_change(record)
        return {
            **super().get_context_data(**kwargs),
            "opts": self.model._meta,
            "can_change": can_change,
            "edit_url": self.edit_url(record) if can_change else None,
            "can_submit": can_change
            and user.is_county_staff
            and record.review_status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED),
            "submit_url": reverse(
                "cases:record_submit", args=[self.model._meta.model_name, record.pk]
            ),
            "review_events": review_events_for(record, user),
            "history": record_history(record),
        }
