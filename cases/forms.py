from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Household, Village


class ScopedFormMixin:
    """Narrows every choice to the rows the user may change, so a posted id from another
    county fails validation like any invalid choice."""

    scoped_fields = {}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, model in self.scoped_fields.items():
            self.fields[name].queryset = model.objects.for_user(user, "change")


class HouseholdForm(ScopedFormMixin, forms.ModelForm):
    scoped_fields = {"village": Village}

    class Meta:
        model = Household
        fields = [
            "register_number", "head_name", "village", "phone", "attribute", "standard",
            "identified_on", "main_cause", "other_causes", "demands", "status", "exit_date",
            "monitoring",
        ]
        widgets = {
            "identified_on": forms.DateInput(attrs={"type": "date"}),
            "exit_date": forms.DateInput(attrs={"type": "date"}),
            "other_causes": forms.CheckboxSelectMultiple,
            "demands": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = self.fields["village"].queryset.select_related(
            "township"
        )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("基本信息"), "register_number", "head_name", "village", "phone"),
            Fieldset(
                _("识别信息"), "attribute", "standard", "identified_on", "main_cause",
                "other_causes", "demands",
            ),
            Fieldset(_("脱贫状态"), "status", "exit_date", "monitoring"),
            Submit("save", _("保存")),
        )
