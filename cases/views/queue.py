"""Review, city side: the queue of submitted records, and approving or returning them.

Only city reviewers use these pages (deciding is the city programme office's job; county staff
and administrators get 403). The queue, its counts and the bulk approval select their rows with
the same FilterSet, so a figure, the rows it links to and what "approve all" approves cannot
disagree.
"""

import logging
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.query import EmptyQuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases.choices import ReviewStatus
from cases.filters import ReviewQueueFilterSet
from cases.kinds import REVIEWED_MODELS, by_model
from cases.models import (
    AdvancedCollective,
    County,
    DividendPayment,
    Employment,
    Enterprise,
    FinanceAgreement,
    Household,
    IndustryProject,
    LaborModel,
    MaterialAid,
    Pairing,
    ReviewEvent,
    TrainingSession,
    VolunteerEvent,
    VolunteerTeam,
    Workshop,
)
from cases.selectors import review_events_for
from cases.services import record_approve, record_return, records_bulk_approve
from evidence.services import attachments_by_record

from .generic import log_record_action
from .review import reviewed_model

QUEUE_PAGE_SIZE = 50
# The reviewer's one-click reason for returning a record whose evidence is missing.
MISSING_EVIDENCE = "missing_evidence"
MISSING_EVIDENCE_COMMENT = gettext_lazy("缺少佐证材料:请上传收据、签到表或现场照片后重新提交。")


def _require_city_reviewer(user):
    if not user.is_city_reviewer:
        raise PermissionDenied


def queue_rows(model, user):
    """``model``'s submitted, unarchived rows that ``user`` may see, annotated with when and by
    whom they were last submitted: the latest submit or resubmit event, else (rows submitted
    before review events were kept, such as the demo data) ``updated_at`` and nobody.

    While a record waits for review, ``updated_at`` is its submission time anyway: an edit
    sends it back to draft. The event is preferred because it is what the county did.
    """
    latest_submit = ReviewEvent.objects.filter(
        content_type__app_label="cases",
        content_type__model=model._meta.model_name,
        object_id=OuterRef("pk"),
        action__in=(ReviewEvent.Action.SUBMITTED, ReviewEvent.Action.RESUBMITTED),
    ).order_by("-created_at", "-id")
    rows = model.objects.for_user(user).active().filter(review_status=ReviewStatus.SUBMITTED)
    return rows.annotate(
        submitted_at=Coalesce(Subquery(latest_submit.values("created_at")[:1]), F("updated_at")),
        submitted_by_id=Subquery(latest_submit.values("user")[:1]),
    )


def queue_selections(filterset, user):
    """``[(model, rows)]``: each reviewed model's queue rows that the valid ``filterset``
    keeps, in the home page's order; models its kind filter rules out are left out."""
    selections = []
    for model in REVIEWED_MODELS:
        rows = filterset.filter_queryset(queue_rows(model, user))
        if not isinstance(rows, EmptyQuerySet):
            selections.append((model, rows))
    return selections


#
# Counts per county and kind
#


@dataclass
class QueueCell:
    count: int
    url: str


@dataclass
class QueueCountyRow:
    county: County
    url: str
    cells: list = field(default_factory=list)
    total: int = 0


@dataclass
class QueueCounts:
    """The counts table: ``kinds`` are ``(label, total, url)`` columns, ``rows`` one per
    county, each with one cell per kind (``None`` where the county has none)."""

    kinds: list
    rows: list
    total: int
    # (county id, model, count) for every non-empty cell, in the queue's order: by county
    # code, then kind. The rows of a page are read from the cells the page covers.
    cells: list = field(default_factory=list)


def _queue_url(request, **params):
    """The queue with the request's filters, ``params`` replacing some (a county, a kind)."""
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in params.items():
        query[name] = value
    return f"{reverse('cases:review_queue')}?{query.urlencode()}"


