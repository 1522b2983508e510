"""``manage.py bench``: time the portal's pages at a chosen size, against references measured in
the same run (``make bench``; README, "Performance").

Every page goes through Django's whole request/response cycle (``django.test.Client``, a
logged-in user, middleware, templates), repeated; the first request of each is a warm-up and is
not counted. Each line shows the median and the 95th percentile, the number of SQL queries, and
a ratio against a reference:

- a list or case page against Django admin's changelist or change page for the same model,
  filter and offset (a superuser with a verified second factor);
- a dashboard against running the aggregate SQL the page ran (captured during the request)
  directly on a cursor, with no Python around it.
"""

import statistics
import time
import tracemalloc

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, User
from cases.models import County, ExportJob, Household, LaborModel
from cases.privacy import EXPORT_PERMISSION
from cases.summaries import data_changed
from demo.synthetic import HOUSEHOLDS_PER_COUNTY
from reliefportal.startup import freeze_startup_objects

PAGE_SIZE = 25  # the portal's list pages
ADMIN_PAGE_SIZE = 50  # CountyRecordAdmin.list_per_page
DEEP_PAGE = 10_000
EXPORT_ROWS = 100_000
DASHBOARD_YEAR = 2019
SECTIONS = ("lists", "pages", "dashboards", "queue", "export")


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


class Timing:
    def __init__(self, samples, queries):
        self.samples = samples
        self.queries = queries

    @property
    def median(self):
        return statistics.median(self.samples)

    @property
    def p95(self):
        return percentile(self.samples, 0.95)


def bench_users():
    """A city reviewer, the staff of the county with the most households, and a superuser
    whose session has passed a second factor (the admin site requires one)."""
    county = (
        County.objects.filter(pk__in=Household.objects.values("county")[:1]).first()
        or County.objects.order_by("code").first()
    )
    city, _ = User.objects.get_or_create(
        username="bench_city", defaults={"role": Role.CITY_REVIEWER}
    )
    clerk, _ = User.objects.get_or_create(
        username="bench_county", defaults={"role": Role.COUNTY_STAFF, "county": county}
    )
    admin, _ = User.objects.get_or_create(
        username="bench_admin", defaults={"is_superuser": True, "is_staff": True}
    )
    for user in (city, clerk, admin):
        if user.has_usable_password():
            user.set_unusable_password()
            user.save()
    app_label, codename = EXPORT_PERMISSION.split(".")
    city.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    return city, clerk, admin


def logged_in(user, verified=False):
    # As a browser reaches the deployed site: over https, by a host name it answers to.
    host = next((h for h in settings.ALLOWED_HOSTS if h not in ("*", "") and h[0] != "."), None)
    client = Client(HTTP_HOST=host or "localhost", secure=True)
    client.force_login(user)
    if verified:
        # The admin site asks for a verified TOTP device; the bench has no phone to read a
        # code from, so it records the device in the session as a successful code entry would.
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def consume(response):
    if response.streaming:
        for _chunk in response.streaming_content:
            pass
    else:
        response.content  # noqa: B018 (rendered already; read like a browser would)


SLOW_MS = 2000  # a request slower than this is timed only SLOW_REPEAT times
SLOW_REPEAT = 3


def time_get(client, url, repeat):
    """Warm up once, then ``repeat`` timed GETs (``SLOW_REPEAT`` if the warm-up took longer
    than ``SLOW_MS``: some references take seconds); the queries of the last one are
    counted."""
    started = time.perf_counter()
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    consume(response)
    if (time.perf_counter() - started) * 1000 > SLOW_MS:
        repeat = min(repeat, SLOW_REPEAT)
    samples = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            consume(client.get(url))
            samples.append((time.perf_counter() - started) * 1000)
    return Timing(samples, len(captured.captured_queries)), captured.captured_queries


