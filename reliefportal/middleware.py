"""A request id for every request, in the response, on error pages and in every log line.

The proxy may send ``X-Request-ID`` (nginx's ``$request_id``, see ``deploy/nginx.conf``), so
its access log and ours name a request the same way; anything that does not look like an id
is replaced by one of ours, since the header ends up in logs and on pages.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.utils.functional import empty

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")

# The request being handled by this thread (or task), for the log filter below.
current_request = ContextVar("current_request", default=None)

logger = logging.getLogger("reliefportal.request")


def request_id_from(request):
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    if _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def client_ip(request):
    """The client's address: REMOTE_ADDR, or behind our own proxy (``TRUST_X_FORWARDED_FOR``)
    the address the proxy appended last to X-Forwarded-For; earlier entries come from the
    client and prove nothing."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.rsplit(",", 1)[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


class RequestIdMiddleware:
    """First in MIDDLEWARE: it sees every response, including the 500 page, and logs one line
    per request with its status and duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_from(request)
        token = current_request.set(request)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "status": response.status_code,
                    "method": request.method,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            current_request.reset(token)


def _user_id(request):
    """The signed-in user's id, only if authentication already ran for this request: a log
    line must never be the thing that loads the session or queries the database."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty:
        return None
    return wrapped.pk if wrapped.is_authenticated else None


class RequestContextFilter(logging.Filter):
    """Adds the current request's id, user id, client IP and path to every record, so a JSON
    log line can be traced back to one request and one user. The query string is left out:
    searches may carry ID numbers or names."""

    def filter(self, record):
        request = current_request.get()
        record.request_id = getattr(request, "request_id", None)
        record.user_id = _user_id(request) if request is not None else None
        record.ip = client_ip(request) if request is not None else None
        record.path = request.path if request is not None else None
        return True
