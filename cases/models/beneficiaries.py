from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    Education,
    Health,
    HouseholdAttribute,
    IdentificationStandard,
    LabourAbility,
    MonitoringType,
    PovertyStatus,
    Relation,
    SchoolStatus,
    Sex,
    WorkStatus,
)
from cases.fields import (
    EncryptedResidentIDField,
    ResidentIDDigestField,
    ResidentIDMaskField,
    resident_id_mask_constraint,
    validate_resident_id_unique,
)
from cases.querysets import ActiveQuerySet, ScopedQuerySet
from cases.standing import Standing, standing_changes
from cases.uniqueness import refuse_duplicate
from cases.validators import (
    ID_PATTERN,
    birth_date_from_id,
    mask_id_number,
    sex_from_id,
    validate_not_in_future,
    validate_phone,
)

from .base import CountyOwned, ReviewedRecord


class PovertyCause(models.Model):
    """Reference list of the register's poverty causes (因病, 因残, 缺技术, ...)."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("致贫原因")
        verbose_name_plural = _("致贫原因")

    def __str__(self):
        return self.name


class Household(ReviewedRecord):
    """A registered poor household (建档立卡贫困户), keyed by its register number."""

    register_number = models.CharField(
        _("户编号"), max_length=30, unique=True, error_messages={"unique": _("该户编号已登记。")}
    )
    head_name = models.CharField(_("户主姓名"), max_length=50)
    village = models.ForeignKey(
        "cases.Village", on_delete=models.PROTECT, related_name="households",
        verbose_name=_("行政村"),
    )
    attribute = models.CharField(
        _("贫困户属性"), max_length=24, choices=HouseholdAttribute.choices,
        default=HouseholdAttribute.GENERAL,
    )
    standard = models.CharField(
        _("识别标准"), max_length=12, choices=IdentificationStandard.choices,
        default=IdentificationStandard.NATIONAL,
    )
    # Optional: the national register's export does not carry it.
    identified_on = models.DateField(
        _("识别日期"), null=True, blank=True, validators=[validate_not_in_future]
    )
    main_cause = models.ForeignKey(
        PovertyCause, on_delete=models.PROTECT, related_name="+", verbose_name=_("主要致贫原因")
    )
    other_causes = models.ManyToManyField(
        PovertyCause, blank=True, related_name="+", verbose_name=_("其他致贫原因")
    )
    demands = models.TextField(_("脱贫诉求"), blank=True)
    status = models.CharField(
        _("脱贫状态"), max_length=12, choices=PovertyStatus.choices,
        default=PovertyStatus.NOT_EXITED, db_index=True,
    )
    exit_date = models.DateField(
        _("脱贫日期"), null=True, blank=True, validators=[validate_not_in_future]
    )
    # The national register knows only the year of exit (脱贫年度): then exit_date is the last
    # day of that year, shown as the year alone.
    exit_year_only = models.BooleanField(_("脱贫日期只知年份"), default=False)
    monitoring = models.CharField(
        _("监测对象类型"), max_length=16, choices=MonitoringType.choices, blank=True
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
    # The industry the household took up with the programme's help (e.g. after training: the
    # article's "1,744 households took up planting or breeding"), and since when.
    industry = models.ForeignKey(
        "cases.ExpertiseField", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("发展产业"),
    )
    industry_since = models.DateField(
        _("发展产业日期"), null=True, blank=True, validators=[validate_not_in_future]
    )
    # Facts of the national register, kept as imported (None: not known).
    natural_village = models.CharField(_("自然村"), max_length=50, blank=True)
    unsafe_housing = models.BooleanField(_("危房户"), null=True, blank=True)
    safe_drinking_water = models.BooleanField(_("饮水安全"), null=True, blank=True)
    income_per_capita = models.DecimalField(
        _("人均纯收入(元)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True, editable=False)
    archive_reason = models.CharField(_("归档原因"), max_length=100, blank=True, editable=False)

    objects = ActiveQuerySet.as_manager()

    # The county always follows the village, so it can never be posted or imported wrongly.
    county_source = "village"

    class Meta:
        ordering = ["county__code", "register_number"]
        verbose_name = _("贫困户")
        verbose_name_plural = _("贫困户")
        # The household list pages by register number, city-wide or in one county, over
        # active households: these answer a page's ids from the index alone, however deep.
        indexes = [
            models.Index(
                fields=["register_number", "id"], condition=Q(archived_at__isnull=True),
                name="household_active_number_idx",
            ),
            models.Index(
                fields=["county", "register_number", "id"], condition=Q(archived_at__isnull=True),
                name="household_county_number_idx",
            ),
            # The review queue (per county, of one status) and the county home page (of one
            # county and status) count records from this index alone.
            models.Index(
                fields=["review_status", "county"], name="household_status_county_idx",
                condition=Q(archived_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=PovertyStatus.EXITED) | Q(exit_date__isnull=False),
                name="household_exited_has_exit_date",
                violation_error_message=_("已脱贫的贫困户须填写脱贫日期。"),
            ),
            models.CheckConstraint(
                condition=Q(exit_date__isnull=True) | Q(exit_date__gte=models.F("identified_on")),
                name="household_exit_not_before_identified",
                violation_error_message=_("脱贫日期不能早于识别日期。"),
            ),
            models.CheckConstraint(
                condition=Q(industry__isnull=True, industry_since__isnull=True)
                | Q(industry__isnull=False, industry_since__isnull=False),
                name="household_industry_has_date",
                violation_error_message=_("发展产业和发展产业日期须同时填写。"),
            ),
        ]

    def __str__(self):
        return f"{self.register_number} {self.head_name}"

    def save(self, *args, **kwargs):
        adding = self._state.adding
        before = None if adding else getattr(self, "_stored_standing", None)
        # The standing events are written with the change, or neither is.
        with transaction.atomic():
            super().save(*args, **kwargs)
            if adding or before is not None:
                HouseholdEvent.objects.record([(self, before)])
        self._stored_standing = self.standing()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        loaded = instance.__dict__
        if all(name in loaded for name in ("status", "exit_date", "archived_at", "county_id")):
            # As stored, so that save() knows what changed (see cases.standing).
            instance._stored_standing = instance.standing()
        return instance

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._stored_standing = self.standing()

    def get_absolute_url(self):
        return reverse("cases:household_detail", args=[self.pk])

    def standing(self):
        """What the household's events follow (``cases.standing``), as it is now."""
        archived_on = timezone.localdate(self.archived_at) if self.archived_at else None
        return Standing(self.status, self.exit_date, archived_on, self.county_id)

    @property
    def exit_year(self):
        return self.exit_date.year if self.exit_date else None

    def validate_unique(self, exclude=None):
        # The register number's uniqueness answers the same wherever the other household is
        # (cases.uniqueness), instead of the field's own message.
        exclude = set(exclude or ())
        super().validate_unique(exclude | {"register_number"})
        if self.register_number and "register_number" not in exclude:
            refuse_duplicate(
                self, "register_number",
                Household.objects.exclude(pk=self.pk).filter(register_number=self.register_number),
                self._meta.get_field("register_number").verbose_name,
            )

    def clean(self):
        errors = {}
        if self.status == PovertyStatus.EXITED and not self.exit_date:
            errors["exit_date"] = _("已脱贫的贫困户须填写脱贫日期。")
        if self.status == PovertyStatus.NOT_EXITED and self.exit_date:
            errors["exit_date"] = _("未脱贫的贫困户不应填写脱贫日期。")
        # Known to the year only, the exit is compared by year.
        if self.exit_year_only and self.exit_date and self.identified_on:
            if self.exit_date.year < self.identified_on.year:
                errors["exit_date"] = _("脱贫日期不能早于识别日期。")
        elif self.exit_date and self.identified_on and self.exit_date < self.identified_on:
            errors["exit_date"] = _("脱贫日期不能早于识别日期。")
        if self.industry_id and not self.industry_since:
            errors["industry_since"] = _("发展产业和发展产业日期须同时填写。")
        if self.industry_since and not self.industry_id:
            errors["industry"] = _("发展产业和发展产业日期须同时填写。")
        if errors:
            raise ValidationError(errors)


