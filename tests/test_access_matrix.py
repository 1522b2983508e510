"""Access control, proven by a matrix over the URL configuration.

Every route is enumerated from the resolver. Each route that takes an object id is tried, GET
and POST, as every role against the objects of county B: county A's staff get exactly what
an id that does not exist gets (404; 403 on the city's decisions), nothing changes in the
database, city reviewers get 403 on every change but approve/return, county staff 403 on
approve/return, and anonymous users are sent to the login page on every route. A new route
that this file cannot map to an object makes ``test_every_route_is_in_the_matrix`` fail.
"""

import json
import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import get_resolver, reverse

from cases import kinds
from cases.indicators import INDICATORS
from cases.kinds import REVIEWED_MODELS
from cases.models import (
    ExportJob,
    ExportLog,
    Household,
    Member,
    RevealLog,
    ReviewedRecord,
    ReviewEvent,
    TransferRequest,
)
from cases.views.autocomplete import SOURCES
from cases.views.generic import ScopedObjectMixin
from evidence.models import Attachment, AttachmentDownload
from imports.kinds import KINDS
from imports.models import ImportPreset, ImportRun
from tests.factories import MemberFactory, TransferRequestFactory, stored_attachment
from tests.query_scope import recording
from tests.routes import PAGE_KWARGS, SKIPPED, routes, walk
from tests.support import LISTS, export, household_in, sign_in

# The personal numbers county staff may reveal, per model (cases.kinds).
REVEALABLE_FIELDS = {kind.model: kind.revealable for kind in kinds.KINDS if kind.revealable}
DECISIONS = {"cases:record_approve", "cases:record_return"}
CHANGES = re.compile(
    r"_(edit|archive|submit_drafts)$|^cases:(record_submit|reveal)$|^imports:run_confirm$"
    r"|^evidence:attachment_upload$|^imports:preset_delete$"
)
MISSING_PK = 987_654


def object_targets(name, world):
    """[(url kwargs, record)] of county B's records for route ``name``, or None when the
    matrix does not know what the route's id means."""
    if name in {"cases:record_submit", *DECISIONS}:
        return [({"model_name": model._meta.model_name, "pk": world[model].pk}, world[model])
                for model in REVIEWED_MODELS]
    if name == "evidence:attachment_upload":
        return [({"model_name": model._meta.model_name, "pk": world[model].pk}, world[model])
                for model in REVIEWED_MODELS]
    if re.fullmatch(r"evidence:attachment_(download|thumbnail)", name):
        return [({"pk": world[Attachment].pk}, world[Attachment])]
    if name == "evidence:household_gallery":
        return [({"pk": world[Household].pk}, world[Household])]
    if name == "cases:reveal":
        return [
            ({"model_name": model._meta.model_name, "pk": world[model].pk, "field_name": field},
             world[model])
            for model, fields in REVEALABLE_FIELDS.items() for field in fields
        ]
    if name.startswith("imports:run_"):
        return [({"pk": world[ImportRun].pk}, world[ImportRun])]
    if re.fullmatch(r"imports:preset_(edit|delete)", name):
        return [({"pk": world[ImportPreset].pk}, world[ImportPreset])]
    if re.fullmatch(r"cases:export_job_(detail|progress|download)", name):
        return [({"pk": world[ExportJob].pk}, world[ExportJob])]
    if name == "cases:transfer_detail":
        return [({"pk": world[TransferRequest].pk}, world[TransferRequest])]
    match = re.fullmatch(r"cases:([a-z]+)_(detail|edit|archive|submit_drafts)", name)
    if match:
        model = next((m for m in world if m._meta.model_name == match[1]), None)
        return None if model is None else [({"pk": world[model].pk}, world[model])]
    return None


def page_kwargs(kwargs):
    return {key: PAGE_KWARGS[key] for key in kwargs if key in PAGE_KWARGS}


