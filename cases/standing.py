"""A household's standing over time, kept as dated events (``HouseholdEvent``).

The figures depend on whether a household is exited (脱贫), returned to poverty (返贫) or
archived, and on its county. A household row holds only its present state, so a figure "as of"
a past day read from it would change whenever the household does: archiving it, or its
返贫, would rewrite the figures of periods long reported. Each change of standing is therefore
kept as an event dated when it took effect, and the figures read the standing on a day from the
events (``cases.indicators``):

- exited: on the exit date recorded (脱贫日期);
- returned to poverty: on the day the 返贫 status is recorded (a household set back to 未脱贫
  is treated the same way: it was exited until then);
- archived: on the day it was archived;
- moved to another county: on the day it moved (a record of the move; every figure counts a
  household in its present county, as every row that belongs to it is moved with it).

Correcting the exit date of an exited household replaces the exit of its current spell rather
than adding a second one. This module only compares plain values, so the migration that
derives the events of existing households from their history uses it too.
"""

from dataclasses import dataclass

EXITED = "exited"
RETURNED = "returned"
ARCHIVED = "archived"
MOVED = "moved"
NOT_EXITED = "not_exited"


@dataclass(frozen=True)
class Standing:
    """What of a household the events follow, as stored."""

    status: str
    exit_date: object  # a date or None
    archived_on: object  # the local date it was archived on, or None
    county_id: int | None


@dataclass(frozen=True)
class Change:
    kind: str
    on: object  # a date
    from_county_id: int | None = None
    to_county_id: int | None = None


def standing_changes(before, after, changed_on):
    """The events that take a household from ``before`` (a ``Standing``, or None for a new
    household) to ``after``, saved on ``changed_on``; and whether they correct the exit date of
    the household's current exit (whose event must then go). ``(changes, exit_corrected)``."""
    new = before is None
    before = before or Standing(NOT_EXITED, None, None, None)
    changes = []
    exit_corrected = False
    if after.status == EXITED and (
        before.status != EXITED or after.exit_date != before.exit_date
    ):
        changes.append(Change(EXITED, after.exit_date))
        exit_corrected = before.status == EXITED
    elif new and after.status == RETURNED and after.exit_date:
        # Registered as returned to poverty: it had exited on the date recorded.
        changes.append(Change(EXITED, after.exit_date))
    if after.status != EXITED and (before.status == EXITED or (new and after.status == RETURNED)):
        changes.append(Change(RETURNED, changed_on))
    if after.archived_on and not before.archived_on:
        changes.append(Change(ARCHIVED, after.archived_on))
    if not new and after.county_id != before.county_id:
        changes.append(Change(MOVED, changed_on, before.county_id, after.county_id))
    return changes, exit_corrected
