"""Create and edit pages of the programme's records: helpers, pairings and assistance."""

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from cases.forms import records as record_forms
from cases.models import (
    AdvancedCollective,
    Employment,
    Enterprise,
    FinanceAgreement,
    HouseholdVisit,
    IndustryProject,
    LaborModel,
    MaterialAid,
    Pairing,
    TrainingSession,
    VolunteerEvent,
    VolunteerTeam,
    Workshop,
)
from evidence.services import attachments_add

from .generic import ObjectEditView


class RecordEditView(ObjectEditView):
    """Create or edit one record.

    A create page may be opened with ``?household=<pk>`` or ``?member=<pk>`` (the case page's
    "add help" links): the choice is filled in if the form's own scoped choices allow it, and
    silently left empty otherwise, so another county's id reveals nothing.
    """

    # query parameter → form field it fills on a create page
    prefill = {"household": "household", "member": "member"}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.object is None and self.model.county_source is None:
            # The county the record will get (ObjectEditView.save sets the same), known before
            # validation so the per-county unique names are checked by the form.
            kwargs["instance"] = self.model(county_id=self.request.user.county_id)
        return kwargs

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.object is None and not form.is_bound:
            for param, name in self.prefill.items():
                value = self.request.GET.get(param)
                if value and name in form.fields:
                    form.initial[name] = self.allowed_choice(form.fields[name], value)
        return form

    @staticmethod
    def allowed_choice(field, value):
        """``value`` as the initial of ``field`` if the field would accept it, else None."""
        multiple = isinstance(field, forms.ModelMultipleChoiceField)
        try:
            chosen = field.clean([value] if multiple else value)
        except ValidationError:
            return None
        return [obj.pk for obj in chosen] if multiple else chosen.pk


#
# Helpers
#


class LaborModelEditView(RecordEditView):
    model = LaborModel
    form_class = record_forms.LaborModelForm


class AdvancedCollectiveEditView(RecordEditView):
    model = AdvancedCollective
    form_class = record_forms.AdvancedCollectiveForm


class EnterpriseEditView(RecordEditView):
    model = Enterprise
    form_class = record_forms.EnterpriseForm


class VolunteerTeamEditView(RecordEditView):
    model = VolunteerTeam
    form_class = record_forms.VolunteerTeamForm


class WorkshopEditView(RecordEditView):
    model = Workshop
    form_class = record_forms.WorkshopForm


#
# Pairings
#


class PairingEditView(RecordEditView):
    model = Pairing
    form_class = record_forms.PairingForm


#
# Assistance
#


class TrainingSessionEditView(RecordEditView):
    model = TrainingSession
    form_class = record_forms.TrainingSessionForm
    prefill = {"member": "attendees"}


class EmploymentEditView(RecordEditView):
    model = Employment
    form_class = record_forms.EmploymentForm


class FinanceAgreementEditView(RecordEditView):
    model = FinanceAgreement
    form_class = record_forms.FinanceAgreementForm
    formset_class = record_forms.DividendFormSet


class IndustryProjectEditView(RecordEditView):
    model = IndustryProject
    form_class = record_forms.IndustryProjectForm
    formset_class = record_forms.ProjectBeneficiaryFormSet


class VolunteerEventEditView(RecordEditView):
    model = VolunteerEvent
    form_class = record_forms.VolunteerEventForm


class MaterialAidEditView(RecordEditView):
    model = MaterialAid
    form_class = record_forms.MaterialAidForm


class HouseholdVisitEditView(RecordEditView):
    """入户走访 with its photos, saved together: the visit and every photo, or nothing."""

    model = HouseholdVisit
    form_class = record_forms.HouseholdVisitForm

    def post(self, request, *args, **kwargs):
        if "pk" not in self.kwargs:
            # The same form arriving again (the upload was retried after the first attempt
            # had got through): show the visit already saved instead of saving a second one.
            saved = self.model.objects.for_user(request.user).filter(
                submission_key=_uuid_or_none(request.POST.get("submission_key"))
            ).first()
            if saved is not None:
                messages.success(request, _("已保存。"))
                return redirect(saved.get_absolute_url())
        return super().post(request, *args, **kwargs)

    def save(self, form, formset):
        if form.instance.pk is None:
            form.instance.submission_key = form.cleaned_data["submission_key"]
        super().save(form, formset)
        if form.cleaned_data["photos"]:
            attachments_add(
                record=self.object, checked_files=form.cleaned_data["photos"],
                user=self.request.user,
            )


def _uuid_or_none(value):
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        return None
