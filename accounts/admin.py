from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Administrators create accounts and assign the role and county here. There is no groups
    field: ``User.save`` puts each user in their role's group, so a hand-picked group would be
    overwritten anyway. ``User.clean`` reports a role/county mismatch next to the county."""

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("last_name", "first_name", "email")}),
        (_("角色与所属县区"), {"fields": ("role", "county")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "user_permissions")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (_("个人信息"), {"classes": ("wide",), "fields": ("last_name", "first_name")}),
        (_("角色与所属县区"), {"classes": ("wide",), "fields": ("role", "county")}),
    )
    list_display = ("username", "full_name", "role", "county", "is_active", "last_login")
    list_filter = ("role", "county", "is_active")
    list_select_related = ("county",)
    filter_horizontal = ("user_permissions",)

    @admin.display(description=_("姓名"), ordering="last_name")
    def full_name(self, obj):
        # Chinese names are written family name first, without a space.
        return f"{obj.last_name}{obj.first_name}"
