"""Create/edit forms of the programme's records: the helpers (labor models, collectives,
enterprises, volunteer teams, workshops), pairings and the assistance they give."""

import uuid

from crispy_forms.bootstrap import AppendedText, InlineCheckboxes
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout
from django import forms
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cases.models import (
    AdvancedCollective,
    DividendPayment,
    Employment,
    Enterprise,
    FinanceAgreement,
    Household,
    HouseholdVisit,
    IndustryProject,
    LaborModel,
    MaterialAid,
    Member,
    Pairing,
    ProjectBeneficiary,
    TrainingAttendance,
    TrainingSession,
    Village,
    VolunteerEvent,
    VolunteerTeam,
    Workshop,
)
from cases.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from evidence.forms import EvidenceFilesField
from evidence.services import check_record_total

from .base import DATE_INPUT, MaskedNumbersMixin, ScopedFormMixin, VersionedFormMixin

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def yuan(field_name):
    """A money field with its unit next to the box."""
    return AppendedText(field_name, _("元"))


def choose_one(legend, help_id, *fields, help_text=None):
    """A fieldset of alternative choices (e.g. the helper of a pairing), with the rule said
    once for the group rather than on each field."""
    help_text = help_text or _("选择其一")
    return Fieldset(
        legend,
        HTML(format_html('<p class="form-text mt-0" id="{}">{}</p>', help_id, help_text)),
        *fields,
        aria_describedby=help_id,
    )


class RecordForm(MaskedNumbersMixin, ScopedFormMixin, VersionedFormMixin, forms.ModelForm):
    """A county record's form: personal numbers masked, choices narrowed to the user's county,
    the version it was opened at, and a crispy layout from ``layout()``.

    The county is never a field: the view sets it on the instance (from the account, or from the
    parent the model names in ``county_source``). Django leaves fields that are not on the form
    out of model validation, which would skip the per-county unique names; once the county is
    known it is validated too, so a duplicate name is a form error instead of a database error.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*self.layout(), "loaded_version")

    def layout(self):
        raise NotImplementedError

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.instance.county_id is not None:
            exclude.discard("county")
        return exclude


class RowFormSetBase(forms.BaseInlineFormSet):
    """Rows edited in a table under their record. Row forms that choose other rows are scoped
    like the record's form, so they get the user too."""

    def __init__(self, *args, user=None, **kwargs):
        if issubclass(self.form, ScopedFormMixin):
            kwargs["form_kwargs"] = {**(kwargs.get("form_kwargs") or {}), "user": user}
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.template = "bootstrap5/table_inline_formset.html"

    def get_unique_error_message(self, unique_check):
        # Django's message names the fields by their code (e.g. "year"); name them as shown.
        labels = [
            str(self.model._meta.get_field(name).verbose_name)
            for name in unique_check
            if name != self.fk.name
        ]
        return _("同一%(fields)s填写了不止一行,请只保留一行。") % {"fields": "、".join(labels)}


#
# Helpers
#


class LaborModelForm(RecordForm):
    class Meta:
        model = LaborModel
        fields = [
            "name", "sex", "id_number", "phone", "honour_level", "honour_title", "year_awarded",
            "employer", "in_service", "is_local", "expertise",
        ]
        widgets = {"expertise": forms.CheckboxSelectMultiple}

    def layout(self):
        return [
            Fieldset(_("基本信息"), "name", "sex", "id_number", "phone"),
            Fieldset(_("荣誉"), "honour_level", "honour_title", "year_awarded"),
            Fieldset(
                _("工作与专长"), "employer", "in_service", "is_local", InlineCheckboxes("expertise")
            ),
        ]


class AdvancedCollectiveForm(RecordForm):
    class Meta:
        model = AdvancedCollective
        fields = ["name", "honour", "year_awarded", "contact_person", "phone"]

    def layout(self):
        return [Fieldset(_("基本信息"), *self._meta.fields)]


class EnterpriseForm(RecordForm):
    scoped_fields = {"leader": (LaborModel, [])}

    class Meta:
        model = Enterprise
        fields = ["name", "kind", "leader", "credit_code", "address", "phone"]
        widgets = {"leader": AutocompleteSelect("labormodel")}

    def layout(self):
        return [Fieldset(_("基本信息"), *self._meta.fields)]


class VolunteerTeamForm(RecordForm):
    scoped_fields = {"leader": (LaborModel, [])}

    class Meta:
        model = VolunteerTeam
        fields = ["name", "field", "leader", "founded_on"]
        widgets = {"leader": AutocompleteSelect("labormodel"), "founded_on": DATE_INPUT}

    def layout(self):
        return [Fieldset(_("基本信息"), *self._meta.fields)]


class WorkshopForm(RecordForm):
    scoped_fields = {
        "enterprise": (Enterprise, []),
        "project": (IndustryProject, []),
        "village": (Village, ["township"]),
    }

    class Meta:
        model = Workshop
        fields = ["name", "enterprise", "project", "village", "opened_on"]
        widgets = {"enterprise": AutocompleteSelect("enterprise"), "opened_on": DATE_INPUT}

    def layout(self):
        return [Fieldset(_("基本信息"), *self._meta.fields)]


