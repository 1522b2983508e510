from django import forms
from django.urls import reverse


class AutocompleteMixin:
    """A select that renders only the chosen options and finds the others by searching on the
    server (static/js/autocomplete.js), so no page carries thousands of <option>s. The form
    field keeps its full, scoped queryset, so a posted id is validated as usual."""

    def __init__(self, source, attrs=None):
        super().__init__(attrs)
        self.source = source

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["data-autocomplete-url"] = reverse("cases:autocomplete", args=[self.source])
        return attrs

    def optgroups(self, name, value, attrs=None):
        chosen = [item for item in value if item not in (None, "")]
        queryset = self.choices.queryset.filter(pk__in=chosen) if chosen else []
        all_choices = self.choices
        self.choices = ([] if self.allow_multiple_selected else [("", "")]) + [
            (obj.pk, obj.autocomplete_label()) for obj in queryset
        ]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = all_choices


class AutocompleteSelect(AutocompleteMixin, forms.Select):
    pass


class AutocompleteSelectMultiple(AutocompleteMixin, forms.SelectMultiple):
    pass
