from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from reliefportal.views import favicon, health

admin.site.site_header = _("ReliefPortal 劳模助力脱贫 管理后台")
admin.site.site_title = _("ReliefPortal 管理后台")
admin.site.index_title = _("系统管理")

handler400 = "reliefportal.views.bad_request"
handler500 = "reliefportal.views.server_error"

urlpatterns = [
    path("health/", health, name="health"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("imports/", include("imports.urls")),
    path("evidence/", include("evidence.urls")),
    path("", include("cases.urls")),
]