def time_sql(queries, repeat):
    """The queries a page ran, re-run as they were sent (parameters inlined) on a cursor."""
    statements = [
        query["sql"] for query in queries
        if query["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
        and '"cases_' in query["sql"]
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
            samples.append((time.perf_counter() - started) * 1000)
    return Timing(samples, len(statements))


class Command(BaseCommand):
    help = (
        "Benchmark the portal's pages on the database in DATABASE_URL: household list (first "
        "page, filtered, page 10,000, search), household and labor-model pages, city and "
        "county dashboards for a year, the review queue and a 100,000-row export, each "
        "against Django admin or the raw SQL. Generates data first when the database has "
        "fewer households than --households."
    )

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=100_000)
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--only", default=",".join(SECTIONS),
            help=f"comma-separated sections to run, of: {', '.join(SECTIONS)} (default: all)",
        )
        parser.add_argument(
            "--smoke", action="store_true",
            help="run in a throwaway database (test_<NAME>), created, migrated and dropped "
            "as the test runner does: for CI, to show the command works",
        )

    def handle(self, *args, smoke, **options):
        if not smoke:
            return self.run(**options)
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        try:
            return self.run(**options)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    def run(self, *, households, repeat, seed, **options):
        have = Household.objects.count()
        if have < households:
            self.stdout.write(f"generating {households - have:,} households ...")
            call_command(
                "generate_data", households=households - have, seed=seed, append=have > 0,
                counties=max(1, -(-(households - have) // HOUSEHOLDS_PER_COUNTY))
                if have else None, stdout=self.stdout,
            )
        city, clerk, admin = bench_users()
        self.results = []
        self.repeat = repeat
        vendor = connection.vendor
        total = Household.objects.count()
        self.stdout.write(
            f"database: {vendor} {connection.settings_dict['NAME']}, {total:,} households, "
            f"{repeat} timed requests per line (median / 95th percentile, ms)"
        )
        city_client = logged_in(city)
        clerk_client = logged_in(clerk)
        admin_client = logged_in(admin, verified=True)
        # As the production server does when it starts (reliefportal/wsgi.py).
        freeze_startup_objects()
        only = set(options["only"].split(","))
        if "lists" in only:
            self.bench_lists(city_client, admin_client, total)
        if "pages" in only:
            self.bench_pages(city_client, admin_client)
        if "dashboards" in only:
            self.bench_dashboards(city_client, clerk_client)
        if "queue" in only:
            self.bench_queue(city_client, admin_client)
        if "export" in only:
            self.bench_export(city_client)
        self.print_table()

    def add(self, name, timing, reference_name="", reference=None):
        self.results.append((name, timing, reference_name, reference))
        line = f"  {name}: {timing.median:.0f} / {timing.p95:.0f} ms, {timing.queries} queries"
        if reference is not None:
            line += f" ({reference_name} {reference.median:.0f} / {reference.p95:.0f} ms)"
        self.stdout.write(line)
        self.stdout.flush()

    def compare(self, name, client, url, admin_client, admin_url):
        timing, _queries = time_get(client, url, self.repeat)
        reference, _queries = time_get(admin_client, admin_url, self.repeat)
        self.add(name, timing, "admin", reference)

    def bench_lists(self, client, admin_client, total):
        households = reverse("cases:household_list")
        admin_list = reverse("admin:cases_household_changelist")
        self.compare("household list, page 1", client, households, admin_client, admin_list)
        county = County.objects.filter(pk=Household.objects.values("county")[:1]).first()
        self.compare(
            "household list, county + exited", client,
            f"{households}?county={county.pk}&status=exited",
            admin_client, f"{admin_list}?county__id__exact={county.pk}&status__exact=exited",
        )
        # The portal lists active households only; admin lists archived ones too, so the
        # offsets are about the same rows.
        page = max(1, min(DEEP_PAGE, total // PAGE_SIZE))
        admin_page = (page - 1) * PAGE_SIZE // ADMIN_PAGE_SIZE + 1
        self.compare(
            f"household list, page {page:,}", client, f"{households}?page={page}",
            admin_client, f"{admin_list}?p={admin_page}",
        )
        head = Household.objects.order_by("pk").values_list("head_name", flat=True).first()
        # Two characters (a given name as typed) and one (a surname: common, so many matches).
        for term in (head[:2], head[:1]):
            self.compare(
                f"household list, search {term}", client, f"{households}?q={term}",
                admin_client, f"{admin_list}?q={term}",
            )

    def bench_pages(self, client, admin_client):
        household = Household.objects.filter(pairings__isnull=False).order_by("pk").first()
        self.compare(
            "household case page", client, household.get_absolute_url(), admin_client,
            reverse("admin:cases_household_change", args=[household.pk]),
        )
        labor_model = LaborModel.objects.filter(pairings__isnull=False).order_by("pk").first()
        self.compare(
            "labor-model page", client, labor_model.get_absolute_url(), admin_client,
            reverse("admin:cases_labormodel_change", args=[labor_model.pk]),
        )

    def bench_dashboards(self, city_client, clerk_client):
        """Each dashboard twice: served from current snapshots (every request after a change
        to the records), and recomputed (the first request after a change: every county's
        snapshot is outdated first). The reference is the aggregate SQL of a recomputation,
        re-run on a cursor."""
        url = f"{reverse('cases:dashboard')}?period=year&year={DASHBOARD_YEAR}"
        cold_repeat = max(1, min(3, self.repeat))
        for name, client in (
            (f"city dashboard, {DASHBOARD_YEAR}", city_client),
            (f"county dashboard, {DASHBOARD_YEAR}", clerk_client),
        ):
            samples = []
            for _ in range(cold_repeat):
                data_changed()
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    consume(client.get(url))
                    samples.append((time.perf_counter() - started) * 1000)
            cold = Timing(samples, len(captured.captured_queries))
            raw = time_sql(captured.captured_queries, cold_repeat)
            warm, _queries = time_get(client, url, self.repeat)
            self.add(f"{name} (snapshots)", warm, "raw SQL", raw)
            self.add(f"{name} (recomputed)", cold, "raw SQL", raw)

    def bench_queue(self, client, admin_client):
        self.compare(
            "review queue", client, reverse("cases:review_queue"), admin_client,
            f"{reverse('admin:cases_household_changelist')}?review_status__exact=submitted",
        )

    def bench_export(self, client):
        """The household list's .csv export of about 100,000 rows (those identified up to a
        day), as the user gets it: past ``EXPORT_BACKGROUND_ROWS`` rows the request makes the
        file in a background job (inline with the default task backend, so the request's time
        is the job's). The time over a few runs, and the peak Python memory (tracemalloc) of
        one more, run apart because tracing slows it down."""
        day = (
            Household.objects.active().order_by("identified_on")
            .values_list("identified_on", flat=True)[EXPORT_ROWS - 1: EXPORT_ROWS].first()
        ) or Household.objects.order_by("-identified_on").values_list(
            "identified_on", flat=True
        ).first()
        rows = Household.objects.active().filter(identified_on__lte=day).count()
        url = (
            f"{reverse('cases:household_list')}?identified_before={day:%Y-%m-%d}"
        )

        def export():
            response = client.post(url, {"export": "csv"})
            consume(response)
            if response.status_code == 302:
                job = ExportJob.objects.latest("pk")
                if job.status != ExportJob.Status.DONE or job.rows_written != rows:
                    raise RuntimeError(f"export job {job.pk}: {job.status}, {job.rows_written}")
            elif response.status_code != 200:
                raise RuntimeError(f"export of {url} answered {response.status_code}")

        samples = []
        for _ in range(max(1, min(3, self.repeat))):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                export()
                samples.append((time.perf_counter() - started) * 1000)
        timing = Timing(samples, len(captured.captured_queries))
        tracemalloc.start()
        try:
            export()
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        how = "background job" if rows > settings.EXPORT_BACKGROUND_ROWS else "streamed"
        timing.note = f"{rows:,} rows ({how}), peak {peak / 2**20:.0f} MB"
        self.add(f"export .csv ({rows:,} rows)", timing)

    def print_table(self):
        header = (
            f"{'operation':<36} {'n':>3} {'median':>8} {'p95':>8} {'queries':>7}   "
            f"{'reference':<9} {'median':>8} {'p95':>8} {'ratio':>6}"
        )
        self.stdout.write("")
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for name, timing, reference_name, reference in self.results:
            line = (
                f"{name:<36} {len(timing.samples):>3} {timing.median:>8.1f} {timing.p95:>8.1f} "
                f"{timing.queries:>7}"
            )
            if reference is not None:
                ratio = timing.median / reference.median if reference.median else float("inf")
                line += (
                    f"   {reference_name:<9} {reference.median:>8.1f} {reference.p95:>8.1f} "
                    f"{ratio:>6.2f}"
                )
            note = getattr(timing, "note", "")
            if note:
                line += f"   {note}"
            self.stdout.write(line)
        self.stdout.write(
            "(n timed requests; times in ms; ratio = median / reference median)"
        )
