"""Every create page is reachable by clicking, only for those who may create; a save goes
back to the page the form was opened from; a failed save says what to fix at the top."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.contrib.staticfiles import finders
from django.urls import get_resolver, reverse

from cases import models
from tests.support import FORM_SPECS


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = set()

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and href.startswith("/"):
            self.hrefs.add(href)


def links_on(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    parser = LinkParser()
    parser.feed(response.content.decode())
    return parser.hrefs


def create_urls():
    """Every ``cases:*_add`` page the project declares, found in the URLconf itself, so a
    create page added later is covered without editing this test."""
    _prefix, cases_urls = get_resolver().namespace_dict["cases"]
    names = [
        f"cases:{name}" for name in cases_urls.reverse_dict
        if isinstance(name, str) and name.endswith("_add")
    ]
    return {reverse(name) for name in names}


def reachable_links(client, depth=2):
    """The links on the home page and on every page it links to, ``depth`` clicks deep
    (GET pages of the workspace only: no exports, no logout)."""
    seen, frontier, links = set(), {reverse("cases:home")}, set()
    for _step in range(depth):
        next_frontier = set()
        for url in frontier - seen:
            seen.add(url)
            found = links_on(client, url)
            links |= found
            next_frontier |= {
                href for href in found
                if "export" not in href and not href.startswith(("/admin/", "/static/"))
                and urlsplit(href).path.endswith("/")
            }
        frontier = next_frontier
    return links


def test_every_create_page_is_linked_from_a_page_a_clerk_reaches(client, county_a_clerk):
    urls = create_urls()
    assert reverse("cases:household_add") in urls and len(urls) >= 13
    client.force_login(county_a_clerk)
    linked = {urlsplit(href).path for href in reachable_links(client)}
    assert urls - linked == set()


def test_no_create_link_for_those_who_may_not_create(client, city_reviewer, county_a):
    client.force_login(city_reviewer)
    urls = create_urls()
    for url in [reverse("cases:home"), reverse("cases:household_list"),
                reverse("cases:labormodel_list"), reverse("cases:trainingsession_list")]:
        assert {urlsplit(href).path for href in links_on(client, url)} & urls == set()
    assert client.get(reverse("cases:household_add")).status_code == 403


def test_every_list_of_a_creatable_kind_has_an_add_button(client, county_a_clerk):
    client.force_login(county_a_clerk)
    for model in (models.Household, models.LaborModel, models.VolunteerTeam,
                  models.VolunteerEvent, models.Workshop, models.TrainingSession):
        name = model._meta.model_name
        assert reverse(f"cases:{name}_add") in links_on(client, reverse(f"cases:{name}_list"))


def test_the_clerks_home_offers_to_register_a_household(client, county_a_clerk):
    client.force_login(county_a_clerk)
    page = client.get(reverse("cases:home")).content.decode()
    assert re.search(rf'href="{reverse("cases:household_add")}"[^>]*>登记贫困户<', page)


def test_a_training_session_saved_from_the_case_page_returns_there(client, county_a_clerk, w):
    spec = next(s for s in FORM_SPECS if s.model is models.TrainingSession)
    client.force_login(county_a_clerk)
    case_page = reverse("cases:household_detail", args=[w.a.household.pk])
    link = next(
        href for href in links_on(client, case_page)
        if href.startswith(reverse("cases:trainingsession_add")) and "member=" in href
    )
    form_page = client.get(link)
    assert form_page.context["next_url"] == case_page
    response = client.post(link, {**spec.data(w), "next": case_page})
    assert response.status_code == 302
    assert response.url == case_page


def test_a_save_ignores_a_next_leading_off_the_site(client, county_a_clerk, w):
    spec = next(s for s in FORM_SPECS if s.model is models.TrainingSession)
    client.force_login(county_a_clerk)
    response = client.post(
        reverse("cases:trainingsession_add"), {**spec.data(w), "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert not response.url.startswith("https://")


def test_a_failed_save_lists_its_errors_at_the_top_linking_to_each_field(
    client, county_a_clerk, w
):
    client.force_login(county_a_clerk)
    response = client.post(reverse("cases:labormodel_add"), {"name": ""})
    page = response.content.decode()
    summary = page[page.index("data-error-summary"):]
    assert page.index("data-error-summary") < page.index('name="name"')
    for name in response.context["form"].errors:
        assert f'href="#id_{name}"' in summary


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert finders.find(urlsplit(response.url).path.removeprefix("/static/"))


def test_the_archive_form_summarises_its_error_too(client, county_a_clerk, w):
    client.force_login(county_a_clerk)
    url = reverse("cases:household_archive", args=[w.a.household.pk])
    page = client.post(url, {"reason": ""}).content.decode()
    assert 'href="#id_reason"' in page[page.index("data-error-summary"):]
