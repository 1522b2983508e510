from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import User

# django-otp's device admin shows each user's TOTP secret and QR code: no administrator needs
# them. A user who lost their phone has their device cleared with the action on the user list.
admin.site.unregister(TOTPDevice)


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
    actions = ["reset_two_factor"]

    @admin.action(description=_("清除所选用户的两步验证设备"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        users = list(queryset)
        for user in users:
            two_factor.remove_devices(user)
        self.message_user(
            request,
            ngettext(
                "已清除 %(count)d 个用户的两步验证设备，他们下次登录后可重新设置。",
                "已清除 %(count)d 个用户的两步验证设备，他们下次登录后可重新设置。",
                len(users),
            )
            % {"count": len(users)},
        )

    @admin.display(description=_("姓名"), ordering="last_name")
    def full_name(self, obj):
        # Chinese names are written family name first, without a space.
        return f"{obj.last_name}{obj.first_name}"
