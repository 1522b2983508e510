import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import DetailView

from cases.choices import ReviewStatus
from cases.forms.archive import ArchiveForm
from cases.forms.households import HouseholdForm, MemberFormSet, NewHouseholdMemberFormSet
from cases.kinds import KINDS
from cases.models import Household, Member, Pairing
from cases.selectors import household_drafts, household_timeline
from cases.services import household_archive, member_archive, records_submit
from evidence.services import attachments_by_record

from .generic import ObjectEditView, log_record_action
from .review import CasePageMixin


def add_help_links(param, pk, back_to):
    """The case page's "add help" buttons (``RecordKind.add_help``): the create pages opened
    for one household (``?household=<pk>``) or one member (``?member=<pk>``: the help
    recorded for a member rather than the whole household), each returning to ``back_to``
    (the case page) after a save."""
    query = urlencode({param: pk, "next": back_to})
    return [
        (kind.add_help, f"{reverse(f'cases:{kind.name}_add')}?{query}")
        for kind in KINDS
        if kind.add_help and (param == "household" or kind.member_help)
    ]


class HouseholdDetailView(CasePageMixin, DetailView):
    """The case page: who the household is, who helps it, and one timeline of every piece of
    help received. An archived household stays readable here, marked as such."""

    model = Household

    def get_queryset(self):
        return (
            super().get_queryset()
            .select_related("village__township", "main_cause", "county")
            .prefetch_related("other_causes")
        )

    def may_change(self, record):
        return record.archived_at is None and super().may_change(record)

    def get_context_data(self, **kwargs):
        household = self.object
        context = super().get_context_data(**kwargs)
        pairings = (
            Pairing.objects.for_user(self.request.user)
            .filter(household=household)
            .select_related("labor_model", "collective", "enterprise")
        )
        members = list(household.members.active())
        timeline = household_timeline(household)
        files = attachments_by_record((entry.record for entry in timeline), self.request.user)
        for entry in timeline:
            entry.evidence_files = files.get((type(entry.record), entry.record.pk), [])
        if context["can_change"]:
            for member in members:
                member.add_help_links = add_help_links("member", member.pk, self.request.path)
            # Help recorded by this county can be corrected and submitted from here; a session
            # another county held is theirs to change.
            for entry in timeline:
                entry.own = entry.record.county_id == household.county_id
                entry.can_submit = (
                    entry.own
                    and self.request.user.is_county_staff
                    and entry.record.review_status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED)
                )
        drafts = household_drafts(household, self.request.user, timeline)
        return {
            **context,
            "drafts": drafts,
            "members": members,
            "pairings": pairings,
            "timeline": timeline,
            "add_help_links": add_help_links("household", household.pk, self.request.path)
            if context["can_change"] else [],
        }


@login_required
@require_POST
def submit_household_drafts(request, pk):
    """"提交本户全部草稿": submit, in one step, the drafts the case page listed in its one
    confirmation (``record``: ``model:pk``) that are still drafts of this household; each that
    cannot be submitted is named, the others are submitted all the same."""
    household = Household.objects.get_or_deny(request.user, pk)
    listed = set(request.POST.getlist("record"))
    drafts = [draft for draft in household_drafts(household, request.user) if draft.key in listed]
    labels = {draft.key: draft.label for draft in drafts}
    submitted, refused = records_submit(
        records=[draft.record for draft in drafts], user=request.user
    )
    for record in submitted:
        log_record_action(logging.INFO, "submitted", record)
    if submitted:
        messages.success(
            request,
            ngettext(
                "已提交 %(count)s 条记录,等待市总工会审核。",
                "已提交 %(count)s 条记录,等待市总工会审核。",
                len(submitted),
            ) % {"count": len(submitted)},
        )
    for record, reason in refused:
        log_record_action(logging.WARNING, "submit refused", record)
        messages.error(
            request, _("未能提交 %(record)s:%(reason)s") % {
                "record": labels[f"{record._meta.model_name}:{record.pk}"], "reason": reason,
            },
        )
    if not submitted and not refused:
        messages.info(request, _("没有需要提交的草稿。"))
    return redirect(household)


class HouseholdEditView(ObjectEditView):
    model = Household
    form_class = HouseholdForm

    formset_class = MemberFormSet

    def get_formset_class(self):
        # A new household starts with one member row, for its head.
        return MemberFormSet if self.object else NewHouseholdMemberFormSet

    def get_object(self, queryset=None):
        household = super().get_object(queryset)
        if household is not None and household.archived_at is not None:
            # Archived households are kept as they were when archived.
            raise PermissionDenied(_("该户已归档,不能再修改。"))
        return household


#
# Archiving: households and members are archived, never deleted
#


@login_required
@require_http_methods(["GET", "POST"])
def archive_household(request, pk):
    """Ask for the reason (GET), then archive the household and its members (POST)."""
    household = Household.objects.get_or_deny(request.user, pk)
    if household.archived_at is not None:
        messages.info(request, _("该户已归档。"))
        return redirect(household)
    form = ArchiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household_archive(
                household=household, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已归档。该户不再出现在列表中,档案和变更记录仍保留。"))
        return redirect(household)
    return render(request, "cases/household_archive.html", {"household": household, "form": form})


@login_required
@require_POST
def archive_member(request, pk):
    member = Member.objects.get_or_deny(request.user, pk)
    try:
        member_archive(member=member, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已将 %(name)s 归档。") % {"name": member.name})
    return redirect(member.household)
