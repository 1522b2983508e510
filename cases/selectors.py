"""Read-side helpers that assemble what a page shows from several models, each in a fixed
number of queries however many rows there are (HackSoft "selectors", next to services)."""

import datetime
from dataclasses import dataclass

from django.db.models import F, Max, OuterRef, Q, Subquery
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.choices import ReviewStatus
from cases.fields import ResidentIDDigestField
from cases.kinds import KINDS, REVIEWED_MODELS, by_list_url_name, by_model
from cases.models import (
    DividendPayment,
    Employment,
    FinanceAgreement,
    IndustryProject,
    MaterialAid,
    Pairing,
    ReviewEvent,
    TrainingSession,
    VolunteerEvent,
)
from cases.privacy import PERSONAL_NUMBER_MASKS, mask_personal_number

#
# Review comments
#


def latest_return_comments(records):
    """The city's latest return event of each returned record in ``records`` (any mix of
    ReviewedRecord models), as ``{(model_name, pk): ReviewEvent}``; one query, or none when no
    record is returned. Matching on the content type's name, not its id, keeps the count
    fixed: ``ContentType.objects.get_for_model`` may query when its cache is cold."""
    returned = {}
    for record in records:
        if record.review_status == ReviewStatus.RETURNED:
            returned.setdefault(record._meta.model_name, set()).add(record.pk)
    if not returned:
        return {}
    condition = Q()
    for model_name, pks in returned.items():
        condition |= Q(content_type__model=model_name, object_id__in=pks)
    events = (
        ReviewEvent.objects.filter(condition, content_type__app_label="cases")
        .filter(action=ReviewEvent.Action.RETURNED)
        .select_related("content_type", "user")
        .order_by("-created_at", "-id")
    )
    latest = {}
    for event in events:
        latest.setdefault((event.content_type.model, event.object_id), event)
    return latest


def return_comment_for(comments, record):
    event = comments.get((record._meta.model_name, record.pk))
    return event.comment if event else ""


def review_events_for(record, user, limit=10):
    """The latest ``limit`` review steps of ``record`` that ``user`` may see, newest first."""
    return list(
        ReviewEvent.objects.for_user(user)
        .filter(
            content_type__app_label="cases",
            content_type__model=record._meta.model_name,
            object_id=record.pk,
        )
        .select_related("user")[:limit]
    )


#
# A household's timeline of help received
#


def household_timeline(household):
    """Every piece of help ``household`` and its members received (archived members too: it
    is the household's history), newest first, each with its review status and, when the city
    returned it, the reviewer's latest comment.

    One query per kind of help, plus one for the comments when something is returned: the
    count never depends on how many rows there are.
    """
    entries = [
        entry for kind in KINDS if kind.timeline for entry in kind.timeline(household)
    ]
    comments = latest_return_comments(entry.record for entry in entries)
    for entry in entries:
        entry.return_comment = return_comment_for(comments, entry.record)
    entries.sort(key=lambda entry: (entry.date, entry.recorded_at), reverse=True)
    return entries


# What each kind of help is dated by.
HELP_DATES = (
    (Pairing, "start_date"),
    (TrainingSession, "held_on"),
    (IndustryProject, "started_on"),
    (FinanceAgreement, "signed_on"),
    (DividendPayment, "paid_on"),
    (Employment, "started_on"),
    (VolunteerEvent, "held_on"),
    (MaterialAid, "given_on"),
)


def latest_help_date(user):
    """The latest day (not after today) any help ``user`` may see is dated; None if none."""
    today = timezone.localdate()
    dates = [
        model.objects.for_user(user)
        .filter(**{f"{name}__lte": today})
        .aggregate(latest=Max(name))["latest"]
        for model, name in HELP_DATES
    ]
    return max((day for day in dates if day), default=None)


@dataclass
class Draft:
    """A record the household's page offers to submit, with the page's name for it."""

    record: object
    label: str

    @property
    def key(self):
        return f"{self.record._meta.model_name}:{self.record.pk}"


