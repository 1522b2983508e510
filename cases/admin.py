"""Django admin for the programme's records: for administrators, who see every county.

Every county record shares ``CountyRecordAdmin``: history, the county scope of
``ScopedQuerySet.for_user``, read-only audit fields and who recorded a new row. ID numbers and
phones are masked everywhere here, change forms and history included: the whole number is seen
only through the logged reveal of the county workspace (cases.privacy), which administrators
do not have.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.forms import BaseInlineFormSet, ChoiceField, ModelForm
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME
from simple_history.template_utils import HistoricalRecordContextHelper

from cases.choices import Relation
from cases.forms.base import MaskedNumbersMixin, VersionedFormMixin
from cases.indicators import DEFINITIONS, INDICATORS, validate_target_value
from cases.models import (
    AdvancedCollective,
    County,
    DividendPayment,
    Employment,
    Enterprise,
    ExpertiseField,
    ExportJob,
    ExportLog,
    FinanceAgreement,
    Household,
    HouseholdEvent,
    HouseholdVisit,
    IndicatorTarget,
    IndustryProject,
    LaborModel,
    MaterialAid,
    Member,
    Pairing,
    PovertyCause,
    ProjectBeneficiary,
    RevealLog,
    ReviewedRecord,
    ReviewEvent,
    Township,
    TrainingAttendance,
    TrainingSession,
    TransferRequest,
    UnionBody,
    Village,
    VolunteerEvent,
    VolunteerTeam,
    Workshop,
)
from cases.privacy import PERSONAL_NUMBER_MASKS, mask_personal_number
from cases.services import EditConflict, check_version
from cases.validators import mask_id_number, mask_phone

AUDIT_FIELDS = ("recorded_by", "created_at", "updated_at")


class ScopedAdminMixin:
    """Admin pages go through ``for_user`` like every other page: the changelist, the change
    view (``get_object`` uses ``get_queryset``) and autocomplete. Administrators see every
    county; a county user who was made staff by mistake still sees only their own county."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)


class ReadOnlyAdminMixin:
    """Rows written by the portal itself (review trails, household events, audit logs): the
    admin shows them and nobody adds, edits or deletes one, not even an administrator."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MaskedNumbersAdminForm(MaskedNumbersMixin, ModelForm):
    """An inline row's form: the row's ID number and phone masked, as on every page."""


class VersionedAdminForm(MaskedNumbersMixin, VersionedFormMixin, ModelForm):
    """An admin change form with the record's ID number and phone masked, that refuses to
    overwrite a change saved since it was opened, as the county workspace's forms do. The admin
    validates and saves in one transaction, so the row ``check_version`` locks here stays
    locked until this form's save."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A change must say which version it was made on; a post without one is refused.
        self.fields["loaded_version"].required = self.instance.pk is not None
        reverting = hasattr(self.instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME)
        if self.instance.pk is not None and reverting:
            # Reverting to an earlier version (the history page) replaces the stored one: that
            # is the version this form changes, not the old one it shows.
            self.fields["loaded_version"].initial = (
                type(self.instance)._default_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True).first()
            )

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None and not self.has_error("loaded_version"):
            try:
                check_version(self.instance, self)
            except EditConflict as conflict:
                self.refresh_loaded_version(conflict.current_version)
                kept = _("您填写的内容已保留;请核对后再次提交,将以您的内容为准。")
                message = f"{conflict.message}{kept}"
                raise ValidationError(message, code="edit_conflict") from None
        return cleaned_data


class MaskedHistoryContextHelper(HistoricalRecordContextHelper):
    """The history page lists each change as old → new: personal numbers masked there too."""

    def prepare_delta_change_value(self, change, value):
        if change.field in PERSONAL_NUMBER_MASKS:
            return mask_personal_number(change.field, value)
        return super().prepare_delta_change_value(change, value)


class CountyRecordAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """Base for every ``CountyOwned`` model.

    The county is read-only when the row takes it from a parent row (``county_source``);
    otherwise it is chosen in the form. Subclasses name their own ``list_select_related``;
    the county is always added, since every list shows it. The review status is shown, not
    edited: review steps go through the review services, which keep the ``ReviewEvent`` trail.
    """

    form = VersionedAdminForm
    list_select_related = ()
    list_per_page = 50

    def county_is_derived(self):
        return bool(self.model.county_source)

    def get_readonly_fields(self, request, obj=None):
        county = ("county",) if self.county_is_derived() else ()
        review = ("review_status",) if issubclass(self.model, ReviewedRecord) else ()
        return (*county, *review, *super().get_readonly_fields(request, obj), *AUDIT_FIELDS)

    def get_list_select_related(self, request):
        return ("county", *self.list_select_related)

    def get_historical_record_context_helper(self, request, historical_record):
        return MaskedHistoryContextHelper(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # One transaction, as the change view has, so the row the version check locks stays
        # locked until the reverted version is saved.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        # Rows added through an inline are recorded by the same user as the parent.
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            if obj.pk is None and hasattr(obj, "recorded_by_id"):
                obj.recorded_by = request.user
            obj.save()
        formset.save_m2m()

    # Not sortable: the column holds ciphertext, whose order means nothing.
    @admin.display(description=_("身份证号"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description=_("联系电话"), ordering="phone")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


#
# Reference data and geography
#


@admin.register(County, PovertyCause, ExpertiseField)
class CodeNameAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Township)
class TownshipAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "county")
    list_filter = ("county",)
    list_select_related = ("county",)
    search_fields = ("name", "county__name")


@admin.register(Village)
class VillageAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "township", "county", "is_poor_village", "exit_year")
    list_filter = ("county", "is_poor_village", "exit_year")
    search_fields = ("name", "township__name")
    autocomplete_fields = ("township",)
    readonly_fields = ("county",)

    def get_queryset(self, request):
        # A village's name includes its township's, in autocomplete results too. The changelist
        # ignores list_select_related once the queryset has a select_related, so it is all here.
        return super().get_queryset(request).select_related("township", "county")


@admin.register(UnionBody)
class UnionBodyAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "county")
    list_filter = ("level",)
    list_select_related = ("county",)
    search_fields = ("name",)


#
# Helpers
#


@admin.register(LaborModel)
class LaborModelAdmin(CountyRecordAdmin):
    list_display = (
        "name", "honour_level", "honour_title", "year_awarded", "county", "employer",
        "masked_id_number", "masked_phone", "in_service", "is_local", "review_status",
    )
    list_filter = (
        "county", "honour_level", "honour_title", "in_service", "is_local", "review_status",
    )
    # An ID number is found only whole: a partial search would reveal the masked digits.
    search_fields = ("name", "=id_number", "employer")
    filter_horizontal = ("expertise",)


@admin.register(AdvancedCollective)
class AdvancedCollectiveAdmin(CountyRecordAdmin):
    list_display = (
        "name", "honour", "year_awarded", "county", "contact_person", "masked_phone",
        "review_status",
    )
    list_filter = ("county", "honour", "review_status")
    search_fields = ("name", "contact_person")


@admin.register(Enterprise)
class EnterpriseAdmin(CountyRecordAdmin):
    list_display = (
        "name", "kind", "leader", "county", "credit_code", "masked_phone", "review_status",
    )
    list_filter = ("county", "kind", "review_status")
    list_select_related = ("leader",)
    search_fields = ("name", "credit_code", "leader__name")
    autocomplete_fields = ("leader",)


@admin.register(VolunteerTeam)
class VolunteerTeamAdmin(CountyRecordAdmin):
    list_display = ("name", "field", "leader", "county", "founded_on", "review_status")
    list_filter = ("county", "field", "review_status")
    list_select_related = ("leader",)
    search_fields = ("name", "leader__name")
    autocomplete_fields = ("leader",)
    date_hierarchy = "founded_on"


#
# Beneficiaries
#


class MemberFormSet(BaseInlineFormSet):
    def clean(self):
        # The one-head constraint is checked per form against saved rows; two heads typed
        # into the same household form would only meet at the database.
        super().clean()
        heads = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and form.cleaned_data.get("relation") == Relation.HEAD
            and not form.cleaned_data.get("DELETE")
            and form.instance.archived_at is None
        ]
        if len(heads) > 1:
            raise ValidationError(_("一户只能有一名户主。"))