#
# Pairings
#


class PairingForm(RecordForm):
    scoped_fields = {
        "labor_model": (LaborModel, []),
        "collective": (AdvancedCollective, []),
        "enterprise": (Enterprise, []),
        "household": (Household, []),
        "village": (Village, ["township"]),
    }

    class Meta:
        model = Pairing
        fields = [
            "labor_model", "collective", "enterprise", "household", "village", "mode",
            "start_date", "end_date", "plan", "end_reason",
        ]
        widgets = {
            "labor_model": AutocompleteSelect("labormodel"),
            "enterprise": AutocompleteSelect("enterprise"),
            "household": AutocompleteSelect("household"),
            "start_date": DATE_INPUT,
            "end_date": DATE_INPUT,
            "plan": TEXTAREA,
        }

    def layout(self):
        return [
            choose_one(
                _("帮扶方"), "pairing-helper-help", "labor_model", "collective", "enterprise"
            ),
            choose_one(_("帮扶对象"), "pairing-target-help", "household", "village"),
            Fieldset(_("帮扶内容"), "mode", "start_date", "plan"),
            Fieldset(_("结束帮扶"), "end_date", "end_reason"),
        ]


#
# Assistance
#


class TrainingSessionForm(RecordForm):
    """A session and its attendance list. Attendance rows carry their own county and recorder,
    so they are written here one by one rather than through the many-to-many field."""

    scoped_fields = {"labor_model": (LaborModel, []), "attendees": (Member, [])}

    attendees = forms.ModelMultipleChoiceField(
        queryset=Member.objects.none(),
        required=False,
        label=_("参训贫困人口"),
        widget=AutocompleteSelectMultiple("member"),
        help_text=_("输入姓名、身份证号后四位或户编号查找在册人员;同一人只记一次。"),
    )

    class Meta:
        model = TrainingSession
        fields = [
            "held_on", "topic", "field", "trainer", "labor_model", "place", "other_attendees",
        ]
        widgets = {"held_on": DATE_INPUT, "labor_model": AutocompleteSelect("labormodel")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].initial = self.on_file("attendees")

    def on_file(self, name):
        # The attendance list is not a model field: its rows are written one by one.
        if name == "attendees":
            if not self.instance.pk:
                return []
            return list(self.instance.attendance.values_list("member_id", flat=True))
        return super().on_file(name)

    def layout(self):
        return [
            Fieldset(
                _("培训信息"), "held_on", "topic", "field", "trainer", "labor_model", "place"
            ),
            Fieldset(_("参训人员"), "attendees", "other_attendees"),
        ]

    def save(self, commit=True):
        session = super().save(commit=commit)
        if commit:
            self.save_attendance()
        else:
            save_m2m = self.save_m2m

            def save_m2m_and_attendance():
                save_m2m()
                self.save_attendance()

            self.save_m2m = save_m2m_and_attendance
        return session

    def save_attendance(self):
        """Make the attendance rows match the list: members taken off it lose their row
        (deleted one by one, so history keeps them), members added get one."""
        session = self.instance
        chosen = {member.pk: member for member in self.cleaned_data["attendees"]}
        for row in session.attendance.exclude(member_id__in=chosen):
            row.delete()
        present = set(session.attendance.values_list("member_id", flat=True))
        for pk, member in chosen.items():
            if pk not in present:
                TrainingAttendance(session=session, member=member, recorded_by=self.user).save()


class EmploymentForm(RecordForm):
    scoped_fields = {
        "member": (Member, []),
        "enterprise": (Enterprise, []),
        "workshop": (Workshop, []),
        "collective": (AdvancedCollective, []),
    }

    class Meta:
        model = Employment
        fields = [
            "member", "enterprise", "workshop", "collective", "employer_name", "started_on",
            "ended_on", "monthly_wage", "is_stable", "job_training",
        ]
        widgets = {
            "member": AutocompleteSelect("member"),
            "enterprise": AutocompleteSelect("enterprise"),
            "started_on": DATE_INPUT,
            "ended_on": DATE_INPUT,
        }

    def layout(self):
        return [
            Fieldset(_("就业人员"), "member"),
            choose_one(
                _("用工单位"), "employment-employer-help",
                "enterprise", "workshop", "collective", "employer_name",
                help_text=_("选择登记在册的企业、车间或先进集体,或填写其他用工单位。"),
            ),
            Fieldset(
                _("就业情况"), "started_on", "ended_on", yuan("monthly_wage"), "is_stable",
                "job_training",
            ),
        ]


class FinanceAgreementForm(RecordForm):
    scoped_fields = {"enterprise": (Enterprise, []), "household": (Household, [])}

    class Meta:
        model = FinanceAgreement
        fields = ["enterprise", "household", "model", "funds", "signed_on"]
        widgets = {
            "enterprise": AutocompleteSelect("enterprise"),
            "household": AutocompleteSelect("household"),
            "signed_on": DATE_INPUT,
        }

    def layout(self):
        return [
            Fieldset(
                _("协议"), "enterprise", "household", "model", yuan("funds"), "signed_on"
            ),
        ]