def build_county(county, clerk, label):
    """One row of every list (and so of every county model) in ``county``."""
    for spec in LISTS:
        spec.make(county, f"{label}{spec.name}")
    world = {}
    for model in {*REVIEWED_MODELS, *REVEALABLE_FIELDS}:
        world[model] = model._default_manager.filter(county=county).order_by("pk").first()
    for model in REVEALABLE_FIELDS:
        record = world[model]
        # Something to reveal on every revealable field.
        model._default_manager.filter(pk=record.pk).update(phone="13812345678")
        world[model].refresh_from_db()
    world[Attachment] = stored_attachment(world[Household], clerk)
    world[ImportRun] = ImportRun.objects.create(
        kind=next(iter(KINDS)), file="imports/matrix.xlsx", file_name="matrix.xlsx",
        county=county, created_by=clerk, status="validated",
    )
    world[ImportPreset] = ImportPreset.objects.create(
        county=county, kind=next(iter(KINDS)), name=f"{label}方案", updated_by=clerk,
    )
    log = ExportLog.objects.create(
        user=clerk, list_name="cases:member_list", path="/members/", file_format="csv",
    )
    world[ExportJob] = ExportJob.objects.create(
        log=log, file_name="matrix.csv", status=ExportJob.Status.DONE, file="exports/matrix.csv",
    )
    world[TransferRequest] = TransferRequestFactory(county=county, requested_by=clerk)
    return world


@pytest.fixture
def world_b(county_a, county_b, county_a_clerk, county_b_clerk):
    build_county(county_a, county_a_clerk, "甲县")
    world = build_county(county_b, county_b_clerk, "乙县专属")
    # Submitted, so that a decision on them would really change something.
    for model in REVIEWED_MODELS:
        model._default_manager.filter(county=county_b).update(review_status="submitted")
    return world


def snapshot(record):
    model = type(record)
    row = model._default_manager.filter(pk=record.pk).values().first()
    history = record.history.count() if hasattr(record, "history") else None
    return (row, history, ReviewEvent.objects.count(), RevealLog.objects.count(),
            ExportLog.objects.count(), Attachment.objects.count(),
            AttachmentDownload.objects.count())


def is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_every_route_is_in_the_matrix(db, county_a, county_b, county_a_clerk, county_b_clerk):
    world = build_county(county_b, county_b_clerk, "乙")
    unmapped = [
        (name, route) for name, route, kwargs in routes()
        if set(kwargs) - set(PAGE_KWARGS) and not object_targets(name, world)
    ]
    assert unmapped == []
    # The skip list is reviewed: every entry still matches a route.
    names = [name for name, _route, _kwargs in walk(get_resolver().url_patterns)]
    assert all(any(name and re.search(skip, name) for name in names) for skip in SKIPPED)


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_the_login_page_everywhere(client, world_b):
    for name, _route, kwargs in routes():
        targets = object_targets(name, world_b) or [({}, None)]
        for url_kwargs, _record in targets[:1]:
            url = reverse(name, kwargs={**page_kwargs(kwargs), **url_kwargs})
            for method in (client.get, client.post):
                response = method(url)
                assert is_login_redirect(response), (name, method.__name__, response.status_code)


def object_routes():
    return [(name, kwargs) for name, _route, kwargs in routes()
            if set(kwargs) - set(PAGE_KWARGS)]


@pytest.mark.django_db
def test_every_object_route_as_every_role(
    world_b, county_a_clerk, county_b_clerk, city_reviewer, administrator, no_role_user,
):
    """One world for every route (building it per route would take minutes); each role has
    its own logged-in client."""
    clients = {}
    for key, user in (("anonymous", None), ("no_role", no_role_user), ("a", county_a_clerk),
                      ("b", county_b_clerk), ("reviewer", city_reviewer),
                      ("admin", administrator)):
        clients[key] = Client()
        if user is not None:
            sign_in(clients[key], user)
    covered = []
    for name, _kwargs in object_routes():
        for url_kwargs, record in object_targets(name, world_b):
            check_object_route(clients, name, url_kwargs, record)
            covered.append(name)
    assert set(covered) == {name for name, _kwargs in object_routes()}