class MemberInline(admin.TabularInline):
    model = Member
    form = MaskedNumbersAdminForm
    formset = MemberFormSet
    fields = (
        "name", "id_number", "relation", "sex", "birth_date", "ethnicity", "education",
        "health", "labour_ability", "work_status", "phone", "archived_at",
    )
    readonly_fields = ("archived_at",)
    extra = 1


@admin.register(Household)
class HouseholdAdmin(CountyRecordAdmin):
    # The default manager keeps archived households: administrators see them too.
    list_display = (
        "register_number", "head_name", "village", "county", "attribute", "status",
        "exit_date", "masked_phone", "review_status", "archived_at",
    )
    list_filter = (
        "county", "status", "attribute", "standard", "monitoring", "review_status", "archived_at",
    )
    list_select_related = ("village__township",)
    search_fields = ("register_number", "head_name", "members__name", "=members__id_number")
    autocomplete_fields = ("village",)
    filter_horizontal = ("other_causes",)
    readonly_fields = ("archived_at", "archive_reason")
    date_hierarchy = "identified_on"
    inlines = (MemberInline,)


@admin.register(Member)
class MemberAdmin(CountyRecordAdmin):
    list_display = (
        "name", "masked_id_number", "household", "county", "relation", "sex", "birth_date",
        "health", "labour_ability", "work_status", "masked_phone", "archived_at",
    )
    list_filter = (
        "county", "relation", "sex", "health", "labour_ability", "work_status", "archived_at",
    )
    list_select_related = ("household",)
    search_fields = ("name", "=id_number", "household__register_number")
    autocomplete_fields = ("household",)
    readonly_fields = ("archived_at",)


#
# Pairings
#


@admin.register(Pairing)
class PairingAdmin(CountyRecordAdmin):
    list_display = (
        "helper", "target", "mode", "start_date", "end_date", "county", "review_status",
    )
    list_filter = ("county", "mode", "review_status")
    list_select_related = (
        "labor_model", "collective", "enterprise", "household", "village__township",
    )
    search_fields = (
        "labor_model__name", "collective__name", "enterprise__name",
        "household__register_number", "household__head_name", "village__name",
    )
    autocomplete_fields = ("labor_model", "collective", "enterprise", "household", "village")
    date_hierarchy = "start_date"

    @admin.display(description=_("帮扶方"))
    def helper(self, obj):
        return obj.helper

    @admin.display(description=_("帮扶对象"))
    def target(self, obj):
        return obj.target


#
# Assistance
#


class TrainingAttendanceInline(admin.TabularInline):
    model = TrainingAttendance
    fields = ("member",)
    autocomplete_fields = ("member",)
    extra = 1


@admin.register(TrainingSession)
class TrainingSessionAdmin(CountyRecordAdmin):
    list_display = (
        "held_on", "topic", "field", "trainer", "labor_model", "place", "other_attendees",
        "county", "review_status",
    )
    list_filter = ("county", "field", "review_status")
    list_select_related = ("field", "labor_model")
    search_fields = ("topic", "trainer", "place")
    autocomplete_fields = ("labor_model",)
    date_hierarchy = "held_on"
    inlines = (TrainingAttendanceInline,)


@admin.register(TrainingAttendance)
class TrainingAttendanceAdmin(CountyRecordAdmin):
    list_display = ("session", "member", "county")
    list_filter = ("county",)
    list_select_related = ("session", "member")
    search_fields = ("session__topic", "member__name", "=member__id_number")
    autocomplete_fields = ("session", "member")
    date_hierarchy = "session__held_on"


class ProjectBeneficiaryInline(admin.TabularInline):
    model = ProjectBeneficiary
    fields = ("member", "since")
    autocomplete_fields = ("member",)
    extra = 1


@admin.register(IndustryProject)
class IndustryProjectAdmin(CountyRecordAdmin):
    list_display = (
        "name", "enterprise", "collective", "village", "funds", "started_on", "county",
        "review_status",
    )
    list_filter = ("county", "review_status")
    list_select_related = ("enterprise", "collective", "village__township")
    search_fields = ("name", "enterprise__name", "collective__name")
    autocomplete_fields = ("enterprise", "collective", "village")
    date_hierarchy = "started_on"
    inlines = (ProjectBeneficiaryInline,)


