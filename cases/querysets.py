"""The one place where rows are scoped to a user's role and county."""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404


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

    def allows(self, user, pk, action="change"):
        """Whether ``user`` may ``action`` the row ``pk`` (an edit or add button, a check
        before a service writes)."""
        return self.for_user(user, action).filter(pk=pk).exists()

    def get_or_deny(self, user, pk, action="change"):
        """The row ``pk`` if ``user`` may ``action`` it: 404 if they may not even see it (so
        another county's id reveals nothing), 403 if they see it but may not ``action`` it."""
        row = get_object_or_404(self.for_user(user), pk=pk)
        if action != "view" and not self.allows(user, pk, action):
            raise PermissionDenied
        return row

    def active(self):
        """Rows in use. Registers that archive rows instead of deleting them leave the
        archived ones out (``ActiveQuerySet``); the others have none."""
        return self

    def choosable(self, user):
        """Rows ``user`` may pick in a form for a new or changed record: their change
        scope, without archived rows."""
        return self.for_user(user, "change").active()


class ActiveQuerySet(ScopedQuerySet):
    """For registers whose rows are archived instead of deleted."""

    def active(self):
        return self.filter(archived_at__isnull=True)
