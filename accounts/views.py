import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from accounts import two_factor
from accounts.forms import CodeForm
from accounts.models import User

# Between the password and the code the session holds who passed the password, not a login.
PENDING_LOGIN_KEY = "accounts_pending_login"


class LoginView(auth_views.LoginView):
    """The password step. A user with a confirmed TOTP device is not signed in yet: the session
    remembers them for the code step (``login_verify``)."""

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.confirmed_device(user) is None:
            return super().form_valid(form)
        self.request.session[PENDING_LOGIN_KEY] = {
            "user_id": user.pk,
            "backend": user.backend,
            "started": int(time.time()),
            "next": self.get_success_url(),
        }
        return redirect("login_verify")


@never_cache
@require_http_methods(["GET", "POST"])
def login_verify(request):
    """The code step of the login."""
    pending = request.session.get(PENDING_LOGIN_KEY)
    user = device = None
    if pending and time.time() - pending["started"] <= settings.TWO_FACTOR_LOGIN_TIMEOUT:
        user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
        device = user and two_factor.confirmed_device(user)
    if device is None:
        request.session.pop(PENDING_LOGIN_KEY, None)
        messages.warning(request, _("登录已超时，请重新输入用户名和密码。"))
        return redirect("login")

    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = two_factor.check_code(device, form.cleaned_data["code"])
        if error is None:
            del request.session[PENDING_LOGIN_KEY]
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return redirect(pending["next"])
        form.add_error("code", error)
    return render(request, "registration/login_verify.html", {"form": form})


def _safe_next(request):
    next_url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_page(request):
    """「两步验证」: set up a TOTP device and confirm it with a code, prove a code for this
    session (an administrator on the way to Django admin), or remove the device with a code."""
    user = request.user
    next_url = _safe_next(request)
    device = two_factor.confirmed_device(user)
    if device is None:
        state = "setup"
        device = two_factor.unconfirmed_device(user)
    elif user.is_verified():
        state = "enabled"
    else:
        state = "verify"

    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = two_factor.check_code(device, form.cleaned_data["code"])
        if error is None:
            return _after_code_accepted(request, state, device, next_url)
        form.add_error("code", error)

    context = {"state": state, "form": form, "next": next_url}
    if state == "setup":
        context |= {"qr_svg": two_factor.qr_code_svg(device), "secret": two_factor.secret(device)}
    return render(request, "accounts/two_factor.html", context)


def _after_code_accepted(request, state, device, next_url):
    here = reverse("two_factor")
    if next_url:
        here = f"{here}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"
    if state == "enabled":
        two_factor.remove_devices(request.user)
        messages.success(request, _("已关闭两步验证。"))
        return redirect(here)
    if state == "setup":
        two_factor.confirm(device, request.user)
        messages.success(request, _("两步验证已启用。以后登录时，输入密码后还需输入验证码。"))
    otp_login(request, device)
    return redirect(next_url or here)
