from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.choices import Relation
from cases.models import Household, Member, Village

from .base import DATE_INPUT, MaskedNumbersMixin, ScopedFormMixin, VersionedFormMixin


class HouseholdForm(MaskedNumbersMixin, ScopedFormMixin, VersionedFormMixin, forms.ModelForm):
    scoped_fields = {"village": (Village, ["township"])}

    class Meta:
        model = Household
        fields = [
            "register_number", "head_name", "village", "phone", "attribute", "standard",
            "identified_on", "main_cause", "other_causes", "demands", "status", "exit_date",
            "monitoring", "industry", "industry_since", "natural_village", "unsafe_housing",
            "safe_drinking_water", "income_per_capita",
        ]
        widgets = {
            "identified_on": DATE_INPUT,
            "exit_date": DATE_INPUT,
            "industry_since": DATE_INPUT,
            "other_causes": forms.CheckboxSelectMultiple,
            "demands": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(_("基本信息"), "register_number", "head_name", "village", "phone"),
            Fieldset(
                _("识别信息"), "attribute", "standard", "identified_on", "main_cause",
                "other_causes", "demands",
            ),
            Fieldset(_("脱贫状态"), "status", "exit_date", "monitoring"),
            Fieldset(_("产业发展"), "industry", "industry_since"),
            Fieldset(
                _("建档立卡登记信息"), "natural_village", "unsafe_housing", "safe_drinking_water",
                "income_per_capita",
            ),
            "loaded_version",
        )
        if self.instance.exit_year_only:
            self.fields["exit_date"].help_text = _(
                "登记册只记录了脱贫年度(%(year)s 年);填写确切日期后按日期记录。"
            ) % {"year": self.instance.exit_date.year}

    def clean(self):
        cleaned_data = super().clean()
        if "exit_date" in self.changed_data:
            # A date typed in the form is exact, no longer the year of the register.
            self.instance.exit_year_only = False
        return cleaned_data


class MemberForm(MaskedNumbersMixin, forms.ModelForm):
    class Meta:
        model = Member
        fields = [
            "name", "id_number", "relation", "ethnicity", "education", "health",
            "labour_ability", "work_status", "phone",
            # The national register's facts (kept by the import): editable here as well.
            "person_number", "school_status", "work_months", "serious_illness_insurance",
        ]
        # Wide enough for all 18 characters of an ID number (app.css: .input-id-number).
        widgets = {
            "id_number": forms.TextInput(
                attrs={"class": "input-id-number", "size": 20, "autocomplete": "off"}
            ),
            "work_months": forms.NumberInput(attrs={"min": 0, "max": 12}),
        }

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk and "id_number" in self.changed_data:
            # Birth date and sex are not on this form: they follow a corrected number, as they
            # follow the first one (Member.save), instead of contradicting it.
            self.instance.birth_date, self.instance.sex = None, ""
        return cleaned_data


class MemberFormSetBase(forms.BaseInlineFormSet):
    add_row_label = _("添加家庭成员")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.queryset = self.queryset.filter(archived_at__isnull=True)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.template = "bootstrap5/table_inline_formset.html"

    def clean(self):
        super().clean()
        heads = [
            form for form in self.forms
            if form.has_changed() or form.instance.pk
            if form.cleaned_data.get("relation") == Relation.HEAD
        ]
        if len(heads) > 1:
            raise ValidationError(_("一户只能有一名户主。"))
        id_numbers = [
            form.cleaned_data.get("id_number") for form in self.forms
            if form.cleaned_data.get("id_number")
        ]
        if len(id_numbers) != len(set(id_numbers)):
            raise ValidationError(_("同一身份证号在本户中填写了两次。"))


# No blank rows: the form's "添加家庭成员" button adds as many as the household has (app.js).
# A new household starts with one, for its head.
MemberFormSet = forms.inlineformset_factory(
    Household, Member, form=MemberForm, formset=MemberFormSetBase, extra=0, can_delete=False,
)
NewHouseholdMemberFormSet = forms.inlineformset_factory(
    Household, Member, form=MemberForm, formset=MemberFormSetBase, extra=1, can_delete=False,
)
