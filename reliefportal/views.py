"""Site-wide views: the health check, the favicon and the server-error page."""

import threading

from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import connections
from django.db.utils import load_backend
from django.http import HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect
from django.template import loader
from django.views.decorators.cache import never_cache

# The load balancer must hear "unavailable" within 2 seconds; connecting and querying get a
# little less, and a check still running then is abandoned (its connection times out alone).
HEALTH_TIMEOUT = 1.5


def database_answers(settings_dict, timeout=HEALTH_TIMEOUT):
    """Whether the database of ``settings_dict`` answers ``SELECT 1`` within ``timeout``
    seconds, on a connection of its own: the request's connection may be healthy from an
    earlier query, and a dead server must not hang the check."""
    outcome = {}

    def check():
        options = dict(settings_dict.get("OPTIONS", {}))
        postgres = "postgresql" in settings_dict["ENGINE"]
        if postgres:
            # libpq's shortest connect timeout is 2 s; the thread's deadline bounds it anyway.
            options["connect_timeout"] = 2
        wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(
            {**settings_dict, "OPTIONS": options, "CONN_MAX_AGE": 0}, "health"
        )
        try:
            with wrapper.cursor() as cursor:
                if postgres:
                    cursor.execute("SET statement_timeout = %s", [int(timeout * 1000)])
                cursor.execute("SELECT 1")
                outcome["ok"] = cursor.fetchone() == (1,)
        except Exception:  # noqa: BLE001 (any failure means "not healthy")
            outcome["ok"] = False
        finally:
            wrapper.close()

    thread = threading.Thread(target=check, daemon=True, name="health-check")
    thread.start()
    thread.join(timeout)
    return outcome.get("ok", False)


@never_cache
def health(request):
    """200 ``{"status": "ok"}`` when the database answers, 503 ``{"status": "unavailable"}``
    otherwise; nothing about why, for whoever asks."""
    if database_answers(connections["default"].settings_dict):
        return JsonResponse({"status": "ok"})
    return JsonResponse({"status": "unavailable"}, status=503)


def server_error(request):
    """The 500 page, with the request id to quote to the administrator. Rendered without a
    request, so no context processor (which might be what failed) runs."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(
        template.render({"request_id": getattr(request, "request_id", "")})
    )


def bad_request(request, exception):
    """The 400 page, with the request id. Without the request in the context: the request may
    be one whose Host header Django refuses, which base.html would read again."""
    template = loader.get_template("400.html")
    return HttpResponseBadRequest(
        template.render({"request_id": getattr(request, "request_id", "")})
    )


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the app's icon
    (its collected name carries a content hash, so it is looked up per request)."""
    return redirect(staticfiles_storage.url("favicon.svg"))
