"""Run once per server process, before it answers requests."""

import gc

from django.urls import get_resolver


def freeze_startup_objects():
    """Import every view (and the forms, tables and filters they use), then put every object
    alive at this point out of the garbage collector's reach (``gc.freeze``). Those objects
    live as long as the process; left in the collector's oldest generation, each full
    collection walks all of them, which adds tens of milliseconds to whichever request
    triggers it (measured: the slowest of 40 review-queue requests took 156 ms instead of
    111). Each gunicorn worker loads the application, and so freezes, on its own."""
    get_resolver().url_patterns  # noqa: B018 (imports the URLconf and every view module)
    gc.collect()
    gc.freeze()
