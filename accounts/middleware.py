"""Administrators see every county's records: a password alone must not open them."""

from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse

# Pages an administrator without a verified second factor may still open: the login steps,
# the two-factor page itself, logging out, the language switch and the health check.
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {"login", "login_verify", "logout", "two_factor", "set_language", "health"}
)


class AdministratorSecondFactorMiddleware:
    """Sends an administrator whose session has not passed a TOTP code to the two-factor page
    (to set a device up, or to enter a code) from every page of the portal and of Django admin,
    before the view runs: nothing is read or changed on a password alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_administrator) or user.is_verified():
            return None
        if request.resolver_match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        next_url = request.get_full_path() if request.method == "GET" else request.path
        return redirect(f"{reverse('two_factor')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