def check_object_route(clients, name, url_kwargs, record):
    url = reverse(name, kwargs=url_kwargs)
    missing = reverse(name, kwargs={**url_kwargs, "pk": MISSING_PK})
    county_a_statuses = {}
    for method in ("get", "post"):
        # Anonymous, role-less and the other county's staff: nothing, and nothing changes.
        for role in ("anonymous", "no_role", "a"):
            client = clients[role]
            before = snapshot(record)
            response = getattr(client, method)(url)
            where = (name, url_kwargs, method, role)
            assert snapshot(record) == before, where
            if role == "anonymous":
                assert is_login_redirect(response), where
                continue
            assert response.status_code in {403, 404, 405}, where
            # Exactly what an id that does not exist gets: existence does not leak.
            assert getattr(client, method)(missing).status_code == response.status_code, where
            if role == "a":
                county_a_statuses[method] = response.status_code

        # The owning county's staff may not decide on their own records.
        if name in DECISIONS:
            before = snapshot(record)
            response = getattr(clients["b"], method)(url)
            assert response.status_code in {403, 405}, (name, method)
            assert snapshot(record) == before

        # City reviewers read everything and change nothing but by a decision.
        if CHANGES.search(name):
            before = snapshot(record)
            response = getattr(clients["reviewer"], method)(url)
            assert response.status_code in {403, 405}, (name, url_kwargs, method)
            if method == "post":
                assert response.status_code == 403, (name, url_kwargs)
            assert snapshot(record) == before

    # The method the route answers (the other one is 405) gives county A a plain 404.
    assert (403 if name in DECISIONS else 404) in county_a_statuses.values(), (
        name, url_kwargs, county_a_statuses)

    # The positive side of the matrix: a reviewer's decision does take effect.
    if name == "cases:record_approve":
        assert clients["reviewer"].post(url).status_code == 302
        record.refresh_from_db()
        assert record.review_status == "approved"
    # Administrators: whatever they may do, never a server error.
    assert clients["admin"].get(url).status_code < 500


LIST_URLS = [f"cases:{spec.name}_list" for spec in LISTS]


def county_a_view(client):
    """Everything county A's staff can read: each list's rows (page and CSV export), each
    search for county B's label, the dashboard, the indicators JSON and the autocompletes."""
    seen = {}
    for url_name in LIST_URLS:
        url = reverse(url_name)
        page = client.get(url)
        seen[url_name] = sorted(row.record.pk for row in page.context["table"].page.object_list)
        seen[f"{url_name} search"] = client.get(url, {"q": "乙县专属"}).context[
            "table"].paginator.count
        seen[f"{url_name} csv"] = b"".join(
            export(client, url, {"export": "csv"}).streaming_content).decode()
    seen["json"] = json.loads(client.get(reverse("cases:indicators_json")).content)
    seen["json"].pop("generated_at")
    dashboard = client.get(reverse("cases:dashboard"))
    seen["dashboard"] = dashboard.status_code
    seen["dashboard html"] = dashboard.content.decode()
    for source in SOURCES:
        seen[f"autocomplete {source}"] = client.get(
            reverse("cases:autocomplete", args=[source]), {"q": "乙县专属"}).json()["results"]
    return seen


@pytest.mark.django_db
def test_county_a_sees_no_row_or_figure_of_county_b(
    client, county_a, county_b, county_a_clerk, county_b_clerk
):
    """What county A reads is the same with or without county B's records, and never names
    them: its lists, searches, exports, dashboard, JSON and autocompletes."""
    build_county(county_a, county_a_clerk, "甲县")
    client.force_login(county_a_clerk)
    alone = county_a_view(client)
    build_county(county_b, county_b_clerk, "乙县专属")
    with_b = county_a_view(client)
    # The page HTML carries a CSRF token, so it is compared by content, not byte for byte.
    assert "乙县专属" not in with_b.pop("dashboard html") + alone.pop("dashboard html")
    assert with_b == alone
    assert all(item["county"] == county_a.name
               for indicator in with_b["json"]["indicators"] for item in indicator["by_county"])
    assert all("乙县专属" not in str(value) for value in with_b.values())


def test_reviewed_models_are_all_in_the_matrix():
    """The submit/approve/return rows cover every model those routes accept."""
    reviewed = {model for model in apps.get_app_config("cases").get_models()
                if issubclass(model, ReviewedRecord)}
    assert set(REVIEWED_MODELS) == reviewed


#
# The access entry point: no page reads county rows without it (tests/query_scope.py)
#