class HouseholdEventQuerySet(ScopedQuerySet):
    def record(self, households, changed_on=None):
        """Write the events of ``households``, a list of ``(household, standing)``: each
        household as just saved, with its standing before (None for a new household), changed
        on ``changed_on`` (today). A corrected exit date replaces the exit event of the
        household's current spell. Two or three queries however many households."""
        changed_on = changed_on or timezone.localdate()
        events, corrected = [], []
        for household, before in households:
            changes, exit_corrected = standing_changes(before, household.standing(), changed_on)
            if exit_corrected:
                corrected.append(household.pk)
            events.extend(
                HouseholdEvent(
                    household_id=household.pk, kind=change.kind, on=change.on,
                    from_county_id=change.from_county_id, to_county_id=change.to_county_id,
                )
                for change in changes
            )
        if corrected:
            later_return = HouseholdEvent.objects.filter(
                household=OuterRef("household"), kind=HouseholdEvent.Kind.RETURNED,
                on__gte=OuterRef("on"),
            )
            self.filter(household_id__in=corrected, kind=HouseholdEvent.Kind.EXITED).exclude(
                Exists(later_return)
            ).delete()
        self.bulk_create(events)


class HouseholdEvent(models.Model):
    """A dated change of a household's standing that the figures depend on: it exited poverty,
    returned to poverty, was archived, or moved to another county (see ``cases.standing``).
    Written whenever a household is saved (and by the import and the demo, which write in
    bulk); never edited. An "as of" figure reads a household's standing on that day from these,
    so archiving a household or its 返贫 never changes a past period's figures."""

    class Kind(models.TextChoices):
        EXITED = "exited", _("脱贫")
        RETURNED = "returned", _("返贫")
        ARCHIVED = "archived", _("归档")
        MOVED = "moved", _("迁至其他县区")

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="events", verbose_name=_("贫困户")
    )
    kind = models.CharField(_("变动"), max_length=10, choices=Kind.choices)
    on = models.DateField(_("日期"))
    from_county = models.ForeignKey(
        "cases.County", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("迁出县区"),
    )
    to_county = models.ForeignKey(
        "cases.County", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("迁入县区"),
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = HouseholdEventQuerySet.as_manager()

    county_lookup = "household__county"

    class Meta:
        ordering = ["household_id", "on", "id"]
        verbose_name = _("贫困户状态变动")
        verbose_name_plural = _("贫困户状态变动")
        indexes = [
            models.Index(fields=["household", "kind", "on"], name="household_event_on_idx"),
            models.Index(fields=["kind", "on"], name="household_event_kind_on_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="moved")
                | Q(from_county__isnull=False, to_county__isnull=False),
                name="household_event_move_has_counties",
            ),
        ]

    def __str__(self):
        return f"{self.household_id} {self.get_kind_display()} {self.on}"


class Member(CountyOwned):
    """A member (家庭成员) of a registered household; the resident ID number is unique."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("贫困户")
    )
    name = models.CharField(_("姓名"), max_length=50)
    # Stored encrypted; the keyed hashes answer lookups and uniqueness (see cases/crypto.py).
    id_number = EncryptedResidentIDField(_("身份证号"))
    id_number_digest = ResidentIDDigestField(unique=True)
    id_number_tail = ResidentIDDigestField(part="tail", db_index=True)
    id_number_mask = ResidentIDMaskField()
    relation = models.CharField(_("与户主关系"), max_length=16, choices=Relation.choices)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    education = models.CharField(
        _("文化程度"), max_length=12, choices=Education.choices, blank=True
    )
    health = models.CharField(
        _("健康状况"), max_length=16, choices=Health.choices, default=Health.HEALTHY
    )
    labour_ability = models.CharField(
        _("劳动技能"), max_length=10, choices=LabourAbility.choices, default=LabourAbility.ORDINARY
    )
    work_status = models.CharField(
        _("务工状况"), max_length=16, choices=WorkStatus.choices, default=WorkStatus.NOT_WORKING
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
    # Facts of the national register, kept as imported (None: not known).
    person_number = models.CharField(_("人编号"), max_length=30, blank=True)
    school_status = models.CharField(
        _("在校生状况"), max_length=20, choices=SchoolStatus.choices, blank=True
    )
    work_months = models.PositiveSmallIntegerField(
        _("务工时间(月)"), null=True, blank=True, validators=[MaxValueValidator(12)]
    )
    serious_illness_insurance = models.BooleanField(_("参加大病医疗"), null=True, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True, editable=False)

    objects = ActiveQuerySet.as_manager()

    county_source = "household"

    class Meta:
        ordering = ["household_id", "id"]
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relation=Relation.HEAD, archived_at__isnull=True),
                name="one_head_per_household",
                violation_error_message=_("一户只能有一名户主。"),
            ),
            resident_id_mask_constraint("member_id_number_has_its_mask"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Birth date and sex are coded in the ID number; fill them so lists need no parsing.
        if self.id_number and birth_date_from_id(self.id_number):
            self.birth_date = self.birth_date or birth_date_from_id(self.id_number)
            self.sex = self.sex or sex_from_id(self.id_number)
        super().save(*args, **kwargs)

    def autocomplete_label(self):
        return f"{self.name}({mask_id_number(self.id_number)})"

    def validate_unique(self, exclude=None):
        super().validate_unique(exclude)
        validate_resident_id_unique(self, exclude)

    def clean(self):
        # Runs even when the number failed its own validation (Model.full_clean): only a
        # well-formed number has a birth date and sex to compare.
        if not ID_PATTERN.match(self.id_number or "") or birth_date_from_id(self.id_number) is None:
            return
        errors = {}
        coded_birth_date = birth_date_from_id(self.id_number)
        coded_sex = sex_from_id(self.id_number)
        if self.birth_date and self.birth_date != coded_birth_date:
            errors["birth_date"] = _("出生日期与身份证号不一致。")
        if self.sex and self.sex != coded_sex:
            errors["sex"] = _("性别与身份证号不一致。")
        if errors:
            raise ValidationError(errors)
