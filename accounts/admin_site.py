from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


class PortalAdminSite(admin.AdminSite):
    """The admin site, open only to administrators whose session passed a TOTP code.

    There is no separate admin login form: it would take a password alone. Anyone sent to the
    admin login goes through the portal's login (password, then code); an administrator signed
    in without a verified device is sent to the two-factor page to set one up or enter a code.
    """

    def has_permission(self, request):
        return super().has_permission(request) and request.user.is_verified()

    def login(self, request, extra_context=None):
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = index
        user = request.user
        if user.is_active and user.is_staff:
            if user.is_verified():
                return redirect(next_url)
            return redirect(f"{reverse('two_factor')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
        return redirect_to_login(next_url, reverse("login"))
