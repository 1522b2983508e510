"""A row's county is one fact: the county of the row it belongs to.

Most county rows store their county (for scoping and for aggregates without joins) but take it
from another row, their ``county_source``: a member from its household, a job from its member,
a dividend from its agreement, a household from its village. When a row moves to another
county (a household given a village of another county, in its form, in Django admin or by any
other ``save()``), ``CountyOwned.save`` calls ``follow_county``, which moves every row that
takes its county from it, and so on down, in the same transaction, each with its own history
entry. The review trail of each moved row moves with it, and both counties' dashboard
snapshots are marked outdated.

``county_mismatches`` is the proof: the rows whose stored county disagrees with their source's
(``manage.py check_counties`` runs it).
"""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, OuterRef
from django.dispatch import Signal

MOVE_REASON = "随所属记录迁至其他县区"

# Sent for every row ``follow_county`` moves (``record``, ``previous_county_id``), inside its
# transaction: rows of other apps that keep a record's county (evidence files) follow it here.
record_moved = Signal()


def county_models():
    """Every concrete model of ``cases`` that stores its county as a ``CountyOwned`` row."""
    from cases.models import CountyOwned

    return [
        model
        for model in apps.get_app_config("cases").get_models()
        if issubclass(model, CountyOwned)
    ]


def county_followers(model):
    """(model, foreign key name) of the rows that take their county from a ``model`` row."""
    return [
        (follower, name)
        for follower in county_models()
        for name in follower.county_source_fields()
        if follower._meta.get_field(name).related_model is model
    ]


def follow_county(record, previous_county_id):
    """Move everything that takes its county from ``record`` to ``record``'s county, which was
    ``previous_county_id``. Runs in the caller's transaction (``CountyOwned.save``)."""
    from cases.models import ReviewEvent
    from cases.summaries import data_changed

    for follower, name in county_followers(type(record)):
        rows = (
            follower._default_manager.filter(**{name: record})
            .exclude(county_id=record.county_id)
            .select_for_update()
        )
        for row in rows:
            setattr(row, name, record)
            row._change_reason = MOVE_REASON
            # Its own save moves the rows that take their county from it in turn.
            row.save()
    ReviewEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
    ).update(county_id=record.county_id)
    record_moved.send(type(record), record=record, previous_county_id=previous_county_id)
    data_changed([previous_county_id, record.county_id])


def county_mismatches():
    """``{label: queryset}`` of the rows whose stored county disagrees with the county of the
    row they take it from, for every county source of every model, and of the review events
    whose county is not their record's. Every queryset is empty on consistent data."""
    from cases.models import ReviewEvent

    found = {}
    for model in county_models():
        for name in model.county_source_fields():
            found[f"{model._meta.label}.{name}"] = model._default_manager.filter(
                **{f"{name}__isnull": False}
            ).exclude(county_id=F(f"{name}__county"))
    for model in county_models():
        found[f"cases.ReviewEvent → {model._meta.label}"] = ReviewEvent.objects.filter(
            Exists(
                model._default_manager.filter(pk=OuterRef("object_id")).exclude(
                    county_id=OuterRef("county_id")
                )
            ),
            content_type=ContentType.objects.get_for_model(model),
        )
    return found
