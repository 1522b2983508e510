"""Every route of the URL configuration, for the tests that go over all of them (the access
matrix, the access entry point, the second factor, the fuzzed forms, mass assignment)."""

import re

from django.urls import URLResolver, get_resolver

from cases.indicators import INDICATORS
from cases.views.autocomplete import SOURCES
from imports.kinds import KINDS

# Routes the tests of every route do not try, each with the reason they do not need to.
SKIPPED = {
    r"^admin:": "Django admin: administrators only, behind a second factor "
                "(tests/test_admin.py, tests/test_two_factor*.py)",
    r"^set_language$": "switches the interface language; touches no record",
    r"^(login|login_verify|logout|password_change|password_change_done|two_factor)$":
        "the account pages themselves (tests/test_sessions*.py, tests/test_two_factor*.py)",
    r"^health$": "load-balancer health check, no data (tests/test_ops.py)",
    r"^favicon$": "the site icon, no data (tests/test_navigation.py)",
}
# Route arguments that name a kind of page, not a record: one valid value each.
PAGE_KWARGS = {
    "key": INDICATORS[0].key,
    "source": next(iter(SOURCES)),
    "kind": next(iter(KINDS)),
}


def walk(patterns, prefix="", namespace=""):
    """(name, route, kwarg names) of every pattern under ``patterns``, skipped ones included."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            joined = f"{namespace}:{inner}" if namespace and inner else namespace or inner
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), joined)
        else:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern), tuple(pattern.pattern.converters)


def routes():
    """(name, route, kwarg names) of every route but the skipped ones."""
    return [
        (name, route, kwargs) for name, route, kwargs in walk(get_resolver().url_patterns)
        if not (name and any(re.search(skip, name) for skip in SKIPPED))
    ]


def edit_routes():
    """The model name of every ``cases:<model>_edit`` route (each has a ``_add`` twin)."""
    names = [name for name, _route, _kwargs in walk(get_resolver().url_patterns)]
    return sorted(match[1] for name in names if (match := re.fullmatch(r"cases:(\w+)_edit", name)))


EDITABLE = edit_routes()
