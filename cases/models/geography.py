from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.choices import UnionLevel
from cases.querysets import ScopedQuerySet


class County(models.Model):
    """A county-level unit (县/区); each has its own union and its own staff."""

    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    # Photos' GPS coordinates are removed on upload unless the county decided to keep them
    # (e.g. to prove a visit took place at the house); evidence.files.
    keeps_photo_locations = models.BooleanField(
        _("保留照片定位"), default=False,
        help_text=_("勾选后,上传照片中的 GPS 定位信息予以保留;否则上传时删除。"),
    )

    objects = ScopedQuerySet.as_manager()

    county_lookup = "pk"

    class Meta:
        ordering = ["code"]
        verbose_name = _("县区")
        verbose_name_plural = _("县区")

    def __str__(self):
        return self.name


class Township(models.Model):
    """A township (乡镇) of one county."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="townships", verbose_name=_("县区")
    )
    name = models.CharField(_("名称"), max_length=50)

    objects = ScopedQuerySet.as_manager()

    county_lookup = "county"

    class Meta:
        ordering = ["county__code", "name"]
        verbose_name = _("乡镇")
        verbose_name_plural = _("乡镇")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"],
                name="township_name_unique_in_county",
                violation_error_message=_("该县区已有同名乡镇。"),
            )
        ]

    def __str__(self):
        return self.name


class Village(models.Model):
    """An administrative village (行政村); a registered poor village (贫困村) may have exited."""

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="villages", verbose_name=_("乡镇")
    )
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="villages", verbose_name=_("县区"),
        editable=False,
    )
    name = models.CharField(_("名称"), max_length=50)
    is_poor_village = models.BooleanField(_("贫困村"), default=False)
    exit_year = models.PositiveSmallIntegerField(
        _("摘帽年份"), null=True, blank=True, help_text=_("贫困村脱贫摘帽的年份。")
    )

    objects = ScopedQuerySet.as_manager()

    county_lookup = "county"

    class Meta:
        ordering = ["county__code", "township__name", "name"]
        verbose_name = _("行政村")
        verbose_name_plural = _("行政村")
        constraints = [
            models.UniqueConstraint(
                fields=["township", "name"],
                name="village_name_unique_in_township",
                violation_error_message=_("该乡镇已有同名行政村。"),
            ),
            models.CheckConstraint(
                condition=Q(exit_year__isnull=True) | Q(is_poor_village=True),
                name="village_exit_year_only_for_poor_village",
                violation_error_message=_("只有贫困村才有摘帽年份。"),
            ),
        ]

    def __str__(self):
        return f"{self.township.name}{self.name}"

    def save(self, *args, **kwargs):
        # The county is the township's; storing it lets every scoped query skip a join.
        self.county_id = self.township.county_id
        super().save(*args, **kwargs)

    def clean(self):
        if self.exit_year is not None and not self.is_poor_village:
            raise ValidationError({"exit_year": _("只有贫困村才有摘帽年份。")})


class UnionBody(models.Model):
    """The city federation of trade unions (市总工会) or one county's union (县区总工会)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    level = models.CharField(_("级别"), max_length=10, choices=UnionLevel.choices)
    county = models.OneToOneField(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="union",
        verbose_name=_("县区"),
    )

    objects = ScopedQuerySet.as_manager()

    county_lookup = "county"

    class Meta:
        ordering = ["level", "county__code"]
        verbose_name = _("工会组织")
        verbose_name_plural = _("工会组织")
        constraints = [
            models.CheckConstraint(
                condition=(Q(level=UnionLevel.CITY) & Q(county__isnull=True))
                | (Q(level=UnionLevel.COUNTY) & Q(county__isnull=False)),
                name="union_county_matches_level",
                violation_error_message=_("县区总工会须选择县区,市总工会不选县区。"),
            ),
            models.UniqueConstraint(
                fields=["level"],
                condition=Q(level=UnionLevel.CITY),
                name="one_city_union",
                violation_error_message=_("市总工会只能有一个。"),
            ),
        ]

    def __str__(self):
        return self.name
