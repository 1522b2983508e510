"""A list's text search that PostgreSQL answers from an index instead of a table scan.

``icontains`` (``UPPER(col) LIKE UPPER('%v%')``) reads every row: no btree serves a match in
the middle of a value. A trigram (pg_trgm) GIN index does, but only for a value of three
characters or more, and the common searches are shorter: a Chinese name has two or three
characters, people type two, or one (a surname). So the index is built on the column with
every character written three times ("张伟" is stored as "张张张伟伟伟"): a value of one
character then has the trigram "张张张", a value of two the trigrams "张张张", "张张伟", "张伟伟"
and "伟伟伟", which occur in the tripled text exactly when the value occurs in the original (a
match can only start at a character's first copy, or inside a run of one repeated character,
where the original contains the value too). Every candidate the index finds is rechecked with
the same LIKE, so the rows found are those ``icontains`` finds.

The indexes are created by migration 0011 (0009 created doubled ones, which served values of
two characters or more) on PostgreSQL only; on other databases ``IndexedIContains`` is plain
``icontains``.
"""

from django.db.models import Lookup
from django.db.models.lookups import IContains, In

# The tripled form, exactly as the indexes' expression (migration 0011) spells it: the
# planner uses an expression index only for the same expression.
TRIPLED = "regexp_replace(UPPER({}::text), '(.)', '\\1\\1\\1', 'g')"
# The value tripled in SQL (so UPPER is the database's, as for icontains), then its LIKE
# wildcards escaped; escaping before tripling would triple the escape characters too.
TRIPLED_PATTERN = (
    "'%%' || replace(replace(replace(" + TRIPLED.format("%s") + ", %s, %s), %s, %s), %s, %s)"
    " || '%%'"
)
LIKE_ESCAPES = ["\\", "\\\\", "%", "\\%", "_", "\\_"]


class IndexedIContains(Lookup):
    """``field__icontains=value`` served by the tripled-text trigram index on PostgreSQL.
    Used as an expression: ``queryset.filter(IndexedIContains(F("head_name"), value))``."""

    lookup_name = "indexed_icontains"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        return compiler.compile(IContains(self.lhs, self.rhs))

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return (
            f"{TRIPLED.format(lhs)} LIKE {TRIPLED_PATTERN}",
            [*lhs_params, self.rhs, *LIKE_ESCAPES],
        )


class AnyOfSubquery(Lookup):
    """``pk IN (subquery)``, written on PostgreSQL as ``pk = ANY(ARRAY(subquery))``: the
    subquery then runs once, first, and its result is an index condition on ``pk``, so an
    OR of it and indexed conditions on the same table is answered by a BitmapOr of index
    scans. Written as ``IN``, it is a per-row filter and the OR is a scan of the table."""

    lookup_name = "any_of_subquery"

    def as_sql(self, compiler, connection):
        return compiler.compile(In(self.lhs, self.rhs))

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]
