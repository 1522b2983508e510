"""The registry of record kinds (cases/kinds.py) is complete and every declaration in it holds:
a kind added to the registry gets its pages, and a county record left out of it is caught."""

import pytest
from django.apps import apps
from django.urls import get_resolver, reverse

from cases import kinds
from cases.kinds import KINDS
from cases.models import CountyOwned, ReviewedRecord
from cases.privacy import PERSONAL_NUMBER_MASKS
from cases.selectors import list_links
from cases.views.autocomplete import SOURCES
from tests.support import LISTS


def cases_models():
    return list(apps.get_app_config("cases").get_models())


def inline_models(kind):
    """The county rows a kind's form edits in place: its formset's rows, its many-to-many
    links."""
    if kind.form is None:
        return set()
    links = {
        field.remote_field.through
        for field in kind.model._meta.many_to_many
        if not field.remote_field.through._meta.auto_created
    }
    return links | ({kind.formset.model} if kind.formset else set())


def test_every_county_record_is_a_kind_or_edited_inside_one():
    county_models = {model for model in cases_models() if issubclass(model, CountyOwned)}
    registered = {kind.model for kind in KINDS}
    inline = set().union(*(inline_models(kind) for kind in KINDS))
    assert county_models == registered | inline
    assert registered <= county_models


def test_the_reviewed_kinds_are_the_reviewed_models():
    reviewed = {model for model in cases_models() if issubclass(model, ReviewedRecord)}
    assert set(kinds.REVIEWED_MODELS) == reviewed
    assert {kind.model for kind in KINDS if kind.reviewed} == reviewed


def test_lookups_find_each_kind_and_nothing_else():
    for kind in KINDS:
        assert kinds.by_model(kind.model) is kind
        assert kinds.by_name(kind.name) is kind
        assert kinds.by_list_url_name(kind.list_url_name) is kind
    assert len({kind.name for kind in KINDS}) == len(KINDS)
    assert kinds.by_name("county") is None
    assert kinds.by_list_url_name("cases:transfer_list") is None
    assert kinds.by_list_url_name("cases:labormodel_add") is None


def test_each_kind_is_declared_with_its_own_model():
    for kind in KINDS:
        assert kind.filterset._meta.model is kind.model, kind.name
        assert kind.table._meta.model is kind.model, kind.name
        if kind.form is not None:
            assert kind.form._meta.model is kind.model, kind.name
        if kind.formset is not None:
            assert kind.formset.fk.related_model is kind.model, kind.name


def test_every_list_url_of_a_model_is_a_kind_and_every_kind_has_one():
    model_names = {model._meta.model_name for model in cases_models()}
    resolver = get_resolver().namespace_dict["cases"][1]
    lists = {
        name.removesuffix("_list") for name in resolver.reverse_dict
        if isinstance(name, str) and name.endswith("_list")
    }
    assert lists & model_names == {kind.name for kind in KINDS}


def test_the_pages_of_a_kind_are_its_path_and_its_form():
    for kind in KINDS:
        assert reverse(kind.list_url_name) == f"/{kind.path}"
        if kind.form is not None:
            assert reverse(f"cases:{kind.name}_add") == f"/{kind.path}new/"
            assert reverse(f"cases:{kind.name}_edit", args=[7]) == f"/{kind.path}7/edit/"


def test_the_home_page_links_every_list():
    assert [link.url for link in list_links()] == [reverse(k.list_url_name) for k in KINDS]


def test_add_help_buttons_open_a_create_page():
    for kind in KINDS:
        if kind.add_help:
            assert kind.form is not None, kind.name
        if kind.member_help:
            # A member's button opens the form with the member filled in.
            assert kind.add_help and kind.prefill["member"] in kind.form.base_fields, kind.name


def test_revealable_fields_are_personal_numbers_of_the_model():
    for kind in KINDS:
        for name in kind.revealable:
            assert name in PERSONAL_NUMBER_MASKS, (kind.name, name)
            kind.model._meta.get_field(name)


def test_autocomplete_sources_are_the_kinds_that_declare_one():
    declared = [kind.autocomplete for kind in KINDS if kind.autocomplete]
    assert len(declared) == len(set(declared))
    for kind in KINDS:
        if kind.autocomplete:
            assert SOURCES[kind.autocomplete] is kind.filterset


def test_the_tests_cover_the_list_of_every_county_kind():
    """tests/support.py's LISTS, which the list, access, privacy and export tests walk."""
    assert [spec.name for spec in LISTS] == [k.name for k in KINDS if k.has_county_column]
    assert {k.model for k in KINDS if not k.has_county_column} == {
        apps.get_model("cases", "household"), apps.get_model("cases", "member"),
    }


@pytest.mark.django_db
def test_every_kinds_list_queryset_and_display_joins_run(household):
    for kind in KINDS:
        list(kind.list_queryset(kind.listed(kind.model.objects.all())))
        list(kind.model.objects.select_related(*kind.display_related))


@pytest.mark.django_db
def test_every_kinds_pages_open_for_county_staff(client, county_a_clerk, household):
    client.force_login(county_a_clerk)
    for kind in KINDS:
        assert client.get(reverse(kind.list_url_name)).status_code == 200, kind.name
        if kind.form is not None:
            assert client.get(reverse(f"cases:{kind.name}_add")).status_code == 200, kind.name
        if kind.autocomplete:
            response = client.get(reverse("cases:autocomplete", args=[kind.autocomplete]))
            assert response.status_code == 200, kind.name
        if kind.timeline:
            assert list(kind.timeline(household)) == [], kind.name
