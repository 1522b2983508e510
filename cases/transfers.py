"""Transfer requests (申请转移): how a clerk whose member ID number, register number or labor
model's ID number met the neutral "already registered" answer (``cases.uniqueness``) asks the
city office to move that record into the clerk's county.

The request keeps the keyed digest of the number, never the number, and the clerk is told
nothing of where the record is; only the city reviewer handling it looks up the county that
holds the number, through the digest.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.crypto import register_number_digest, resident_id_digest
from cases.models import County, Household, LaborModel, Member, TransferRequest

logger = logging.getLogger("cases.security")

Kind = TransferRequest.Kind

# Per kind: the model, its unique number field and the keyed hash kept for that number.
TRANSFERABLE = {
    Kind.HOUSEHOLD: (Household, "register_number", register_number_digest),
    Kind.MEMBER: (Member, "id_number", resident_id_digest),
    Kind.LABOR_MODEL: (LaborModel, "id_number", resident_id_digest),
}
KIND_OF_MODEL = {model: kind for kind, (model, _field, _digest) in TRANSFERABLE.items()}


def may_file(user):
    return user.is_county_staff


def may_handle(user):
    return user.is_city_reviewer or user.is_administrator


def transfer_offers(user, *forms):
    """What an edit page that failed to save offers to transfer: the number of each form (the
    record's, or a member row's) refused as already registered. ``forms`` are model forms or
    formsets; county staff only, since only they register records."""
    if not may_file(user):
        return []
    offers = []
    rows = (row for each in forms if each is not None for row in getattr(each, "forms", [each]))
    for form in rows:
        kind = KIND_OF_MODEL.get(getattr(getattr(form, "_meta", None), "model", None))
        if kind is None or not form.is_bound:
            continue
        field_name = TRANSFERABLE[kind][1]
        if any(error.code == "unique" for error in form.errors.as_data().get(field_name, ())):
            offers.append({
                "kind": kind, "label": Kind(kind).label, "number": form[field_name].value(),
            })
    return offers


def file_transfer_request(user, kind, number, note):
    """Files the request of ``user`` (county staff) for the record holding ``number``. A number
    no record holds is refused: it can be registered directly, which the edit form says as
    well, so the refusal tells nothing new."""
    if not may_file(user):
        raise PermissionDenied
    model, field_name, digest_of = TRANSFERABLE[kind]
    if not model.objects.filter(**{field_name: number}).exists():
        raise ValidationError(_("没有记录使用此号码,可直接登记,无需申请转移。"))
    transfer = TransferRequest.objects.create(
        requested_by=user, county_id=user.county_id, kind=kind, field_name=field_name,
        number_digest=digest_of(number), note=note,
    )
    logger.warning(
        "transfer requested: %s.%s (request %s, county %s, user %s)",
        model._meta.label, field_name, transfer.pk, user.county_id, user.pk,
    )
    return transfer


def holding_counties(transfer, user):
    """The counties whose records, of those ``user`` sees, hold the requested number, found
    through its digest. A register number is stored in clear, without a digest column: the
    households' numbers are hashed in turn (a city reviewer's look-up, a few seconds at most
    for a city)."""
    model, field_name, digest_of = TRANSFERABLE[transfer.kind]
    if model is Household:
        households = Household.objects.for_user(user)
        numbers = households.values_list("pk", "register_number").iterator(chunk_size=5000)
        records = households.filter(pk__in=[
            pk for pk, number in numbers if digest_of(number) == transfer.number_digest
        ])
    else:
        records = model.objects.for_user(user).filter(
            **{f"{field_name}_digest": transfer.number_digest}
        )
    return County.objects.for_user(user).filter(pk__in=records.values("county_id")).order_by("code")


def resolve_transfer_request(transfer, user, reply):
    """Closes an open request with the city's reply; one transition even when two reviewers
    answer at once (the second is told it was handled already)."""
    if not may_handle(user):
        raise PermissionDenied
    handled = TransferRequest.objects.filter(
        pk=transfer.pk, status=TransferRequest.Status.OPEN
    ).update(
        status=TransferRequest.Status.HANDLED, handled_by=user,
        handled_at=timezone.now(), reply=reply,
    )
    if not handled:
        raise ValidationError({"reply": _("该申请已由他人处理。")})
    transfer.refresh_from_db()
    logger.info("transfer request %s handled by user %s", transfer.pk, user.pk)
    return transfer
