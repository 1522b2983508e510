from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

# Ids beyond a signed 64-bit integer cannot exist (SQLite cannot even bind them).
ID_LIMIT = 2**63


def autocomplete_label(obj):
    """How a row reads in a search-as-you-type choice (its name, for reference rows)."""
    label = getattr(obj, "autocomplete_label", None)
    return label() if label else str(obj)


class AutocompleteMixin:
    """A select that renders only the chosen options and finds the others by searching on the
    server (static/js/autocomplete.js), so no page carries thousands of <option>s. The form
    field keeps its full, scoped queryset, so a posted id is validated as usual."""

    def __init__(self, source, attrs=None, scope="change"):
        super().__init__(attrs)
        self.source = source
        # "change" for a form (rows the user may pick), "view" for a list filter (rows the
        # user may see: a city reviewer filters every county's rows but changes none).
        self.scope = scope

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        url = reverse("cases:autocomplete", args=[self.source])
        attrs["data-autocomplete-url"] = f"{url}?scope=view" if self.scope == "view" else url
        return attrs

    def chosen_pks(self, value):
        """The posted values that can be primary keys: a form shown again after an invalid
        post (e.g. ``village=abc``) must say the choice is invalid, not fail on the query."""
        pk = self.choices.queryset.model._meta.pk
        chosen = []
        for item in value:
            if item in (None, ""):
                continue
            try:
                number = pk.to_python(item)
            except ValidationError:
                continue
            if -ID_LIMIT <= number < ID_LIMIT:
                chosen.append(number)
        return chosen

    def optgroups(self, name, value, attrs=None):
        chosen = self.chosen_pks(value)
        queryset = self.choices.queryset.filter(pk__in=chosen) if chosen else []
        all_choices = self.choices
        self.choices = ([] if self.allow_multiple_selected else [("", "")]) + [
            (obj.pk, autocomplete_label(obj)) for obj in queryset
        ]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = all_choices


class AutocompleteSelect(AutocompleteMixin, forms.Select):
    pass


class AutocompleteSelectMultiple(AutocompleteMixin, forms.SelectMultiple):
    pass


class MaskedInput(forms.TextInput):
    """A personal number already on file (身份证号, 联系电话), shown masked as on every page
    (412822********123X, 138****5678), so no form puts the whole number in its HTML.

    The masked text posted back means "keep the number on file": it reads as the stored value,
    so the field is unchanged and validates as before. Anything else is a new number, validated
    as usual; a masked text someone edited still has its ``*`` and fails the field's validator.
    """

    def __init__(self, stored, mask, attrs=None):
        super().__init__(attrs)
        self.stored = stored
        self.masked = mask(stored)

    def format_value(self, value):
        # Also after a failed post, where the value is the stored one read back from the mask.
        return self.masked if value == self.stored else super().format_value(value)

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        if isinstance(value, str) and value.strip() == self.masked:
            return self.stored
        return value