def household_drafts(household, user, timeline=None):
    """What ``user`` may submit for the city's review from the household's page, in the
    page's order: the household itself, then the help in its ``timeline`` that its own county
    recorded, each record once (a session appears once per attending member), only drafts
    and returned records. Empty for anyone but staff of the household's county. Named as the
    timeline names them, so listing them costs no query."""
    if not (user.is_county_staff and user.county_id == household.county_id):
        return []
    if household.archived_at is not None:
        return []
    if timeline is None:
        timeline = household_timeline(household)
    candidates = [
        Draft(household, f"{capfirst(household._meta.verbose_name)} {household.head_name}"),
        *(Draft(entry.record, f"{entry.kind_label} {entry.title}") for entry in timeline),
    ]
    drafts, seen = [], set()
    for draft in candidates:
        if draft.key in seen or draft.record.county_id != household.county_id:
            continue
        seen.add(draft.key)
        if draft.record.review_status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
            drafts.append(draft)
    return drafts


#
# Change history
#


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    date: datetime.datetime
    user: object
    action: str
    reason: str
    changes: list


HISTORY_ACTIONS = {
    "+": gettext_lazy("创建"),
    "~": gettext_lazy("修改"),
    "-": gettext_lazy("删除"),
}
# Bookkeeping that changes on every save, or follows from another field (the county from the
# village): listing it would only hide the real change.
HISTORY_SKIPPED_FIELDS = {"id", "created_at", "updated_at", "version", "county"}


