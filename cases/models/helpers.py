from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.choices import CollectiveHonour, EnterpriseKind, HonourLevel, HonourTitle, Sex, TeamField
from cases.fields import (
    EncryptedResidentIDField,
    ResidentIDDigestField,
    ResidentIDMaskField,
    resident_id_mask_constraint,
    validate_resident_id_unique,
)
from cases.validators import validate_not_in_future, validate_phone, validate_year

from .base import ReviewedRecord


class ExpertiseField(models.Model):
    """Reference list of the fields labor models help in (种植养殖, 农村电商, ...)."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("专长领域")
        verbose_name_plural = _("专长领域")

    def __str__(self):
        return self.name


class LaborModel(ReviewedRecord):
    """A labor model or medal holder (劳模, 先进工作者, 五一劳动奖章获得者)."""

    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    # Stored encrypted; the keyed hashes answer lookups and uniqueness (see cases/crypto.py).
    id_number = EncryptedResidentIDField(_("身份证号"), blank=True)
    id_number_digest = ResidentIDDigestField()
    id_number_tail = ResidentIDDigestField(part="tail", db_index=True)
    id_number_mask = ResidentIDMaskField()
    honour_level = models.CharField(
        _("荣誉级别"), max_length=12, choices=HonourLevel.choices, db_index=True
    )
    honour_title = models.CharField(_("荣誉称号"), max_length=20, choices=HonourTitle.choices)
    year_awarded = models.PositiveSmallIntegerField(_("授予年份"), validators=[validate_year])
    employer = models.CharField(_("工作单位"), max_length=100, blank=True)
    in_service = models.BooleanField(_("在职"), default=True)
    is_local = models.BooleanField(_("在本地"), default=True)
    expertise = models.ManyToManyField(
        ExpertiseField, blank=True, related_name="labor_models", verbose_name=_("专长领域")
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])

    class Meta:
        ordering = ["county__code", "name", "id"]
        verbose_name = _("劳模")
        verbose_name_plural = _("劳模")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_digest"],
                condition=~Q(id_number_digest=""),
                name="labor_model_id_number_unique",
                violation_error_message=_("已有劳模使用该身份证号。"),
            ),
            resident_id_mask_constraint("labor_model_id_number_has_its_mask"),
        ]

    def __str__(self):
        # One translatable pattern, not a concatenation: English needs a space between them.
        return gettext("%(name)s(%(level)s%(title)s)") % {
            "name": self.name,
            "level": self.get_honour_level_display(),
            "title": self.get_honour_title_display(),
        }

    def get_absolute_url(self):
        return reverse("cases:labormodel_detail", args=[self.pk])

    def validate_unique(self, exclude=None):
        super().validate_unique(exclude)
        validate_resident_id_unique(self, exclude)


class AdvancedCollective(ReviewedRecord):
    """An honoured unit (工人先锋号, 五一劳动奖状) that takes part in the programme."""

    name = models.CharField(_("名称"), max_length=100)
    honour = models.CharField(_("荣誉称号"), max_length=20, choices=CollectiveHonour.choices)
    year_awarded = models.PositiveSmallIntegerField(_("授予年份"), validators=[validate_year])
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])

    class Meta:
        ordering = ["county__code", "name"]
        verbose_name = _("先进集体")
        verbose_name_plural = _("先进集体")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"],
                name="collective_name_unique_in_county",
                violation_error_message=_("该县区已登记同名先进集体。"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cases:advancedcollective_detail", args=[self.pk])


class Enterprise(ReviewedRecord):
    """A labor-model enterprise or specialised cooperative (劳模企业/专业合作社)."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=EnterpriseKind.choices)
    leader = models.ForeignKey(
        LaborModel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("领办劳模"),
    )
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, help_text=_("18位,可不填。")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])

    # Registered where it is, whichever county's labor model leads it.
    county_independent_of = ("leader",)

    class Meta:
        ordering = ["county__code", "name"]
        verbose_name = _("劳模企业/合作社")
        verbose_name_plural = _("劳模企业/合作社")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"],
                name="enterprise_name_unique_in_county",
                violation_error_message=_("该县区已登记同名企业或合作社。"),
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="enterprise_credit_code_unique",
                violation_error_message=_("已有企业使用该统一社会信用代码。"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cases:enterprise_detail", args=[self.pk])


class VolunteerTeam(ReviewedRecord):
    """A labor-model volunteer service team (劳模志愿服务队)."""

    name = models.CharField(_("名称"), max_length=100)
    field = models.CharField(_("服务领域"), max_length=12, choices=TeamField.choices)
    leader = models.ForeignKey(
        LaborModel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_teams",
        verbose_name=_("队长"),
    )
    founded_on = models.DateField(_("成立日期"), validators=[validate_not_in_future])

    # The county whose union founded the team, whichever county's labor model leads it.
    county_independent_of = ("leader",)

    class Meta:
        ordering = ["county__code", "name"]
        verbose_name = _("劳模志愿服务队")
        verbose_name_plural = _("劳模志愿服务队")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"],
                name="team_name_unique_in_county",
                violation_error_message=_("该县区已有同名志愿服务队。"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        """Volunteer teams have no page of their own yet: a team opens in its form."""
        return reverse("cases:volunteerteam_edit", args=[self.pk])
