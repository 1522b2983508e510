"""Load test: county staff and city reviewers working through their day (``make load``).

Runs against ``make serve-prod`` on 127.0.0.1 with the demo data (``manage.py seed_demo``).
At the end it prints the 5xx count, the failure rate and the 95th percentile of list pages and
of case pages, and exits non-zero if there was any 5xx, more than 0.1% failures, or a 95th
percentile above 500 ms. Requests are grouped by page kind (``name=``), so the percentiles
are those of all list pages together and all case pages together.
"""

import random
import re
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task
from requests.cookies import RequestsCookieJar

DEMO_PASSWORD = "relief-demo-2018"
COUNTY_ACCOUNTS = (
    "yicheng", "xiping", "shangcai", "pingyu", "zhengyang",
    "queshan", "biyang", "runan", "suiping", "xincai",
)
LIST_PAGES = "list pages"
CASE_PAGES = "case pages"
LIMITS = {"max_5xx": 0, "max_failure_ratio": 0.001, "max_p95_ms": 500}
SERVER_ERRORS = {"count": 0}


class LoopbackCookieJar(RequestsCookieJar):
    """The production settings mark cookies Secure, and nginx would terminate TLS in front of
    the app server. Here the run talks to 127.0.0.1 directly, claiming https as nginx does, so
    the cookies are kept for the plain loopback connection as they would be over TLS."""

    def set_cookie(self, cookie, *args, **kwargs):
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


@events.init.add_listener
def refuse_remote_hosts(environment, **kwargs):
    host = urlsplit(environment.host or "").hostname
    if host not in {"127.0.0.1", "localhost"}:
        raise SystemExit(f"make load runs against the loopback interface only, not {host!r}")


@events.request.add_listener
def count_server_errors(response=None, **kwargs):
    if response is not None and getattr(response, "status_code", 0) >= 500:
        SERVER_ERRORS["count"] += 1


@events.quitting.add_listener
def check_limits(environment, **kwargs):
    stats = environment.stats
    p95 = {
        name: stats.get(name, "GET").get_response_time_percentile(0.95)
        for name in (LIST_PAGES, CASE_PAGES)
    }
    ratio = stats.total.fail_ratio
    print(
        f"\nmake load: {stats.total.num_requests} requests, "
        f"{SERVER_ERRORS['count']} 5xx, failures {ratio:.3%}, "
        f"p95 list pages {p95[LIST_PAGES]} ms, p95 case pages {p95[CASE_PAGES]} ms, "
        f"{stats.total.total_rps:.1f} requests/s"
    )
    failed = (
        SERVER_ERRORS["count"] > LIMITS["max_5xx"]
        or ratio > LIMITS["max_failure_ratio"]
        or max(p95.values()) > LIMITS["max_p95_ms"]
        or not all(stats.get(name, "GET").num_requests for name in p95)
    )
    print("make load: FAILED (limits: no 5xx, failures <= 0.1%, p95 <= 500 ms)" if failed
          else "make load: passed (no 5xx, failures <= 0.1%, p95 <= 500 ms)")
    environment.process_exit_code = 1 if failed else 0


class PortalUser(HttpUser):
    abstract = True
    # A clerk reads each page for a few seconds before the next click.
    wait_time = between(3, 8)
    username = None

    def on_start(self):
        origin = self.host.rstrip("/").replace("http://", "https://", 1)
        # What nginx adds (deploy/nginx.conf): the request came over TLS.
        self.client.headers.update({"X-Forwarded-Proto": "https", "Origin": origin})
        self.client.cookies = LoopbackCookieJar()
        page = self.client.get("/accounts/login/", name="login")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        with self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{origin}/accounts/login/"},
            name="login",
            catch_response=True,
        ) as response:
            if urlsplit(response.url).path == "/accounts/login/":
                response.failure(f"login as {self.username} refused")

    def list_page(self, path):
        return self.client.get(path, name=LIST_PAGES)

    def case_page(self, path):
        return self.client.get(path, name=CASE_PAGES)

    def household_ids(self, page):
        return re.findall(r'href="/households/(\d+)/"', page.text)

    @task(3)
    def home(self):
        self.client.get("/", name="home")

    @task(2)
    def dashboard(self):
        self.client.get("/dashboard/", name="dashboard")

    @task(6)
    def lists(self):
        self.list_page(random.choice(
            ["/households/", "/members/", "/pairings/", "/labor-models/", "/aid/",
             "/training/", "/employment/", "/enterprises/"]
        ))

    @task(4)
    def filtered_list(self):
        self.list_page(random.choice(
            ["/households/?status=not_exited", "/households/?unpaired=true",
             "/pairings/?mode=technical", "/households/?page=3"]
        ))

    @task(6)
    def household(self):
        ids = self.household_ids(self.list_page(f"/households/?page={random.randint(1, 20)}"))
        if ids:
            self.case_page(f"/households/{random.choice(ids)}/")


class CountyStaff(PortalUser):
    """A county union's clerk: their county's lists and households, and new records."""

    weight = 3

    def on_start(self):
        self.username = random.choice(COUNTY_ACCOUNTS)
        super().on_start()

    @task(2)
    def record_volunteer_event(self):
        form = self.client.get("/volunteer-events/new/", name="record form")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        team = re.search(r'<select name="team"[^>]*>.*?<option value="(\d+)"', form.text, re.S)
        if not (token and team):
            return
        origin = self.client.headers["Origin"]
        with self.client.post(
            "/volunteer-events/new/",
            {
                "csrfmiddlewaretoken": token.group(1), "team": team.group(1),
                "held_on": "2020-06-01", "title": "负载测试宣讲", "kind": "policy_talk",
                "place": "村委会", "beneficiaries": "30",
            },
            headers={"Referer": f"{origin}/volunteer-events/new/"},
            name="record create",
            catch_response=True,
        ) as response:
            if urlsplit(response.url).path.endswith("/new/"):
                response.failure("the new record was not saved")


class CityReviewer(PortalUser):
    """The city union's reviewer: every county's figures and the review queue."""

    weight = 1
    username = "city"

    @task(4)
    def review_queue(self):
        self.list_page("/review/")