def queue_counts(request, selections):
    """How many records wait per county × kind, one grouped query per model (plus one for
    the counties' names), each figure linking to the queue filtered to it."""
    per_model = []
    for model, rows in selections:
        # COUNT(*), not of the key: the (review_status, county) index of the big tables
        # then answers it alone (an index-only scan), without reading the rows.
        by_county = dict(
            rows.order_by().values("county").annotate(n=Count("*")).values_list("county", "n")
        )
        if by_county:
            per_model.append((model, by_county))
    county_ids = set().union(*(by_county for _model, by_county in per_model))
    counties = (
        County.objects.for_user(request.user).filter(pk__in=county_ids).order_by("code")
        if county_ids else []
    )
    kinds = [
        (
            model._meta.verbose_name,
            sum(by_county.values()),
            _queue_url(request, kind=model._meta.model_name),
        )
        for model, by_county in per_model
    ]
    rows, cells = [], []
    for county in counties:
        row = QueueCountyRow(county=county, url=_queue_url(request, county=county.pk))
        for model, by_county in per_model:
            count = by_county.get(county.pk, 0)
            url = _queue_url(request, county=county.pk, kind=model._meta.model_name)
            row.cells.append(QueueCell(count, url) if count else None)
            row.total += count
            if count:
                cells.append((county.pk, model, count))
        rows.append(row)
    return QueueCounts(
        kinds=kinds, rows=rows, total=sum(row.total for row in rows), cells=cells
    )


#
# What a reviewer reads on a row: who, what, how much, when, for which household
#

# model → (who, what, amount, date, household): attribute paths on the record, None where the
# kind has no such fact. A choice field's path shows its label.
REVIEW_FACTS = {
    Household: ("head_name", "attribute", None, "identified_on", ""),
    Pairing: ("helper", "mode", None, "start_date", "household"),
    LaborModel: ("name", "honour_level", None, "year_awarded", None),
    AdvancedCollective: ("name", "honour", None, "year_awarded", None),
    Enterprise: ("name", "kind", None, None, None),
    VolunteerTeam: ("name", "field", None, "founded_on", None),
    TrainingSession: ("trainer", "topic", None, "held_on", None),
    IndustryProject: ("enterprise", "name", "funds", "started_on", None),
    Workshop: ("enterprise", "name", None, "opened_on", None),
    FinanceAgreement: ("enterprise", "model", "funds", "signed_on", "household"),
    DividendPayment: ("agreement.enterprise", "year", "amount", "paid_on", "agreement.household"),
    Employment: ("member", "employer", "monthly_wage", "started_on", "member.household"),
    VolunteerEvent: ("team", "title", None, "held_on", None),
    MaterialAid: ("labor_model", "kind", "value", "given_on", "household"),
}
# The joins the facts read, beyond the record's name (``RecordKind.display_related``): one
# query per kind.
FACTS_RELATED = {
    Employment: ("member__household",),
    IndustryProject: ("enterprise",),
    Workshop: ("enterprise",),
    VolunteerEvent: ("team",),
    MaterialAid: ("household", "labor_model"),
}


@dataclass
class ReviewFacts:
    who: object = None
    what: object = None
    amount: object = None
    date: object = None
    household: object = None


def _fact(record, path):
    if path is None:
        return None
    if path == "":
        return record
    value = record
    for name in path.split("."):
        display = getattr(value, f"get_{name}_display", None)
        value = display() if display else getattr(value, name, None)
        if value is None:
            return None
    return value


def review_facts(record):
    """The record's key facts for the queue's row and the record panel beside it."""
    paths = REVIEW_FACTS.get(type(record), (None,) * 5)
    return ReviewFacts(*(_fact(record, path) for path in paths))


#
# The rows, a page at a time
#


def _page_url(record):
    """The record's page; None where that is its edit form (volunteer teams and events have
    no page yet), which reviewers may not open."""
    url = record.get_absolute_url()
    return None if resolve(url).url_name.endswith("_edit") else url


