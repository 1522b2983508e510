"""Session limits: 30 minutes idle, 12 hours in all, and nothing left of a session whose user
can no longer sign in (deactivated, deleted, or the password changed elsewhere)."""

import logging
import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model, logout
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

LOGIN_AT_KEY = "accounts_login_at"
LAST_SEEN_KEY = "accounts_last_seen"

logger = logging.getLogger("accounts.security")


def client_ip(request):
    # django-axes has already resolved the address (behind the proxy too) for its lockout.
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")


@receiver(user_logged_in, dispatch_uid="accounts_record_login_time")
def record_login_time(sender, request, user, **kwargs):
    now = int(time.time())
    request.session[LOGIN_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now
    logger.info("login succeeded for user %s from %s", user.pk, client_ip(request))


@receiver(user_logged_out, dispatch_uid="accounts_log_logout")
def log_logout(sender, request, user, **kwargs):
    logger.info("logout of user %s", getattr(user, "pk", None))


@receiver(user_login_failed, dispatch_uid="accounts_log_login_failure")
def log_login_failure(sender, credentials, request=None, **kwargs):
    # django-axes masks the username and address in its own lines; an administrator looking
    # into a lockout needs both. The password is never in ``credentials`` (Django masks it).
    logger.warning(
        "login failed for username %r from %s",
        credentials.get("username"),
        client_ip(request) if request is not None else None,
    )


@receiver(post_save, sender=get_user_model(), dispatch_uid="accounts_end_sessions_of_inactive")
def end_sessions_of_inactive_user(sender, instance, **kwargs):
    if not instance.is_active:
        end_sessions(instance)


def end_sessions(user):
    """Deletes every live session of the user. Both session engines the settings use (db,
    cached_db) keep each session in the database, which is where they are found; at most 30
    minutes of sessions are alive, so the scan is short."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            store(session_key=session.session_key).delete()


def session_expired(session, now):
    login_at = session.get(LOGIN_AT_KEY)
    last_seen = session.get(LAST_SEEN_KEY)
    # A signed-in session without a login time was not made by our login: treat it as expired.
    if login_at is None or last_seen is None:
        return True
    return (
        now - login_at > settings.SESSION_ABSOLUTE_AGE
        or now - last_seen > settings.SESSION_COOKIE_AGE
    )


class SessionSecurityMiddleware:
    """Ends sessions past their idle or absolute limit, and sends every page shown to a
    signed-in user with ``Cache-Control: no-store`` (any of them may show personal data)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if SESSION_KEY in request.session:
            if not request.user.is_authenticated:
                # The user can no longer sign in (deactivated or deleted): destroy the session,
                # so re-activating the account does not bring it back.
                request.session.flush()
            elif session_expired(request.session, int(time.time())):
                logger.info("session of user %s ended by its time limit", request.user.pk)
                logout(request)
            else:
                request.session[LAST_SEEN_KEY] = int(time.time())
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if signed_in or request.user.is_authenticated:
            add_never_cache_headers(response)
        return response
