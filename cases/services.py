"""Rules that span more than one row or more than one request."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import ReviewStatus
from cases.models import Household, Member, ReviewEvent
from cases.privacy import mask_personal_number
from cases.summaries import data_changed
from evidence.services import check_required_evidence


class EditConflict(Exception):
    """The record was saved by someone else after the user opened the form."""

    def __init__(self, message, current_version):
        super().__init__(message)
        self.message = message
        self.current_version = current_version


def _display(record, field_name):
    field = record._meta.get_field(field_name)
    if field.choices:
        return dict(field.flatchoices).get(getattr(record, field.attname), "")
    value = getattr(record, field_name, "")
    if value in (None, ""):
        return "—"
    # Masked as in the record's history: the message is shown to whoever edits.
    return str(mask_personal_number(field_name, value))


def _stored(record, field_name):
    return getattr(record, record._meta.get_field(field_name).attname)


def check_version(record, form):
    """Lock the stored row and refuse the save if its version moved since ``form`` was opened,
    naming who changed it, when, and the fields the user is about to overwrite."""
    model = type(record)
    current = model._default_manager.select_for_update().get(pk=record.pk)
    loaded_version = form.cleaned_data.get("loaded_version")
    if loaded_version == current.version:
        # Saved from the locked row's version, not from the one read before the lock.
        record.version = current.version
        return
    loaded = current.history.filter(version=loaded_version).first()
    changed = [
        f"{form.fields[name].label}:{_display(loaded, name)} → {_display(current, name)}"
        for name in form.fields
        if loaded is not None
        and name in {f.name for f in model._meta.concrete_fields}
        # Compared as stored: two numbers can differ only where their masks hide it.
        and _stored(loaded, name) != _stored(current, name)
    ]
    latest = current.history.first()
    user = latest.history_user if latest else None
    who = (user.get_full_name() or user.get_username()) if user else _("其他用户")
    # In the site's time zone, as the record's history shows it.
    when = timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M") if latest else ""
    message = _("您打开此页面后,%(who)s 于 %(when)s 修改了这条记录。") % {
        "who": who, "when": when,
    }
    if changed:
        message += _("对方的修改:") + ";".join(changed) + "。"
    raise EditConflict(message, current.version)


#
# Review, county side
#


class ReviewStepRefused(ValidationError):
    """The record's review status does not allow this step (e.g. it was submitted already,
    perhaps a moment ago in another tab). Nothing was changed."""


def record_submit(*, record, user):
    """Submit a draft or returned record for the city union's review, and return it as stored.

    ``record`` is any ReviewedRecord the caller fetched through ``for_user(user, "change")``;
    only staff of the record's county submit (city reviewers decide, they never submit).

    The status changes by compare-and-set (style anchor #11): an UPDATE that matches the row
    only while it is still in the expected status, so of two simultaneous submits exactly one
    updates a row and the other is refused, whatever either had loaded. It runs once for
    "returned" and once for "draft", so we know which it was without trusting the caller's
    possibly stale instance: a returned record is "resubmitted".

    ``QuerySet.update()`` sends no signals, so django-simple-history writes nothing by itself.
    We reload the row and write its historical row explicitly with ``bulk_history_create``
    (simple-history's own API for rows changed in bulk): one INSERT, the same snapshot a
    ``save()`` would have recorded, attributed to ``user``. This is simpler than locking with
    ``select_for_update`` and calling ``save()``, which SQLite does not honour and which would
    also need a status check in Python.
    """
    if not (user.is_county_staff and type(record).objects.allows(user, record.pk)):
        raise PermissionDenied
    # A kind that needs a receipt or a photo (EVIDENCE_REQUIRED_FOR) waits for it.
    check_required_evidence(record)
    model = type(record)
    rows = model._default_manager.filter(pk=record.pk)
    archivable = any(field.name == "archived_at" for field in model._meta.fields)
    if archivable:
        rows = rows.filter(archived_at__isnull=True)
    transitions = (
        (ReviewStatus.RETURNED, ReviewEvent.Action.RESUBMITTED),
        (ReviewStatus.DRAFT, ReviewEvent.Action.SUBMITTED),
    )
    with transaction.atomic():
        action = None
        for previous_status, candidate in transitions:
            updated = rows.filter(review_status=previous_status).update(
                review_status=ReviewStatus.SUBMITTED,
                version=F("version") + 1,
                updated_at=timezone.now(),
            )
            if updated == 1:
                action = candidate
                break
        if action is None:
            if archivable and model._default_manager.filter(
                pk=record.pk, archived_at__isnull=False
            ).exists():
                raise ReviewStepRefused(_("已归档的记录不能提交审核。"), code="archived")
            raise ReviewStepRefused(_("只有草稿或已退回的记录可以提交"), code="not_submittable")
        return _record_step(model, record.pk, user, action)


def _record_step(model, pk, user, action, comment=""):
    """The record as a review step left it, after writing that step's history row and review
    event (inside the step's transaction)."""
    stepped = model._default_manager.get(pk=pk)
    model.history.bulk_history_create([stepped], update=True, default_user=user)
    ReviewEvent.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_id=stepped.pk,
        county_id=stepped.county_id,
        action=action,
        comment=comment,
        user=user,
    )
    return stepped


def records_submit(*, records, user):
    """Submit each of ``records`` (as ``record_submit``), each on its own: one that cannot be
    submitted (submitted meanwhile in another tab, archived) does not hold back the others.
    Returns ``(submitted, refused)``, ``refused`` as ``[(record, reason)]``."""
    submitted, refused = [], []
    for record in records:
        try:
            submitted.append(record_submit(record=record, user=user))
        except ValidationError as error:
            refused.append((record, " ".join(error.messages)))
    return submitted, refused


#
# Archiving: county staff never delete a household or a member
#


def _archive(record, *, user, reason, update_fields):
    """Stamp ``record`` archived with a normal ``save()``, so history keeps the change and
    who made it (also outside a request, where simple-history's middleware has no user)."""
    record.archived_at = timezone.now()
    record._history_user = user
    record._change_reason = reason
    record.save(update_fields=[*update_fields, "archived_at", "updated_at", "version"])


def household_archive(*, household, user, reason):
    """Archive a household and its members instead of deleting them, and return it.

    Archived rows leave every list (``.active()``), their page stays readable for their
    county, with the reason, and nothing in them can be edited any more. The household and
    each member get a history entry carrying the reason.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写归档原因。"), code="reason_required")
    with transaction.atomic():
        try:
            household = (
                Household.objects.for_user(user, "change").select_for_update().get(pk=household.pk)
            )
        except Household.DoesNotExist:
            raise PermissionDenied from None
        if household.archived_at is not None:
            raise ValidationError(_("该户已归档。"), code="archived")
        household.archive_reason = reason
        _archive(household, user=user, reason=reason, update_fields=["archive_reason"])
        for member in household.members.active().select_for_update():
            _archive(member, user=user, reason=reason, update_fields=[])
    return household


def member_archive(*, member, user):
    """Archive one member (moved away, deceased, registered twice), and return it. The member
    leaves lists and the household's page; history keeps them."""
    with transaction.atomic():
        try:
            member = (
                Member.objects.for_user(user, "change")
                .select_for_update()
                .select_related("household")
                .get(pk=member.pk)
            )
        except Member.DoesNotExist:
            raise PermissionDenied from None
        if member.archived_at is not None:
            raise ValidationError(_("该成员已归档。"), code="archived")
        if member.household.archived_at is not None:
            raise ValidationError(_("该户已归档,不能再修改。"), code="household_archived")
        _archive(member, user=user, reason="", update_fields=[])
    return member


#
# Review, city side
#


def _refuse_decision(model, pk, archivable):
    """Why a decision on row ``pk`` matched nothing: archived, or no longer (or not yet)
    submitted, named with its current status so a second reviewer knows what happened."""
    if archivable and model._default_manager.filter(pk=pk, archived_at__isnull=False).exists():
        return ReviewStepRefused(_("已归档的记录不能审核。"), code="archived")
    current = model._default_manager.filter(pk=pk).first()
    status = current.get_review_status_display() if current else ""
    return ReviewStepRefused(
        _("该记录当前状态为“%(status)s”,只有待审核的记录可以审核通过或退回。")
        % {"status": status},
        code="not_submitted",
    )


def _record_decide(*, record, user, status, action, comment=""):
    """Move ``record`` from submitted to ``status`` by compare-and-set, with one history row and
    one review event, in one transaction (the shape of ``record_submit``)."""
    if not user.is_city_reviewer:
        raise PermissionDenied
    model = type(record)
    rows = model._default_manager.filter(pk=record.pk, review_status=ReviewStatus.SUBMITTED)
    archivable = any(field.name == "archived_at" for field in model._meta.fields)
    if archivable:
        rows = rows.filter(archived_at__isnull=True)
    with transaction.atomic():
        updated = rows.update(
            review_status=status, version=F("version") + 1, updated_at=timezone.now()
        )
        if updated != 1:
            raise _refuse_decision(model, record.pk, archivable)
        return _record_step(model, record.pk, user, action, comment)


def record_approve(*, record, user):
    """Approve a submitted record, and return it as stored.

    Deciding is the city programme office's job: only city reviewers decide; county staff and
    administrators are refused (``PermissionDenied``). Only a submitted record is approved,
    by compare-and-set as in ``record_submit``: of two reviewers acting on the same record at
    once, exactly one changes it and the other gets ``ReviewStepRefused``, whatever either had
    loaded. The decision writes one history row and one ``ReviewEvent``.
    """
    return _record_decide(
        record=record, user=user,
        status=ReviewStatus.APPROVED, action=ReviewEvent.Action.APPROVED,
    )


def record_return(*, record, user, comment):
    """Return a submitted record to its county for correction, with the reviewer's comment
    (required: it is what the county reads before correcting and resubmitting), and return it
    as stored. The same rules as ``record_approve``."""
    if not user.is_city_reviewer:
        raise PermissionDenied
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("退回修改时须填写审核意见。"), code="comment_required")
    return _record_decide(
        record=record, user=user,
        status=ReviewStatus.RETURNED, action=ReviewEvent.Action.RETURNED, comment=comment,
    )


def records_bulk_approve(*, records_queryset, user):
    """Approve every submitted record of ``records_queryset`` (one model's rows, e.g. the
    review queue's filtered selection), and return how many were approved.

    One transaction and a fixed number of queries however many rows: the submitted rows are
    read and locked (``select_for_update``: on PostgreSQL a reviewer deciding one of them
    meanwhile waits for us, and then finds it no longer submitted), approved by one UPDATE
    that still requires "submitted" (compare-and-set), and their history rows and review
    events are written with one ``bulk_history_create`` and one ``bulk_create``. Archived
    rows are never approved. Rows that are not submitted are left alone.
    """
    if not user.is_city_reviewer:
        raise PermissionDenied
    model = records_queryset.model
    selected = model._default_manager.filter(
        pk__in=records_queryset.order_by().values("pk"), review_status=ReviewStatus.SUBMITTED
    )
    if any(field.name == "archived_at" for field in model._meta.fields):
        selected = selected.filter(archived_at__isnull=True)
    with transaction.atomic():
        records = list(selected.select_for_update().order_by("pk"))
        if not records:
            return 0
        now = timezone.now()
        # The same selection again rather than a list of ids, which could outgrow the
        # database's limit on query parameters.
        updated = selected.update(
            review_status=ReviewStatus.APPROVED, version=F("version") + 1, updated_at=now
        )
        if updated != len(records):
            # The selection moved between the read and the UPDATE (a record submitted
            # meanwhile; or, where rows cannot be locked, one decided meanwhile). Undo
            # everything rather than write events that do not match the rows changed.
            raise ReviewStepRefused(
                _("所选的待审核记录刚刚有变化,未做任何修改,请刷新后重试。"),
                code="changed_meanwhile",
            )
        # The rows are locked and the UPDATE set exactly these values: the snapshots the
        # history keeps are the stored rows, without reading them again.
        for record in records:
            record.review_status = ReviewStatus.APPROVED
            record.version += 1
            record.updated_at = now
        model.history.bulk_history_create(records, update=True, default_user=user)
        content_type = ContentType.objects.get_for_model(model)
        ReviewEvent.objects.bulk_create(
            ReviewEvent(
                content_type=content_type,
                object_id=record.pk,
                county_id=record.county_id,
                action=ReviewEvent.Action.APPROVED,
                user=user,
            )
            for record in records
        )
        # Neither the UPDATE nor bulk_create sends signals: the dashboard's snapshots of these
        # counties are marked outdated here, in the same transaction.
        data_changed({record.county_id for record in records})
    return len(records)
