"""Form behaviour shared by every form of the county workspace."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases import privacy
from cases.widgets import ID_LIMIT, MaskedInput

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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


class MaskedNumbersMixin:
    """A ModelForm editing a record on file shows the record's personal numbers masked: the
    whole number is seen only through the logged reveal on the record's page (cases.privacy),
    never in a form. The masked text, posted back unchanged, keeps the number on file (see
    ``MaskedInput``). A new record's inputs are left as they are."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            return
        for name in privacy.revealable_fields(self._meta.model):
            field = self.fields.get(name)
            stored = self.get_initial_for_field(field, name) if field else None
            if not stored:
                continue
            field.widget = MaskedInput(
                stored, privacy.PERSONAL_NUMBER_MASKS[name], attrs=field.widget.attrs
            )
            field.widget.is_required = field.required
            field.help_text = _("号码已部分隐藏;不修改则保留原号码,更换时请输入完整的新号码。")


class ScopedFormMixin:
    """Narrows every choice to the rows the user may change, so a posted id from another
    county fails validation like any invalid choice.

    Archived rows cannot be chosen, except where the record on file already names them (a
    member archived since stays the employee of their job, a household the target of its
    pairing): otherwise the field came back empty, "必填", and the record could no longer be
    saved."""

    scoped_fields = {}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            if type(field) is forms.ModelMultipleChoiceField:
                field.__class__ = BoundedModelMultipleChoiceField
        for name, (model, related) in self.scoped_fields.items():
            queryset = model.objects.choosable(user)
            if on_file := self.on_file(name):
                queryset |= model.objects.for_user(user, "change").filter(pk__in=on_file)
            self.fields[name].queryset = queryset.select_related(*related)

    def on_file(self, name):
        """The ids the record on file holds in the model field ``name`` (none for a new one)."""
        if not self.instance.pk:
            return []
        field = self.instance._meta.get_field(name)
        if field.many_to_many:
            return list(getattr(self.instance, name).values_list("pk", flat=True))
        value = getattr(self.instance, field.attname)
        return [] if value is None else [value]


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