class QueueRows:
    """The queue's rows of every model in one order: by county, by kind (the home page's
    order), oldest submission first. Sliced by the paginator, a page reads its keys from the
    county × kind cells it covers (their counts are known: ``QueueCounts.cells``), one query
    per cell, oldest first within it; then one query per model on the page (with the joins
    its name and page link read) and one for the submitters. The submission time, a
    subquery, is computed for the rows of those cells only, not for every waiting record."""

    def __init__(self, selections, counts, user):
        self.selections = selections
        self.user = user
        self.cells = counts.cells
        self.total = counts.total
        self.positions = {model: position for position, (model, _rows) in enumerate(selections)}

    def count(self):
        return self.total

    def __len__(self):
        return self.total

    def __getitem__(self, page):
        if not isinstance(page, slice):
            raise TypeError("QueueRows is only sliced")
        if not self.selections or not self.total:
            return []
        start, stop = page.start or 0, page.stop
        parts, first = [], 0
        for county_id, model, count in self.cells:
            last = first + count
            if last > start and first < stop:
                position = self.positions[model]
                rows = self.selections[position][1].filter(county_id=county_id)
                parts.append(
                    rows.annotate(kind_position=Value(position), county_code=F("county__code"))
                    .order_by("submitted_at", "id")
                    .values_list(
                        "county_code", "kind_position", "submitted_at", "id", "submitted_by_id"
                    )[max(start - first, 0): stop - first]
                )
            if last >= stop:
                break
            first = last
        if len(parts) > 1 and connection.features.supports_slicing_ordering_in_compound:
            # One query: the cells' slices as one UNION ALL, in the queue's order.
            keys = list(
                parts[0].union(*parts[1:], all=True)
                .order_by("county_code", "kind_position", "submitted_at", "id")
            )
        else:  # SQLite cannot slice inside a UNION: one query per cell the page covers
            keys = [key for part in parts for key in part]

        wanted = {}
        for _code, position, _at, pk, _by in keys:
            wanted.setdefault(position, []).append(pk)
        records = {}
        for position, pks in wanted.items():
            model = self.selections[position][0]
            found = model.objects.for_user(self.user).select_related(
                "county", *by_model(model).display_related, *FACTS_RELATED.get(model, ())
            )
            records[position] = found.in_bulk(pks)
        submitter_ids = {by for *_rest, by in keys if by is not None}
        submitters = get_user_model().objects.in_bulk(submitter_ids)

        page_rows = []
        for _code, position, submitted_at, pk, submitted_by_id in keys:
            record = records[position].get(pk)
            if record is None:  # deleted since the keys were read
                continue
            record.kind_label = record._meta.verbose_name
            record.submitted_at = submitted_at
            record.submitted_by = submitters.get(submitted_by_id)
            record.page_url = _page_url(record)
            name = record._meta.model_name
            record.approve_url = reverse("cases:record_approve", args=[name, record.pk])
            record.return_url = reverse("cases:record_return", args=[name, record.pk])
            record.key = f"{name}:{record.pk}"
            record.facts = review_facts(record)
            page_rows.append(record)
        return page_rows


def _record_by_key(key, user):
    """The record ``model:pk`` names, if ``user`` may see it and it is a reviewed kind."""
    model_name, _sep, pk = (key or "").partition(":")
    if not pk.isdigit():
        return None
    try:
        model = reviewed_model(model_name)
    except Http404:
        return None
    return model.objects.for_user(user).filter(pk=pk).first()


def _opened_record(request):
    """The record the reviewer opened beside the queue (``?open=model:pk``), with its facts,
    page and review trail; None when nothing (or nothing visible) is open."""
    record = _record_by_key(request.GET.get("open"), request.user)
    if record is None:
        return None
    name = record._meta.model_name
    record.kind_label = record._meta.verbose_name
    record.facts = review_facts(record)
    record.page_url = _page_url(record)
    record.review_events = review_events_for(record, request.user)
    record.approve_url = reverse("cases:record_approve", args=[name, record.pk])
    record.return_url = reverse("cases:record_return", args=[name, record.pk])
    record.key = f"{name}:{record.pk}"
    return record


def has_filters(filterset):
    """Whether the reviewer narrowed the queue: "approve all" is offered only then."""
    return filterset.is_valid() and any(
        value not in (None, "", [], ()) for value in filterset.form.cleaned_data.values()
    )


