"""Personal information: who may see a full ID or phone number, and the logs of every look
and every export (PIPL's "minimum necessary": everything is masked unless someone with a need
asks, and each time is recorded)."""

import datetime
import logging
import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from cases.models import ExportLog, RevealLog
from cases.validators import mask_id_number, mask_phone

logger = logging.getLogger("cases.security")

# How each personal number is masked, wherever it is shown: pages, forms, history, messages.
PERSONAL_NUMBER_MASKS = {"id_number": mask_id_number, "phone": mask_phone}
EXPORT_PERMISSION = "cases.export_records"
# A list searched by a whole ID number or phone number: the log keeps the filter, masked like
# everywhere else (a mobile number, or a landline with its area code).
FULL_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
FULL_PHONE = re.compile(r"(?<![\d-])(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?![\d-])")


def masked_query(query):
    """The query string ``query`` with every whole ID or phone number in it masked."""
    query = FULL_ID_NUMBER.sub(lambda match: mask_id_number(match[0]), query)
    return FULL_PHONE.sub(lambda match: mask_phone(match[0]), query)


def names_personal_number(query):
    """Whether ``query`` holds a whole ID or phone number (which its log keeps masked)."""
    return bool(FULL_ID_NUMBER.search(query) or FULL_PHONE.search(query))


def mask_personal_number(field_name, value):
    """``value`` masked when ``field_name`` holds a personal number (an ID number, a phone),
    otherwise ``value`` itself."""
    mask = PERSONAL_NUMBER_MASKS.get(field_name)
    return mask(value) if mask is not None and value else value


def revealable_fields(model):
    """The fields of ``model`` shown masked that may be revealed (``RecordKind.revealable``)."""
    # Imported here: the record kinds are declared with the forms, which read this module.
    from cases import kinds

    kind = kinds.by_model(model)
    return kind.revealable if kind else ()


def revealable_model(model_name, field_name):
    """The model called ``model_name`` if ``field_name`` of it may be revealed; else 404."""
    from cases import kinds  # see revealable_fields

    kind = kinds.by_name(model_name)
    if kind is None or field_name not in kind.revealable:
        raise Http404
    return kind.model


def may_reveal(user, record):
    """Only county staff of the record's county: they call and visit the people. City
    reviewers judge records, not people, and administrators run the system; neither needs a
    whole number, so they see it masked like everyone else."""
    return bool(user.is_county_staff and user.county_id and record.county_id == user.county_id)


class RevealLimitReached(Exception):
    """The user has revealed ``REVEAL_LIMIT_PER_HOUR`` numbers in the last hour."""


def reveal(user, record, field_name):
    """The full value of ``field_name``, logged first. PermissionDenied unless ``may_reveal``;
    ``RevealLimitReached`` past ``REVEAL_LIMIT_PER_HOUR`` reveals by the user in an hour (a
    clerk calls a few people an hour; a script harvesting numbers is stopped, and logged)."""
    if not may_reveal(user, record):
        raise PermissionDenied
    since = timezone.now() - datetime.timedelta(hours=1)
    if RevealLog.objects.filter(user=user, revealed_at__gte=since).count() >= (
        settings.REVEAL_LIMIT_PER_HOUR
    ):
        logger.warning("reveal refused for user %s: hourly limit reached", user.pk)
        raise RevealLimitReached
    RevealLog.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        field_name=field_name,
        county_id=record.county_id,
    )
    return getattr(record, field_name)


def require_export_permission(user):
    if not user.has_perm(EXPORT_PERMISSION):
        raise PermissionDenied


def start_export(request, file_format):
    """Check the permission and open the log row of an export of the page at ``request``."""
    require_export_permission(request.user)
    return ExportLog.objects.create(
        user=request.user,
        list_name=request.resolver_match.view_name,
        path=request.path[:200],
        query=masked_query(request.GET.urlencode()),
        file_format=file_format,
    )


def finish_export(log, row_count, completed=True):
    ExportLog.objects.filter(pk=log.pk).update(row_count=row_count, completed=completed)


def counted_rows(rows, log):
    """``rows`` (a header row, then data rows) passed through; the number of data rows is
    written to ``log`` when they run out, or when the download stops early."""
    count, completed = -1, False
    try:
        for row in rows:
            count += 1
            yield row
        completed = True
    finally:
        finish_export(log, max(count, 0), completed)
