"""The site's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from reliefportal.urls import handler400, handler500
from reliefportal.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("secret internal detail 4711")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("ops-test/broken/", broken),
    path("ops-test/forbidden/", forbidden),
    *site_urlpatterns,
]
__all__ = ["handler400", "handler500", "urlpatterns"]