@login_required
def review_queue(request):
    """Submitted records waiting for the city's decision, with counts per county and kind,
    filters, each row's key facts, the record opened beside the rows, deciding on one row or
    on the rows ticked, and approving a whole filtered selection."""
    _require_city_reviewer(request.user)
    filterset = ReviewQueueFilterSet(request.GET, request=request)
    selections = queue_selections(filterset, request.user) if filterset.is_valid() else []
    counts = queue_counts(request, selections)
    paginator = Paginator(QueueRows(selections, counts, request.user), QUEUE_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    # Each row's evidence files, as thumbnails: one query per kind on the page.
    files = attachments_by_record(page_obj.object_list, request.user)
    for record in page_obj.object_list:
        record.evidence_files = files.get((type(record), record.pk), [])
    return render(
        request,
        "cases/review_queue.html",
        {
            "filter": filterset,
            "counts": counts,
            "page_obj": page_obj,
            "rows": page_obj.object_list,
            "opened": _opened_record(request),
            "filtered": has_filters(filterset),
            # Bulk approval stops at what the page showed: nothing submitted after it.
            "shown_at": timezone.now().isoformat(),
        },
    )


#
# Decisions: POST only, then back to where the reviewer was
#


def _next_url(request):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("cases:review_queue")


def _decide(request, model_name, pk, decide, success_message):
    model = reviewed_model(model_name)
    _require_city_reviewer(request.user)
    record = model.objects.get_or_deny(request.user, pk, "view")
    try:
        decided = decide(record)
    except ValidationError as error:
        log_record_action(logging.WARNING, "decision refused", record)
        messages.error(request, " ".join(error.messages))
    else:
        log_record_action(logging.INFO, decided.review_status, decided)
        messages.success(request, success_message % {"record": record})
    return redirect(_next_url(request))


@login_required
@require_POST
def approve_record(request, model_name: str, pk: int):
    """Approve one submitted record."""
    return _decide(
        request, model_name, pk,
        lambda record: record_approve(record=record, user=request.user),
        _("已审核通过:%(record)s"),
    )


@login_required
@require_POST
def return_record(request, model_name: str, pk: int):
    """Return one submitted record to its county, with the reviewer's (required) comment, or
    for missing evidence (the preset reason, with the reviewer's comment after it if any)."""
    comment = request.POST.get("comment", "").strip()
    if request.POST.get("reason") == MISSING_EVIDENCE:
        comment = " ".join(filter(None, [str(MISSING_EVIDENCE_COMMENT), comment]))
    return _decide(
        request, model_name, pk,
        lambda record: record_return(record=record, user=request.user, comment=comment),
        _("已退回县区修改:%(record)s"),
    )


@login_required
@require_POST
def decide_selected(request):
    """Approve, or return with one comment, the rows the reviewer ticked (``record``:
    ``model:pk``), all in one transaction: if one cannot be decided (decided meanwhile by a
    colleague), nothing is, and the message names it."""
    _require_city_reviewer(request.user)
    returning = request.POST.get("decision") == "return"
    comment = request.POST.get("comment", "")
    records = [
        record for record in (
            _record_by_key(key, request.user) for key in request.POST.getlist("record")
        ) if record is not None
    ]
    if not records:
        messages.info(request, _("请先勾选要审核的记录。"))
        return redirect(_next_url(request))
    try:
        with transaction.atomic():
            for record in records:
                try:
                    if returning:
                        record_return(record=record, user=request.user, comment=comment)
                    else:
                        record_approve(record=record, user=request.user)
                except ValidationError as error:
                    raise ValidationError(
                        _("%(record)s:%(reason)s") % {
                            "record": record, "reason": " ".join(error.messages),
                        }
                    ) from error
    except ValidationError as error:
        messages.error(request, _("未做任何修改。") + " ".join(error.messages))
    else:
        for record in records:
            log_record_action(
                logging.INFO, "returned" if returning else "approved", record
            )
        message = (
            _("已退回县区修改 %(count)s 条记录。") if returning
            else _("已审核通过 %(count)s 条记录。")
        )
        messages.success(request, message % {"count": len(records)})
    return redirect(_next_url(request))


def _parse_shown_at(value):
    try:
        shown_at = parse_datetime(value)
    except ValueError:
        return None
    if shown_at is not None and timezone.is_naive(shown_at):
        shown_at = timezone.make_aware(shown_at)
    return shown_at


@login_required
@require_POST
def bulk_approve(request):
    """Approve every submitted record the posted queue filters select, submitted no later
    than the queue page was shown (``shown_at``), all in one transaction."""
    _require_city_reviewer(request.user)
    filterset = ReviewQueueFilterSet(request.POST, request=request)
    if not filterset.is_valid():
        messages.error(request, _("筛选条件有误,未做任何修改。"))
        return redirect(_next_url(request))
    if not has_filters(filterset):
        messages.error(request, _("请先筛选出要全部审核通过的记录(如县区、类型),查看后再操作。"))
        return redirect(_next_url(request))
    shown_at = _parse_shown_at(request.POST.get("shown_at", ""))
    approved = 0
    try:
        with transaction.atomic():
            for _model, rows in queue_selections(filterset, request.user):
                if shown_at is not None:
                    rows = rows.filter(submitted_at__lte=shown_at)
                approved += records_bulk_approve(records_queryset=rows, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if approved:
            messages.success(request, _("已审核通过 %(count)s 条记录。") % {"count": approved})
        else:
            messages.info(request, _("没有可以审核通过的记录。"))
    return redirect(_next_url(request))
