from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_STAFF = "county_staff", _("县区总工会工作人员")
    CITY_REVIEWER = "city_reviewer", _("市总工会审核人员")
    ADMINISTRATOR = "administrator", _("系统管理员")


# Each role's permissions live on a group of the same name, created by a migration.
ROLE_GROUP_NAMES = {
    Role.COUNTY_STAFF: "县区总工会工作人员",
    Role.CITY_REVIEWER: "市总工会审核人员",
    Role.ADMINISTRATOR: "系统管理员",
}


class User(AbstractUser):
    """A portal account. The role decides what the user may do; county staff also have the one
    county whose rows they may see and change."""

    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, blank=True)
    county = models.ForeignKey(
        "cases.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("所属县区"),
        help_text=_("县区工作人员必须且只能属于一个县区;其他角色不选。"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.COUNTY_STAFF) & Q(county__isnull=False))
                | (~Q(role=Role.COUNTY_STAFF) & Q(county__isnull=True)),
                name="county_staff_have_exactly_one_county",
                violation_error_message=_("县区工作人员必须选择所属县区,其他角色不能选择县区。"),
            ),
        ]

    def clean(self):
        super().clean()
        if self.role == Role.COUNTY_STAFF and not self.county_id:
            raise ValidationError({"county": _("县区工作人员必须选择所属县区。")})
        if self.role != Role.COUNTY_STAFF and self.county_id:
            raise ValidationError({"county": _("只有县区工作人员才选择所属县区。")})

    def save(self, *args, **kwargs):
        # Django admin is the administrators' tool only; the role decides, not a stray flag.
        self.is_staff = self.is_superuser or self.role == Role.ADMINISTRATOR
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "role" in update_fields:
            self.groups.set(Group.objects.filter(name=ROLE_GROUP_NAMES.get(self.role)))

    def get_full_name(self):
        """Chinese order: family name first, no space (王秀兰)."""
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def is_county_staff(self):
        return self.role == Role.COUNTY_STAFF and self.county_id is not None

    @property
    def is_city_reviewer(self):
        return self.role == Role.CITY_REVIEWER

    @property
    def is_administrator(self):
        return self.is_superuser or self.role == Role.ADMINISTRATOR