@admin.register(ProjectBeneficiary)
class ProjectBeneficiaryAdmin(CountyRecordAdmin):
    list_display = ("project", "member", "since", "county")
    list_filter = ("county",)
    list_select_related = ("project", "member")
    search_fields = ("project__name", "member__name", "=member__id_number")
    autocomplete_fields = ("project", "member")
    date_hierarchy = "since"


@admin.register(Workshop)
class WorkshopAdmin(CountyRecordAdmin):
    list_display = (
        "name", "enterprise", "project", "village", "opened_on", "county", "review_status",
    )
    list_filter = ("county", "review_status")
    list_select_related = ("enterprise", "project", "village__township")
    search_fields = ("name", "enterprise__name")
    autocomplete_fields = ("enterprise", "project", "village")
    date_hierarchy = "opened_on"


class DividendPaymentInline(admin.TabularInline):
    model = DividendPayment
    fields = ("year", "amount", "paid_on")
    extra = 1


@admin.register(FinanceAgreement)
class FinanceAgreementAdmin(CountyRecordAdmin):
    list_display = (
        "enterprise", "household", "model", "funds", "signed_on", "county", "review_status",
    )
    list_filter = ("county", "model", "review_status")
    search_fields = ("enterprise__name", "household__register_number", "household__head_name")
    autocomplete_fields = ("enterprise", "household")
    date_hierarchy = "signed_on"
    inlines = (DividendPaymentInline,)

    def get_queryset(self, request):
        # An agreement's name is its enterprise's and household's, in autocomplete results too.
        # The changelist ignores list_select_related once the queryset has a select_related.
        return super().get_queryset(request).select_related("county", "enterprise", "household")


@admin.register(DividendPayment)
class DividendPaymentAdmin(CountyRecordAdmin):
    list_display = ("agreement", "year", "amount", "paid_on", "county", "review_status")
    list_filter = ("county", "year", "review_status")
    list_select_related = ("agreement__enterprise", "agreement__household")
    search_fields = (
        "agreement__enterprise__name", "agreement__household__register_number",
        "agreement__household__head_name",
    )
    autocomplete_fields = ("agreement",)
    date_hierarchy = "paid_on"


@admin.register(Employment)
class EmploymentAdmin(CountyRecordAdmin):
    list_display = (
        "member", "employer", "started_on", "ended_on", "monthly_wage", "is_stable",
        "job_training", "county", "review_status",
    )
    list_filter = ("county", "is_stable", "job_training", "review_status")
    list_select_related = ("member", "enterprise", "workshop", "collective")
    search_fields = ("member__name", "=member__id_number", "enterprise__name", "employer_name")
    autocomplete_fields = ("member", "enterprise", "workshop", "collective")
    date_hierarchy = "started_on"

    @admin.display(description=_("用工单位"))
    def employer(self, obj):
        return obj.employer


@admin.register(VolunteerEvent)
class VolunteerEventAdmin(CountyRecordAdmin):
    list_display = (
        "held_on", "title", "team", "kind", "place", "beneficiaries", "county",
        "review_status",
    )
    list_filter = ("county", "kind", "review_status")
    list_select_related = ("team",)
    search_fields = ("title", "team__name", "place")
    autocomplete_fields = ("team",)
    date_hierarchy = "held_on"


@admin.register(MaterialAid)
class MaterialAidAdmin(CountyRecordAdmin):
    list_display = (
        "given_on", "household", "kind", "labor_model", "value", "points", "county",
        "review_status",
    )
    list_filter = ("county", "kind", "review_status")
    list_select_related = ("household", "labor_model")
    search_fields = ("household__register_number", "household__head_name", "description")
    autocomplete_fields = ("household", "labor_model")
    date_hierarchy = "given_on"


@admin.register(HouseholdVisit)
class HouseholdVisitAdmin(CountyRecordAdmin):
    list_display = (
        "visited_on", "household", "visitors", "labor_model", "county", "review_status",
    )
    list_filter = ("county", "review_status")
    list_select_related = ("household", "labor_model")
    search_fields = ("household__register_number", "household__head_name", "visitors")
    autocomplete_fields = ("household", "labor_model")
    date_hierarchy = "visited_on"