class DividendPaymentForm(forms.ModelForm):
    class Meta:
        model = DividendPayment
        fields = ["year", "amount", "paid_on"]
        widgets = {"paid_on": DATE_INPUT}


class DividendFormSetBase(RowFormSetBase):
    def clean(self):
        super().clean()
        # The model checks a payment against the stored agreement; a new agreement is not
        # stored yet, so check against the signing date typed in the same form.
        signed_on = self.instance.signed_on
        if signed_on is None:
            return
        for form in self.forms:
            paid_on = getattr(form, "cleaned_data", {}).get("paid_on")
            if paid_on and paid_on < signed_on and "paid_on" not in form.errors:
                form.add_error("paid_on", _("发放日期不能早于协议签订日期。"))


DividendFormSet = forms.inlineformset_factory(
    FinanceAgreement, DividendPayment, form=DividendPaymentForm, formset=DividendFormSetBase,
    extra=2, can_delete=False,
)


class IndustryProjectForm(RecordForm):
    scoped_fields = {
        "enterprise": (Enterprise, []),
        "collective": (AdvancedCollective, []),
        "village": (Village, ["township"]),
    }

    class Meta:
        model = IndustryProject
        fields = [
            "name", "enterprise", "collective", "funds", "started_on", "village", "description",
        ]
        widgets = {
            "enterprise": AutocompleteSelect("enterprise"),
            "started_on": DATE_INPUT,
            "description": TEXTAREA,
        }

    def layout(self):
        return [
            Fieldset(_("项目"), "name", yuan("funds"), "started_on", "village", "description"),
            choose_one(_("实施方"), "project-sponsor-help", "enterprise", "collective"),
        ]


class ProjectBeneficiaryForm(ScopedFormMixin, forms.ModelForm):
    scoped_fields = {"member": (Member, [])}

    class Meta:
        model = ProjectBeneficiary
        fields = ["member", "since"]
        widgets = {"member": AutocompleteSelect("member"), "since": DATE_INPUT}


ProjectBeneficiaryFormSet = forms.inlineformset_factory(
    IndustryProject, ProjectBeneficiary, form=ProjectBeneficiaryForm, formset=RowFormSetBase,
    extra=3, can_delete=False,
)


class VolunteerEventForm(RecordForm):
    scoped_fields = {"team": (VolunteerTeam, [])}

    class Meta:
        model = VolunteerEvent
        fields = ["team", "held_on", "title", "kind", "place", "beneficiaries"]
        widgets = {"held_on": DATE_INPUT}

    def layout(self):
        return [Fieldset(_("活动"), *self._meta.fields)]


class MaterialAidForm(RecordForm):
    scoped_fields = {"household": (Household, []), "labor_model": (LaborModel, [])}

    class Meta:
        model = MaterialAid
        fields = ["household", "given_on", "kind", "labor_model", "description", "value", "points"]
        widgets = {
            "household": AutocompleteSelect("household"),
            "labor_model": AutocompleteSelect("labormodel"),
            "given_on": DATE_INPUT,
            "description": TEXTAREA,
        }

    def layout(self):
        return [
            Fieldset(
                _("走访与帮扶"), "household", "given_on", "kind", "labor_model", "description",
                yuan("value"), "points",
            ),
        ]


class HouseholdVisitForm(RecordForm):
    """入户走访, made to be filled in on a phone at the household: the date and the visitor
    are filled in, the photos come straight from the camera, and a form sent twice (a retried
    upload) saves one visit."""

    scoped_fields = {"household": (Household, []), "labor_model": (LaborModel, [])}
    photos = EvidenceFilesField(
        label=_("现场照片"), required=False, photos_only=True,
        help_text=_("可直接拍照,可选多张。"),
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = HouseholdVisit
        fields = ["household", "visited_on", "visitors", "labor_model", "findings", "needs"]
        widgets = {
            "household": AutocompleteSelect("household"),
            "labor_model": AutocompleteSelect("labormodel"),
            "visited_on": DATE_INPUT,
            "findings": TEXTAREA,
            "needs": TEXTAREA,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if self.instance.pk is None and not self.is_bound:
            self.initial.setdefault("visited_on", timezone.localdate())
            self.initial.setdefault("visitors", user.get_full_name() or user.get_username())
            self.initial["submission_key"] = uuid.uuid4()
        county = user.county if user.county_id else None
        self.fields["photos"].keep_location = bool(county and county.keeps_photo_locations)

    def layout(self):
        return [
            Fieldset(
                _("入户走访"), "household", "visited_on", "visitors", "labor_model", "findings",
                "needs", "photos", "submission_key",
            ),
        ]

    def clean_photos(self):
        checked = self.cleaned_data["photos"]
        check_record_total(self.instance, checked)
        return checked
