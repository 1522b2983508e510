"""Form behaviour shared by every form of the county workspace."""

from django import forms

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def choosable(model, user):
    """Rows ``user`` may pick in a form: their change scope, without archived rows."""
    queryset = model.objects.for_user(user, "change")
    return queryset.active() if hasattr(queryset, "active") else queryset


class ScopedFormMixin:
    """Narrows every choice to the rows the user may change, so a posted id from another
    county fails validation like any invalid choice."""

    scoped_fields = {}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
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


