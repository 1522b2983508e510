"""Paging lists of millions of rows at the cost of one page.

``ScalablePaginator`` replaces Django's paginator under the list pages (django-tables2):

- The count is exact up to ``COUNT_LIMIT`` rows, counted with a LIMIT so no page view counts
  a whole big table; beyond that, on PostgreSQL, it is the planner's estimate and the page
  says "about" (``count_is_estimate``). Pages that need the exact figure (a dashboard's
  drill-down, whose row count is the figure) ask for ``exact_count``.
- Every ordering ends with the primary key, so rows that tie on the sorted column come in one
  order and PostgreSQL never shows a row on two pages (or none).
- A page is read in two steps: the ids of the page (``OFFSET n LIMIT 25`` over the ordering
  only, which an index answers without visiting the rows it skips), then those rows with the
  joins and per-row subqueries the table's columns need. Page 10,000 then costs about what
  page 1 does, instead of building 250,000 full rows to throw them away.
"""

from functools import cached_property

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import QuerySet
from django_tables2.rows import BoundRows

COUNT_LIMIT = 10_000
# A list of at most this many rows has its ids read whole and sliced here (see ``page``).
WHOLE_IDS_LIMIT = 1_000
TIEBREAKERS = {"pk", "-pk", "id", "-id"}


def with_tiebreaker(queryset):
    """``queryset`` ordered as it is, then by primary key (unless the key is already there)."""
    query = queryset.query
    ordering = list(query.order_by)
    if not ordering and query.default_ordering:
        ordering = list(queryset.model._meta.ordering)
    if any(isinstance(term, str) and term in TIEBREAKERS for term in ordering):
        return queryset
    return queryset.order_by(*ordering, "pk")


def estimated_count(queryset):
    """The PostgreSQL planner's estimate of the number of rows, or None elsewhere."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # psycopg returns the JSON parsed; other drivers may not
        import json

        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class ScalablePaginator(Paginator):
    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True,
                 exact_count=False):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.exact_count = exact_count
        self.count_is_estimate = False

    def _queryset(self):
        """The queryset under django-tables2's rows, or None for other data."""
        data = self.object_list
        if isinstance(data, BoundRows):
            data = getattr(data.data, "data", None)
        return data if isinstance(data, QuerySet) else None

    @cached_property
    def count(self):
        queryset = self._queryset()
        if queryset is None:
            return super().count
        if self.exact_count:
            return queryset.count()
        # Only the ids: the per-row subqueries of the table's columns are not computed.
        bounded = queryset.order_by().values("pk")[: COUNT_LIMIT + 1].count()
        if bounded <= COUNT_LIMIT:
            return bounded
        estimate = estimated_count(queryset)
        if estimate is None:
            return queryset.count()
        self.count_is_estimate = True
        return max(estimate, bounded)

    def validate_number(self, number):
        if not self.count_is_estimate:
            return super().validate_number(number)
        # An estimate may be short of the real count: any page after the first is allowed
        # (past the real end it is empty) rather than refusing rows that exist.
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from error
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        # Far past the estimate is past the end, and an OFFSET past the database's integers
        # (``?page=99999999999999999999``) would be a server error.
        if number > 2 * self.num_pages + 1:
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def page(self, number):
        queryset = self._queryset()
        if queryset is None:
            return super().page(number)
        # The count (and so the estimate flag) first: validate_number depends on it.
        self.count  # noqa: B018
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count and not self.count_is_estimate:
            top = self.count
        ordered = with_tiebreaker(queryset)
        ids = ordered.values_list("pk", flat=True)
        if self.count_is_estimate or self.count > WHOLE_IDS_LIMIT:
            ids = list(ids[bottom:top])
        else:
            # A few matches (a search): with a LIMIT, PostgreSQL may walk the ordering's
            # index row by row hoping to meet 25 matches early, which for a register number
            # matching one household of 1,000,000 took 2 s; without one it finds the
            # matches through the search's indexes first and sorts them (a few ms).
            ids = list(ids)[bottom:top]
        found = {row.pk: row for row in ordered.order_by().filter(pk__in=ids)} if ids else {}
        records = [found[pk] for pk in ids if pk in found]
        rows = BoundRows(records, table=self.object_list.table)
        return self._get_page(rows, number, self)
