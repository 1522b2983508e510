"""The one place where rows are scoped to a user's role and county."""

from django.db import models


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what a user may see or change.

    Every view, form choice, filter, export and dashboard goes through ``for_user``; nothing
    else filters on county for access control. The model names the path to its county in
    ``county_lookup`` (default ``"county"``).
    """

    def for_user(self, user, action="view"):
        """Rows ``user`` may ``view`` or ``change``.

        County staff: their own county, read and write. City reviewers: every county, read
        only (review decisions go through services, not edits). Administrators: everything.
        Anonymous, inactive and role-less users: nothing.
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_administrator:
            return self
        if user.is_city_reviewer:
            return self if action == "view" else self.none()
        if user.is_county_staff:
            return self.filter(**{self.model.county_lookup: user.county_id})
        return self.none()


class ActiveQuerySet(ScopedQuerySet):
    """For registers whose rows are archived instead of deleted."""

    def active(self):
        return self.filter(archived_at__isnull=True)