def _history_value(model_field, value, related):
    if value is None or value == "":
        return "—"
    if model_field.name in PERSONAL_NUMBER_MASKS:
        return mask_personal_number(model_field.name, value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        found = related.get(model_field.related_model, {}).get(value)
        return str(found) if found is not None else f"#{value}"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def record_history(record, limit=20):
    """The latest ``limit`` entries of ``record``'s django-simple-history, newest first, each
    with the fields it changed (old → new, as the pages show them: choices by label, related
    rows by name, ID numbers and phones masked). One query for the history, and one per
    related model whose value changed, to name the rows."""
    model = type(record)
    rows = list(
        record.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    fields = [
        model._meta.get_field(f.name)
        for f in record.history.model.tracked_fields
        # A keyed hash changes with its ID number, which is listed (masked) already.
        if f.name not in HISTORY_SKIPPED_FIELDS and not isinstance(f, ResidentIDDigestField)
    ]
    by_name = {f.name: f for f in fields}
    # diff_against compares what a form can edit; the fields services set (archived_at,
    # archive_reason) are compared here, the same way.
    editable = [f.name for f in fields if f.editable]
    service_set = [f for f in fields if not f.editable]
    per_row_changes = []
    for newer, older in zip(rows[:limit], [*rows[1:], None], strict=False):
        if older is None:
            per_row_changes.append([])
            continue
        changes = [
            (change.field, change.old, change.new)
            for change in newer.diff_against(older, included_fields=editable).changes
        ]
        changes += [
            (f.name, getattr(older, f.attname), getattr(newer, f.attname))
            for f in service_set
            if getattr(older, f.attname) != getattr(newer, f.attname)
        ]
        per_row_changes.append(changes)

    # Name every related row that appears in a change, one query per related model.
    wanted = {}
    for changes in per_row_changes:
        for name, old, new in changes:
            if by_name[name].is_relation:
                wanted.setdefault(by_name[name].related_model, set()).update({old, new} - {None})
    related = {
        related_model: related_model._default_manager.select_related().in_bulk(pks)
        for related_model, pks in wanted.items()
    }

    entries = []
    for row, changes in zip(rows[:limit], per_row_changes, strict=True):
        changes = [
            FieldChange(
                label=str(by_name[name].verbose_name),
                old=_history_value(by_name[name], old, related),
                new=_history_value(by_name[name], new, related),
            )
            for name, old, new in changes
        ]
        entries.append(
            HistoryEntry(
                date=row.history_date,
                user=row.history_user,
                action=HISTORY_ACTIONS.get(row.history_type, row.history_type),
                reason=row.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


#
# The home page's work list (county staff)
#


@dataclass
class ListLink:
    """A figure and the list page that shows exactly the rows it counts (``url`` is None when
    that list does not exist)."""

    label: str
    count: int
    url: str = None
    # The count stopped at ``count``: there are more rows (shown as "more than").
    capped: bool = False


def list_count(request, url_name, limit=None, **params):
    """How many rows the list page ``url_name`` shows to ``request.user`` for the query
    ``params``, and that page's URL with them. With ``limit``, counting stops after that
    many rows and the link says there are more (``capped``).

    The count runs the page's own rows and FilterSet (``cases.kinds``), exactly as the page
    does (django-filter's FilterView: an invalid filter shows nothing), so a figure and the
    list it links to cannot disagree. One COUNT query.
    """
    kind = by_list_url_name(url_name)
    data = QueryDict(mutable=True)
    data.update(params)
    rows = kind.list_queryset(kind.listed(kind.model.objects.for_user(request.user)))
    filterset = kind.filterset(data, queryset=rows, request=request)
    if not filterset.is_valid():
        count = 0
    elif limit is None:
        count = filterset.qs.count()
    else:
        count = filterset.qs.order_by().values("pk")[: limit + 1].count()
    path = reverse(url_name)
    link = ListLink(label="", count=min(count, limit or count), url=f"{path}?{data.urlencode()}")
    link.capped = limit is not None and count > limit
    return link


def _review_status_counts(request, status):
    """Per reviewed model with rows in ``status``: the count and its filtered list."""
    links = []
    for model in REVIEWED_MODELS:
        link = list_count(request, by_model(model).list_url_name, review_status=status)
        if link.count:
            link.label = str(model._meta.verbose_name_plural)
            link.model = model
            links.append(link)
    return links


def recently_returned(user, models, limit=10):
    """The ``limit`` records of ``models`` most recently returned by the city and not yet
    resubmitted, newest first, each with ``returned_at``, the reviewer's ``return_comment``
    and its ``kind_label``. One query per model."""
    rows = []
    for model in models:
        latest_return = ReviewEvent.objects.filter(
            content_type__app_label="cases",
            content_type__model=model._meta.model_name,
            object_id=OuterRef("pk"),
            action=ReviewEvent.Action.RETURNED,
        ).order_by("-created_at", "-id")
        records = model.objects.for_user(user).active().filter(
            review_status=ReviewStatus.RETURNED
        )
        rows += (
            records.select_related(*by_model(model).display_related)
            .annotate(
                returned_at=Subquery(latest_return.values("created_at")[:1]),
                return_comment=Subquery(latest_return.values("comment")[:1]),
            )
            .order_by(F("returned_at").desc(nulls_last=True), "-pk")[:limit]
        )
    for row in rows:
        row.kind_label = row._meta.verbose_name
    oldest = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    rows.sort(key=lambda row: row.returned_at or oldest, reverse=True)
    return rows[:limit]


WORK_COUNT_LIMIT = 1_000


@dataclass
class CountyWorkList:
    unpaired_households: ListLink
    idle_pairings: ListLink
    returned: list
    drafts: list
    recent_returns: list

    @property
    def returned_total(self):
        return sum(link.count for link in self.returned)

    @property
    def drafts_total(self):
        return sum(link.count for link in self.drafts)


def county_work_list(request):
    """What county staff should look at next, each figure linking to the list of its rows:
    households nobody is paired with, pairings with no recent help, records the city
    returned (with the latest of them and the reviewer's comment) and drafts not yet
    submitted.

    A fixed number of COUNT queries (two, plus two per reviewed model), plus one query per
    model that has returned records for the short list.
    """
    # Each of the two first figures is a per-row test (EXISTS probes) over the county's
    # households or pairings: counting stops at WORK_COUNT_LIMIT rows found, so a county
    # where most pairings are idle (every one probed 12 times: 0.6 s for 21,000 pairings)
    # is counted in a few ms and shown as "超过 1000" (more than 1,000).
    unpaired = list_count(request, "cases:household_list", WORK_COUNT_LIMIT, unpaired="true")
    unpaired.label = _("无在帮结对的贫困户")
    idle = list_count(request, "cases:pairing_list", WORK_COUNT_LIMIT, idle="true")
    idle.label = _("近90天无帮扶记录的结对")
    returned = _review_status_counts(request, ReviewStatus.RETURNED)
    return CountyWorkList(
        unpaired_households=unpaired,
        idle_pairings=idle,
        returned=returned,
        drafts=_review_status_counts(request, ReviewStatus.DRAFT),
        recent_returns=recently_returned(request.user, [link.model for link in returned]),
    )


def list_links():
    """Every list page, for the home page's shortcuts."""
    return [
        ListLink(
            label=str(kind.model._meta.verbose_name_plural), count=None,
            url=reverse(kind.list_url_name),
        )
        for kind in KINDS
    ]
