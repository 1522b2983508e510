from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.choices import ReviewStatus
from cases.querysets import ScopedQuerySet
from cases.validators import MaxAmountValidator


def money_field(verbose_name, limit, **kwargs):
    """An amount in yuan, exact to the fen, never negative and never beyond ``limit``."""
    return models.DecimalField(
        verbose_name,
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxAmountValidator(limit)],
        **kwargs,
    )


def exactly_one(*fields):
    """A Q that holds when exactly one of the nullable foreign keys ``fields`` is set."""
    condition = models.Q()
    for chosen in fields:
        branch = models.Q(**{f"{chosen}__isnull": False})
        for other in fields:
            if other != chosen:
                branch &= models.Q(**{f"{other}__isnull": True})
        condition |= branch
    return condition


def not_negative(field, model_name):
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__gte": 0}),
        name=f"{model_name}_{field}_not_negative",
        violation_error_message=_("金额不能为负数。"),
    )


class CountyOwned(models.Model):
    """A row that belongs to one county: it stores the county itself, for scoping and for
    aggregates without joins, and who recorded it and when. Changes are kept in history."""

    county = models.ForeignKey(
        "cases.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Bumped on every save; an edit form posts the version it was opened at, so a change made
    # meanwhile by someone else is noticed instead of silently overwritten.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    history = HistoricalRecords(inherit=True)
    objects = ScopedQuerySet.as_manager()

    county_lookup = "county"
    # The relation this row takes its county from (e.g. a member from its household), or None
    # when the county is set by whoever creates the row. When that row moves to another county,
    # this one moves with it (``cases.counties.follow_county``).
    county_source = None
    # Relations to rows of a county that do NOT give this row its county: the related row may
    # be of another county (a member attending a session another county held, a helper from
    # another county), and moving it leaves this row where it is. Every relation between two
    # county rows is either the county source or named here (tests/test_county_moves.py).
    county_independent_of = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.county_source:
            self.county_id = getattr(self, self.county_source).county_id
        if not self._state.adding:
            self.version += 1
        moved_from = getattr(self, "_stored_county_id", None)
        if moved_from is None or moved_from == self.county_id:
            super().save(*args, **kwargs)
        else:
            from cases.counties import follow_county

            # The row and everything that takes its county from it, or nothing.
            with transaction.atomic():
                super().save(*args, **kwargs)
                follow_county(self, moved_from)
        self._stored_county_id = self.county_id

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The county as stored, so that save() notices that the row moved.
        instance._stored_county_id = instance.__dict__.get("county_id")
        return instance

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._stored_county_id = self.__dict__.get("county_id")

    @classmethod
    def county_source_fields(cls):
        """The foreign keys this row may take its county from."""
        return (cls.county_source,) if cls.county_source else ()

    def autocomplete_label(self):
        """How the row reads in a search-as-you-type choice."""
        return str(self)


class ReviewedRecord(CountyOwned):
    """A county record that the city union reviews: draft → submitted → approved or returned."""

    review_status = models.CharField(
        _("审核状态"),
        max_length=10,
        choices=ReviewStatus.choices,
        default=ReviewStatus.DRAFT,
        db_index=True,
    )

    class Meta:
        abstract = True
