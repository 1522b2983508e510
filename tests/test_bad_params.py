"""Finding 7 of the attack run: out-of-range query parameters answered 500 (a date of year 1
or 9999 on the dashboard and the targets' progress, ``?page=99999999999999999999`` on the city's
lists). Every date, page and number parameter of every list, the dashboard, its drill-downs and
the target pages now gets a page (the bad value ignored or clamped, with a field error), a 400,
or a 404 for an id naming no visible record; never a server error. Hypothesis tries each
page's parameters with huge numbers, dates at the ends of the calendar and text."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import EmptyPage
from django.test import Client, RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cases.indicators import INDICATORS
from cases.pagination import ScalablePaginator
from tests.support import LISTS, sign_in, view_for

PARAMETERS = settings(
    max_examples=8, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HUGE_NUMBERS = st.integers(min_value=-(10**30), max_value=10**30).map(str)
DATES = st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)).map(
    datetime.date.isoformat
)
VALUES = st.one_of(HUGE_NUMBERS, DATES, st.sampled_from(["", "0", "-1", "1e400", "NaN"]),
                   st.text(max_size=12))
PERIOD_PARAMETERS = ["period", "as_of", "year", "quarter", "start", "end", "include_submitted"]
ATTACK_VALUES = {"page": "99999999999999999999", "as_of": "9999-12-31"}


def parameter_names(form):
    """The GET names a filter form reads (a range field reads ``<name>_min``/``_max``, or
    ``_after``/``_before``), plus the page and the sort."""
    names = ["page", "sort"]
    for name, field in form.fields.items():
        suffixes = getattr(field.widget, "widgets_names", None)
        names += [f"{name}{suffix}" for suffix in suffixes] if suffixes else [name]
    return names


def list_parameters(url):
    request = RequestFactory().get(url)
    request.user = AnonymousUser()  # the form's choices do not matter, only its fields' names
    return parameter_names(view_for(url).filterset_class(request=request).form)


PAGES = (
    [(spec.url, list_parameters(spec.url)) for spec in LISTS]
    + [
        (reverse("cases:dashboard"), PERIOD_PARAMETERS),
        (reverse("cases:indicator_list", args=[INDICATORS[0].key]),
         [*PERIOD_PARAMETERS, "county", "page"]),
        (reverse("cases:targets"), ["year"]),
        (reverse("cases:target_progress"), PERIOD_PARAMETERS),
        (reverse("cases:report"), PERIOD_PARAMETERS),
        (reverse("cases:indicators_json"), PERIOD_PARAMETERS),
        (reverse("cases:review_queue"), ["page", "model", "county", "submitted_after"]),
        (reverse("cases:export_job_list"), ["page"]),
    ]
)


@pytest.fixture
def city_client(county_a, city_reviewer):
    for spec in LISTS:
        spec.make(county_a, f"甲{spec.name}")
    client = sign_in(Client(), city_reviewer)
    client.raise_request_exception = False
    return client


def query_strategy(names):
    return st.dictionaries(st.sampled_from(names), VALUES, min_size=1, max_size=4)


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "names"), PAGES, ids=[url for url, _names in PAGES])
def test_no_parameter_value_makes_a_server_error(city_client, url, names):
    attack = {name: value for name, value in ATTACK_VALUES.items() if name in names}

    @PARAMETERS
    @given(query=query_strategy(names))
    @example(query=attack or {names[0]: "9999-12-31"})
    @example(query=dict.fromkeys(names, "0001-01-01"))
    def check(query):
        response = city_client.get(url, query)
        # 404 only for an id naming no record the user may see (the drill-down's ?county=).
        assert response.status_code in {200, 400, 404}, (url, query, response.status_code)

    check()


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("url_name", ["cases:dashboard", "cases:target_progress"])
def test_a_date_out_of_range_is_a_field_error_and_the_default_period_holds(
    city_client, url_name, as_of
):
    response = city_client.get(reverse(url_name), {"period": "as_of", "as_of": as_of})
    assert response.status_code == 200
    assert response.context["form"].errors["as_of"]


def test_a_page_far_past_an_estimated_count_is_past_the_end():
    """On PostgreSQL a big list's count is the planner's estimate and any later page is
    allowed; a page number past the database's integers must not reach the OFFSET."""

    class Estimated(ScalablePaginator):
        count = 50_000

    paginator = Estimated([], 25)
    paginator.count_is_estimate = True
    assert paginator.validate_number("3000") == 3000
    with pytest.raises(EmptyPage):
        paginator.validate_number("99999999999999999999")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    ["cases:industryproject_list", "cases:financeagreement_list", "cases:labormodel_list"],
)
def test_a_signaling_nan_at_both_ends_of_a_range_is_a_field_error(city_client, url_name):
    """Django's own decimal field fails on this one: merging the two ends' errors hashes the
    value, and a signaling NaN cannot be hashed."""
    field = "year_awarded" if url_name == "cases:labormodel_list" else "funds"
    response = city_client.get(reverse(url_name), {f"{field}_min": "sNaN", f"{field}_max": "sNaN"})
    assert response.status_code == 200
    assert response.context["filter"].form.errors[field]
