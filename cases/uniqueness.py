"""One answer for a number that is already registered, wherever its record is.

A clerk typing another county's ID number, register number or labor model's ID number used to
read "该身份证号已登记。", learning that county's register one number at a time. The message
is now the same whether the other record is in the clerk's county or another one, and says
how a person or household moves between counties (the city office transfers them); an
attempt that meets another county's record is logged, as a probe would be.
"""

import logging

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger("cases.security")


def duplicate_message(label):
    return _(
        "该%(label)s不能在本县区登记:系统中已有使用此%(label)s的记录。本县区的记录可在列表中"
        "查到;如需把该记录转入本县区,请联系市总工会办理转移。"
    ) % {"label": label}


def log_cross_county_collision(model, field_name, county_id, user=None, seen=None):
    """A WARNING naming the model, field, county and user (never the value). In a request the
    log line carries the user anyway (reliefportal.middleware); an import names its own, and
    passes ``seen`` (a set it keeps) so that a file logs once per field, not once per row."""
    if seen is not None:
        if (model, field_name) in seen:
            return
        seen.add((model, field_name))
    logger.warning(
        "registration refused: %s.%s is held by a record of another county "
        "(attempt from county %s, user %s)",
        model._meta.label, field_name, county_id, getattr(user, "pk", None),
    )


def county_id_of(instance):
    """The county a record being validated will belong to: a member's is its household's
    (set only when it is saved), a household's its village's."""
    source = instance.county_source
    if source and getattr(instance, f"{source}_id", None):
        return getattr(instance, source).county_id
    return instance.county_id


def refuse_duplicate(instance, field_name, others, label):
    """Raises the neutral error on ``field_name`` if ``others`` (the other records holding the
    value) is not empty; logs the attempt when one of them is in another county."""
    county_ids = set(others.values_list("county_id", flat=True)[:2])
    if not county_ids:
        return
    county_id = county_id_of(instance)
    if county_ids - {county_id}:
        log_cross_county_collision(type(instance), field_name, county_id)
    raise ValidationError(
        {field_name: ValidationError(duplicate_message(label), code="unique")}
    )