# Query strings the walk adds to every page: a search, a county, the record a create page is
# opened for.
WALK_QUERY = ("q", "household", "member", "county")


def walked_requests(world, county, pages=None):
    """(page, method, url, data) of every route (or of ``pages``), on county A's records: GET
    and POST without data, and for a route's first target also GET with a query string and,
    on a list, an export."""
    member = world[Member]
    query = dict(zip(WALK_QUERY, ("甲县", member.household_id, member.pk, county.pk), strict=True))
    for name, _route, kwargs in routes():
        if pages is not None and name not in pages:
            continue
        if set(kwargs) - set(PAGE_KWARGS):
            targets = [url_kwargs for url_kwargs, _record in object_targets(name, world)]
        elif "key" in kwargs:
            targets = [{"key": indicator.key} for indicator in INDICATORS]
        elif "source" in kwargs:
            targets = [{"source": source} for source in SOURCES]
        else:
            targets = [page_kwargs(kwargs)]
        for index, url_kwargs in enumerate(targets):
            url = reverse(name, kwargs=url_kwargs)
            yield name, "get", url, {}
            yield name, "post", url, {}
            if index:
                continue
            yield name, "get", url, query
            if name.endswith("_list") or name == "imports:register_export":
                yield name, "post", f"{url}?q=甲县", {"export": "csv", "format": "csv"}


def answer(client, method, url, data):
    """The response to the request, its streamed content read (an export queries as it
    streams)."""
    response = getattr(client, method)(url, data)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def out_of_scope_reads(recorder, world, county, clients, pages=None):
    for client in clients:
        for name, method, url, data in walked_requests(world, county, pages):
            with recorder.answering(name):
                answer(client, method, url, data)
    return sorted({f"{page}: {model} ({line})" for page, model, _method, line in recorder.found})


@pytest.fixture
def walkers(county_a_clerk, city_reviewer, administrator):
    """Clients of the roles that read county rows: county staff, city reviewers, administrators
    (past the second factor)."""
    return [sign_in(Client(), user) for user in (county_a_clerk, city_reviewer, administrator)]


@pytest.mark.django_db
def test_every_page_reads_county_rows_through_the_access_entry_point(
    monkeypatch, county_a, county_a_clerk, walkers
):
    world = build_county(county_a, county_a_clerk, "甲县")
    with recording(monkeypatch) as recorder:
        found = out_of_scope_reads(recorder, world, county_a, walkers)
    assert not found, "county rows read past the access entry point:\n" + "\n".join(found)


@pytest.mark.django_db
def test_the_walk_finds_a_page_that_reads_past_the_entry_point(
    monkeypatch, county_a, county_a_clerk, walkers
):
    """The check itself can fail: list and detail pages made to read ``objects.all()``."""
    world = build_county(county_a, county_a_clerk, "甲县")
    monkeypatch.setattr(ScopedObjectMixin, "get_queryset", lambda view: view.model.objects.all())
    with recording(monkeypatch) as recorder:
        found = out_of_scope_reads(recorder, world, county_a, walkers[:1],
                                   pages={"cases:household_detail", "cases:labormodel_list"})
    assert any(line.startswith("cases:household_detail: cases.Household ") for line in found)
    assert any(line.startswith("cases:labormodel_list: cases.LaborModel ") for line in found)


@pytest.mark.django_db
def test_what_counts_as_reading_past_the_entry_point(monkeypatch, county_a, county_a_clerk):
    household = household_in(county_a)
    MemberFactory(household=household)
    with recording(monkeypatch) as recorder, recorder.answering("page"):
        # In scope: through for_user (a subquery inside it is part of it), from a loaded row.
        list(Household.objects.for_user(county_a_clerk).filter(
            pk__in=Member.objects.values("household")))
        list(household.members.all())
        Member.objects.filter(household=household).count()
        # Past it: no entry point, and an id alone is not a loaded row.
        Household.objects.exclude(pk=household.pk).exists()
        list(Member.objects.filter(household_id=household.pk))
    assert [(model, method) for _page, model, method, _line in recorder.found] == [
        ("cases.Household", "exists"), ("cases.Member", "_fetch_all")]
