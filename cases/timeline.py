"""A household's timeline of help received: each kind of help's entries, read by
``cases.selectors.household_timeline`` through the record kinds (``cases.kinds``) that declare
them."""

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.formats import localize
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from cases.models import (
    DividendPayment,
    Employment,
    FinanceAgreement,
    HouseholdVisit,
    MaterialAid,
    Pairing,
    ProjectBeneficiary,
    TrainingAttendance,
)


@dataclass
class TimelineEntry:
    """One piece of help a household received. ``record`` is the reviewed record whose status
    the entry shows (the session for an attendance, the project for a beneficiary link)."""

    date: datetime.date
    kind: str
    title: str
    record: object
    details: list = field(default_factory=list)
    helper: object = None
    return_comment: str = ""
    # Breaks ties between entries of the same day: the one recorded last comes first.
    recorded_at: datetime.datetime = None

    @property
    def kind_label(self):
        return TIMELINE_KINDS[self.kind]

    @property
    def edit_url(self):
        # A dividend is edited in its agreement's form, with the agreement's other payments.
        record = self.record.agreement if self.kind == "dividend" else self.record
        return reverse(f"cases:{record._meta.model_name}_edit", args=[record.pk])

    @property
    def submit_url(self):
        return reverse("cases:record_submit", args=[self.record._meta.model_name, self.record.pk])


TIMELINE_KINDS = {
    "visit": pgettext_lazy("help kind", "入户走访"),
    "pairing": pgettext_lazy("help kind", "结对帮扶"),
    "training": pgettext_lazy("help kind", "技术培训"),
    "employment": pgettext_lazy("help kind", "就业"),
    "project": pgettext_lazy("help kind", "产业项目"),
    "agreement": pgettext_lazy("help kind", "带贫协议"),
    "dividend": pgettext_lazy("help kind", "分红"),
    "aid": pgettext_lazy("help kind", "走访与物资"),
}


def _yuan(amount):
    return _("%(amount)s 元") % {"amount": localize(amount)}


def pairing_entries(household):
    pairings = Pairing.objects.filter(household=household).select_related(
        "labor_model", "collective", "enterprise"
    )
    for pairing in pairings:
        details = [pairing.get_mode_display()]
        if pairing.end_date:
            details.append(_("%(date)s 结束") % {"date": pairing.end_date.isoformat()})
        yield TimelineEntry(
            date=pairing.start_date, kind="pairing", title=_("开始结对帮扶"), record=pairing,
            details=details, helper=pairing.helper, recorded_at=pairing.created_at,
        )


def training_entries(household):
    attendance = TrainingAttendance.objects.filter(member__household=household).select_related(
        "session__labor_model", "member"
    )
    for row in attendance:
        session = row.session
        yield TimelineEntry(
            date=session.held_on, kind="training", title=session.topic, record=session,
            details=[row.member.name, session.place], helper=session.labor_model,
            recorded_at=row.created_at,
        )


def employment_entries(household):
    employments = Employment.objects.filter(member__household=household).select_related(
        "member", "enterprise", "workshop", "collective"
    )
    for job in employments:
        details = [job.member.name]
        if job.monthly_wage is not None:
            details.append(_("月工资 %(wage)s") % {"wage": _yuan(job.monthly_wage)})
        details.append(_("稳定就业") if job.is_stable else _("非稳定就业"))
        if job.ended_on:
            details.append(_("%(date)s 离职") % {"date": job.ended_on.isoformat()})
        employer = job.enterprise or job.workshop or job.collective
        yield TimelineEntry(
            date=job.started_on, kind="employment",
            title=_("就业:%(employer)s") % {"employer": employer or job.employer_name},
            record=job, details=details, helper=employer, recorded_at=job.created_at,
        )


def project_entries(household):
    links = ProjectBeneficiary.objects.filter(member__household=household).select_related(
        "project__enterprise", "project__collective", "member"
    )
    for link in links:
        project = link.project
        yield TimelineEntry(
            date=link.since, kind="project", title=project.name, record=project,
            details=[_("受益人 %(name)s") % {"name": link.member.name}],
            helper=project.enterprise or project.collective, recorded_at=link.created_at,
        )


def agreement_entries(household):
    agreements = FinanceAgreement.objects.filter(household=household).select_related(
        "enterprise"
    )
    for agreement in agreements:
        yield TimelineEntry(
            date=agreement.signed_on, kind="agreement", title=agreement.get_model_display(),
            record=agreement, details=[_("协议资金 %(funds)s") % {"funds": _yuan(agreement.funds)}],
            helper=agreement.enterprise, recorded_at=agreement.created_at,
        )


def dividend_entries(household):
    dividends = DividendPayment.objects.filter(agreement__household=household).select_related(
        "agreement__enterprise"
    )
    for dividend in dividends:
        yield TimelineEntry(
            date=dividend.paid_on, kind="dividend",
            title=_("%(year)s 年度分红") % {"year": dividend.year}, record=dividend,
            details=[_yuan(dividend.amount), dividend.agreement.get_model_display()],
            helper=dividend.agreement.enterprise, recorded_at=dividend.created_at,
        )


def aid_entries(household):
    for aid in MaterialAid.objects.filter(household=household).select_related("labor_model"):
        details = [aid.description]
        if aid.value is not None:
            details.append(_yuan(aid.value))
        if aid.points is not None:
            details.append(_("积分 %(points)s") % {"points": aid.points})
        yield TimelineEntry(
            date=aid.given_on, kind="aid", title=aid.get_kind_display(), record=aid,
            details=details, helper=aid.labor_model, recorded_at=aid.created_at,
        )


def visit_entries(household):
    for visit in HouseholdVisit.objects.filter(household=household).select_related("labor_model"):
        details = [visit.visitors, visit.findings]
        if visit.needs:
            details.append(_("诉求:%(needs)s") % {"needs": visit.needs})
        yield TimelineEntry(
            date=visit.visited_on, kind="visit", title=_("入户走访"), record=visit,
            details=details, helper=visit.labor_model, recorded_at=visit.created_at,
        )
