"""Every form that fails shows, at the top, a summary of its errors linking to each field
(templates/includes/error_summary.html; crispy forms get it through bootstrap5/errors.html)."""

import html

import pytest
from django.urls import reverse

from tests.support import sign_in

pytestmark = pytest.mark.django_db


def summary_of(response):
    page = response.content.decode()
    assert page.count("data-error-summary") == 1
    return page, page.index("data-error-summary")


def assert_every_error_summarised(response, *forms):
    """Each field error of ``forms`` is a link in the summary, which comes before the field;
    form-wide errors are in it too."""
    page, start = summary_of(response)
    summary = page[start:]
    erroneous = [(form, name) for form in forms for name in form.errors]
    assert erroneous
    for form, name in erroneous:
        if name == "__all__":
            for error in form.non_field_errors():
                assert html.escape(error) in summary
        else:
            field_id = form[name].id_for_label
            assert f'href="#{field_id}"' in summary
            assert start < page.index(f'id="{field_id}"')


def test_login(client, county_a_clerk):
    response = client.post(reverse("login"), {"username": "", "password": ""})
    assert_every_error_summarised(response, response.context["form"])
    response = client.post(reverse("login"), {"username": "clerk_a", "password": "wrong"})
    assert response.context["form"].non_field_errors()
    assert_every_error_summarised(response, response.context["form"])


def test_password_change(client, county_a_clerk):
    sign_in(client, county_a_clerk)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "a", "new_password2": "b"},
    )
    assert_every_error_summarised(response, response.context["form"])


def test_two_factor_set_up(client, county_a_clerk):
    sign_in(client, county_a_clerk)
    response = client.post(reverse("two_factor"), {"token": "12"})
    assert_every_error_summarised(response, response.context["form"])


def test_targets_grid(client, city_reviewer, county_a, county_b):
    sign_in(client, city_reviewer)
    grid = client.get(reverse("cases:targets")).context["grid"]
    first, second = (row.prefix for row in grid.rows)
    response = client.post(
        reverse("cases:targets"),
        {
            "year": grid.year,
            f"{first}-training_sessions": "abc",
            f"{second}-finance_funds": "1.234",
        },
    )
    rows = response.context["grid"].rows
    assert all(row.errors for row in rows)
    assert_every_error_summarised(response, *rows)


def test_import_upload(client, county_a_clerk):
    sign_in(client, county_a_clerk)
    response = client.post(reverse("imports:index"), {"kind": ""})
    assert_every_error_summarised(response, response.context["form"])


def test_a_page_without_errors_has_no_summary(client, county_a_clerk):
    assert "data-error-summary" not in client.get(reverse("login")).content.decode()
    sign_in(client, county_a_clerk)
    for url in (reverse("password_change"), reverse("imports:index")):
        assert "data-error-summary" not in client.get(url).content.decode()
