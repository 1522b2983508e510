"""Create and edit pages of the programme's records: helpers, pairings and assistance."""

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from evidence.services import attachments_add

from .generic import ObjectEditView


class RecordEditView(ObjectEditView):
    """Create or edit one record of a kind (``as_view(kind=...)``) in its form.

    A create page may be opened with ``?household=<pk>`` or ``?member=<pk>`` (the case page's
    "add help" links): the kind's ``prefill`` names the form field each fills, which is filled
    in if the form's own scoped choices allow it, and silently left empty otherwise, so another
    county's id reveals nothing.

    A form with a ``submission_key`` (入户走访, sent from a phone) is saved once however often it
    arrives, and its ``photos`` are attached to the record in the same transaction.
    """

    kind = None

    @property
    def model(self):
        return self.kind.model

    @property
    def form_class(self):
        return self.kind.form

    @property
    def formset_class(self):
        return self.kind.formset

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
            for param, name in self.kind.prefill.items():
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


    def post(self, request, *args, **kwargs):
        if "pk" not in self.kwargs and "submission_key" in self.form_class.base_fields:
            # The same form arriving again (the upload was retried after the first attempt
            # had got through): show the record already saved instead of saving a second one.
            saved = self.model.objects.for_user(request.user).filter(
                submission_key=_uuid_or_none(request.POST.get("submission_key"))
            ).first()
            if saved is not None:
                messages.success(request, _("已保存。"))
                return redirect(saved.get_absolute_url())
        return super().post(request, *args, **kwargs)

    def save(self, form, formset):
        if form.instance.pk is None and "submission_key" in form.cleaned_data:
            form.instance.submission_key = form.cleaned_data["submission_key"]
        super().save(form, formset)
        if form.cleaned_data.get("photos"):
            attachments_add(
                record=self.object, checked_files=form.cleaned_data["photos"],
                user=self.request.user,
            )


def _uuid_or_none(value):
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        return None
