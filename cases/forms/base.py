"""Form behaviour shared by every form of the county workspace."""

from django import forms

from cases.widgets import ID_LIMIT

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def choosable(model, user):
    """Rows ``user`` may pick in a form: their change scope, without archived rows."""
    queryset = model.objects.for_user(user, "change")
    return queryset.active() if hasattr(queryset, "active") else queryset


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Ids beyond a signed 64-bit integer are an invalid choice, not a server error: Django
    bounds them for ``pk=`` but not for the ``pk__in=`` this field runs, and SQLite cannot bind
    them at all."""

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                continue
            if not -ID_LIMIT <= number < ID_LIMIT:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class ScopedFormMixin:
    """Narrows every choice to the rows the user may change, so a posted id from another
    county fails validation like any invalid choice."""

    scoped_fields = {}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            if type(field) is forms.ModelMultipleChoiceField:
                field.__class__ = BoundedModelMultipleChoiceField
        for name, (model, related) in self.scoped_fields.items():
            self.fields[name].queryset = choosable(model, user).select_related(*related)


class VersionedFormMixin(forms.Form):
    """Carries the version of the record the user opened, so the view can refuse to overwrite
    a change someone else saved in the meantime."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def refresh_loaded_version(self, version):
        """After a conflict: the next submit deliberately replaces the version now shown."""
        self.data = self.data.copy()
        self.data[self.add_prefix("loaded_version")] = version


