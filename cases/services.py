"""Rules that span more than one row or more than one request."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import ReviewStatus
from cases.models import Household, Member, ReviewEvent


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
    return "—" if value in (None, "") else str(value)


def check_version(record, form):
    """Lock the stored row and refuse the save if its version moved since ``form`` was opened,
    naming who changed it, when, and the fields the user is about to overwrite."""
    model = type(record)
    current = model._default_manager.select_for_update().get(pk=record.pk)
    loaded_version = form.cleaned_data.get("loaded_version")
    if loaded_version == current.version:
        return
    loaded = current.history.filter(version=loaded_version).first()
    changed = [
        f"{form.fields[name].label}:{_display(loaded, name)} → {_display(current, name)}"
        for name in form.fields
        if loaded is not None
        and name in {f.name for f in model._meta.concrete_fields}
        and _display(loaded, name) != _display(current, name)
    ]
    latest = current.history.first()
    who = latest.history_user if latest and latest.history_user else _("其他用户")
    when = latest.history_date.strftime("%Y-%m-%d %H:%M") if latest else ""
    message = _("您打开此页面后,%(who)s 于 %(when)s 修改了这条记录。") % {
        "who": who, "when": when,
    }
    if changed:
        message += _("对方的修改:") + ";".join(changed) + "。"
    message += _("您填写的内容已保留;请核对后再次提交,将以您的内容为准。")
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
    if not (user.is_county_staff and user.county_id == record.county_id):
        raise PermissionDenied
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
        submitted = model._default_manager.get(pk=record.pk)
        model.history.bulk_history_create([submitted], update=True, default_user=user)
        ReviewEvent.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=submitted.pk,
            county_id=submitted.county_id,
            action=action,
            user=user,
        )
    return submitted


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
