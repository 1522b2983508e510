"""Which queries of county rows a request runs without the access entry point.

A queryset of a model with a county (a ``ScopedQuerySet``) is in scope when it went through
``for_user`` (and so through ``get_or_deny``, ``allows`` and ``choosable``): the queryset is
marked there, and every queryset chained from it keeps the mark. It needs no entry point of its
own when it starts from a row already loaded: a related manager or a prefetch (Django hints
those with the ``instance`` they belong to), or a ``filter()`` on such a row. Every other query
of such a model that runs while a page is being answered is recorded, with the page and the
line of the project that ran it. A subquery (``OuterRef``, ``pk__in=``) is never run on its
own, so it is judged with the query it is part of.

Only tests use this: ``ScopedQuerySet`` is patched for the duration of ``recording()``.
"""

import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Model, Q, QuerySet

from cases.querysets import ScopedQuerySet

ROOT = Path(__file__).resolve().parent.parent
ENTRY_POINT = "_through_entry_point"
FROM_LOADED_ROW = "_from_loaded_row"
# The queryset methods that run a query (iterating, len() and get() go through _fetch_all).
RUNS = ("_fetch_all", "_iterator", "count", "exists", "aggregate", "update", "delete")
# Those of them that read the rows already fetched, if any, instead.
CACHED = ("_fetch_all", "count", "exists")
# Queries Django itself runs on every county's rows, and why that is no leak.
DJANGO_CHECKS = {
    "_perform_unique_checks": "a uniqueness check: its constraint includes the county, or "
                              "spans every county by design, and it answers yes or no",
}
# The project's functions that query county rows without the entry point, each reviewed: the
# rows are ones the caller already holds through it, or the query shows no row to anyone.
REVIEWED = {
    "cases/services.py record_submit":
        "compare-and-set on the record the caller checked with allows()",
    "cases/services.py _record_decide":
        "compare-and-set on the record the view got through get_or_deny()",
    "cases/services.py _record_step":
        "reads back the record record_submit or _record_decide just changed, for its history",
    "cases/services.py _refuse_decision": "the status of that same record, for the message",
    "imports/views.py run_confirm": "compare-and-set on the run the view got through get_or_deny()",
    "evidence/services.py check_record_total":
        "the total size of the files of a record the view got through get_or_deny()",
    "imports/exports.py _household_rows":
        "the members of the households the export read through for_user(), by their ids",
    "cases/privacy.py reveal": "the user's own reveals in the last hour, counted for the limit",
    "imports/services.py import_runs_fail_lost":
        "marks runs whose task died as failed; reads no row back",
    "demo/zhumadian.py demo_is_loaded": "whether the demo's city union exists: yes or no",
}


@dataclass
class Recorder:
    page: str | None = None
    found: list = field(default_factory=list)

    @contextmanager
    def answering(self, page):
        """Queries run while ``page`` is answered (its streamed content read too) count."""
        self.page = page
        try:
            yield
        finally:
            self.page = None

    def check(self, queryset, method):
        if self.page is None or in_scope(queryset) or queryset.query.is_empty():
            return
        if method in CACHED and queryset._result_cache is not None:
            return
        stack = traceback.extract_stack()
        if any(frame.name in DJANGO_CHECKS for frame in stack):
            return
        frame = project_frame(stack)
        where = f"{Path(frame.filename).relative_to(ROOT)} {frame.name}" if frame else "?"
        if where in REVIEWED:
            return
        self.found.append((self.page, queryset.model._meta.label, method,
                           f"{where}, line {frame.lineno}" if frame else where))


def in_scope(queryset):
    return (
        getattr(queryset, ENTRY_POINT, False)
        or getattr(queryset, FROM_LOADED_ROW, False)
        or queryset._hints.get("instance") is not None
    )


def project_frame(stack):
    """The innermost frame of the project's own code (not Django's, not the tests'), if any."""
    for frame in reversed(stack):
        path = Path(frame.filename)
        if path.is_relative_to(ROOT) and not path.is_relative_to(ROOT / "tests") \
                and ".venv" not in path.parts:
            return frame
    return None


def is_county_model(model):
    return issubclass(getattr(model._default_manager, "_queryset_class", QuerySet),
                      ScopedQuerySet)


def is_loaded_row(value):
    """A county row already loaded, or rows chosen through the entry point."""
    if isinstance(value, Model):
        return value.pk is not None and is_county_model(value._meta.model)
    if isinstance(value, ScopedQuerySet):
        return in_scope(value)
    if isinstance(value, list | tuple | set):
        return bool(value) and all(is_loaded_row(item) for item in value)
    return False


def narrows_to_loaded_rows(args, kwargs):
    """Whether ``filter(*args, **kwargs)`` keeps only rows related to loaded county rows: one
    of its conditions (all of which must hold) names such a row."""
    conditions = list(kwargs.values())
    for arg in args:
        if isinstance(arg, Q) and arg.connector == Q.AND and not arg.negated:
            conditions += [child[1] for child in arg.children if isinstance(child, tuple)]
    return any(is_loaded_row(value) for value in conditions)


@contextmanager
def recording(monkeypatch):
    """A Recorder of the out-of-scope queries run while it is ``answering`` a page."""
    recorder = Recorder()
    for_user = ScopedQuerySet.for_user
    clone = ScopedQuerySet._clone
    filter_or_exclude = ScopedQuerySet._filter_or_exclude

    def marked_for_user(self, *args, **kwargs):
        scoped = for_user(self, *args, **kwargs)
        setattr(scoped, ENTRY_POINT, True)
        return scoped

    def marked_clone(self):
        copy = clone(self)
        for mark in (ENTRY_POINT, FROM_LOADED_ROW):
            setattr(copy, mark, getattr(self, mark, False))
        return copy

    def marked_filter_or_exclude(self, negate, args, kwargs):
        narrowed = filter_or_exclude(self, negate, args, kwargs)
        if not negate and narrows_to_loaded_rows(args, kwargs):
            setattr(narrowed, FROM_LOADED_ROW, True)
        return narrowed

    def checked(method):
        original = getattr(QuerySet, method)

        def run(self, *args, **kwargs):
            recorder.check(self, method)
            return original(self, *args, **kwargs)

        return run

    monkeypatch.setattr(ScopedQuerySet, "for_user", marked_for_user)
    monkeypatch.setattr(ScopedQuerySet, "_clone", marked_clone)
    monkeypatch.setattr(ScopedQuerySet, "_filter_or_exclude", marked_filter_or_exclude)
    for method in RUNS:
        monkeypatch.setattr(ScopedQuerySet, method, checked(method))
    yield recorder