#
# Review trail
#


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The review trail is written by the review services and never edited; here it is only
    read. The record is named by type and number: following the generic relation would cost a
    query per row."""

    list_display = (
        "created_at", "action", "content_type", "object_id", "county", "user", "comment",
    )
    list_filter = ("action", "county", "content_type")
    list_select_related = ("content_type", "county", "user")
    search_fields = ("comment", "user__username")
    date_hierarchy = "created_at"


@admin.register(HouseholdEvent)
class HouseholdEventAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """A household's dated exits, returns, archiving and moves are written when the household
    is saved and never edited (the figures of past periods are read from them); here they are
    only read."""

    list_display = ("on", "kind", "household", "from_county", "to_county", "recorded_at")
    list_filter = ("kind",)
    list_select_related = ("household", "from_county", "to_county")
    search_fields = ("household__register_number",)
    date_hierarchy = "on"


#
# Yearly targets
#


class IndicatorTargetForm(ModelForm):
    """The model stores an indicator's key; which keys exist and what a target of each may be
    are the indicators' rules, checked here as on the city's targets page."""

    indicator = ChoiceField(label=_("指标"), choices=[(d.key, d.label) for d in INDICATORS])

    class Meta:
        model = IndicatorTarget
        fields = ("county", "year", "indicator", "target")

    def clean(self):
        cleaned = super().clean()
        try:
            validate_target_value(cleaned.get("indicator"), cleaned.get("target"))
        except ValidationError as error:
            self.add_error("target", error)
        return cleaned


class IndicatorFilter(admin.SimpleListFilter):
    title = _("指标")
    parameter_name = "indicator"

    def lookups(self, request, model_admin):
        return [(d.key, d.label) for d in INDICATORS]

    def queryset(self, request, queryset):
        return queryset.filter(indicator=self.value()) if self.value() else queryset


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """Targets are set on the city's targets page; here administrators can correct one row.
    Who set it and when are recorded, not edited."""

    form = IndicatorTargetForm
    list_display = ("year", "county", "indicator_label", "target", "set_by", "updated_at")
    list_filter = ("year", "county", IndicatorFilter)
    list_select_related = ("county", "set_by")
    readonly_fields = ("set_by", "updated_at")

    @admin.display(description=_("指标"), ordering="indicator")
    def indicator_label(self, target):
        definition = DEFINITIONS.get(target.indicator)
        return definition.label if definition else target.indicator

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        super().save_model(request, obj, form, change)


#
# Audit logs of personal information: read only, for administrators
#


class AuditLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The logs are evidence: nobody adds, edits or deletes a row, not even an administrator."""

    list_per_page = 50


@admin.register(RevealLog)
class RevealLogAdmin(AuditLogAdmin):
    list_display = ("revealed_at", "user", "county", "content_type", "object_id", "field_name")
    list_filter = ("county", "field_name", "content_type")
    list_select_related = ("user", "county", "content_type")
    search_fields = ("user__username",)


@admin.register(ExportLog)
class ExportLogAdmin(AuditLogAdmin):
    list_display = ("exported_at", "user", "list_name", "file_format", "row_count", "completed")
    list_filter = ("list_name", "file_format", "completed")
    list_select_related = ("user",)
    search_fields = ("user__username", "list_name")


@admin.register(TransferRequest)
class TransferRequestAdmin(AuditLogAdmin):
    """Read-only: requests are filed and answered in the portal (转移申请)."""

    list_display = ("created_at", "county", "requested_by", "kind", "status", "handled_by")
    list_filter = ("status", "kind", "county")
    list_select_related = ("county", "requested_by", "handled_by")


@admin.register(ExportJob)
class ExportJobAdmin(AuditLogAdmin):
    """Background exports, to follow the queue. The file is its requester's alone: not linked
    here (it holds what their role and county may see)."""

    list_display = ("log", "file_name", "status", "estimated_rows", "rows_written", "finished_at")
    list_filter = ("status",)
    list_select_related = ("log__user",)
    exclude = ("file",)
    search_fields = ("log__user__username", "file_name")
