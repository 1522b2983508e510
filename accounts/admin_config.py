from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django admin whose ``admin.site`` requires a verified second factor; every ModelAdmin
    registered on ``admin.site`` keeps working unchanged."""

    default_site = "accounts.admin_site.PortalAdminSite"
