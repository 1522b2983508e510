"""The figures as each surface shows them to a user: the city and county dashboards, the
dashboard's snapshots, the JSON and .xlsx exports, the report and the drill-down lists."""

import io
from decimal import Decimal
from urllib.parse import urlencode

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases.indicators import DEFINITIONS, INDICATORS
from cases.models import IndicatorSnapshot
from cases.summaries import period_key
from tests.support import export, listed_figure, verify_second_factor


def client_for(user):
    client = Client()
    client.force_login(user)
    verify_second_factor(client, user)
    return client




def _comparison_figures(response):
    context = response.context
    places = {
        row["county"].pk: [cell["value"] for cell in row["cells"]]
        for row in context["comparison"]
    }
    places["city"] = [cell["value"] for cell in context["comparison_totals"]]
    return {
        place: dict(zip((d.key for d in INDICATORS), values, strict=True))
        for place, values in places.items()
    }


def _card_figures(response):
    return {
        card["definition"].key: card["value"]
        for section in response.context["sections"]
        for card in section["cards"]
    }


def _json_figures(client, counties, params):
    document = client.get(reverse("cases:indicators_json"), params).json()
    figures = {"city": {}, **{county.pk: {} for county in counties}}
    by_code = {county.code: county.pk for county in counties}
    for indicator in document["indicators"]:
        definition = DEFINITIONS[indicator["key"]]
        convert = Decimal if definition.money else int
        figures["city"][definition.key] = convert(indicator["total"])
        for row in indicator["by_county"]:
            figures[by_code[row["county_code"]]][definition.key] = convert(row["value"])
    return figures


def _xlsx_figures(client, counties, params):
    response = export(client, reverse("cases:dashboard_export"), params)
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.worksheets[0].values)[1:]
    by_code = {county.code: county.pk for county in counties}
    figures = {}
    for row in rows:
        place = "city" if row[1] is None else by_code[row[1]]
        figures[place] = {
            d.key: Decimal(str(value)) if d.money else value
            for d, value in zip(INDICATORS, row[2:], strict=True)
        }
    return figures


def _report_figures(client, counties, params):
    context = client.get(reverse("cases:report"), params).context
    keys = [d.key for d in INDICATORS if not d.money]
    figures = {"city": {key: context["city"]["figures"][key] for key in keys}}
    for section in context["sections"]:
        figures[section["county"].pk] = {key: section["figures"][key] for key in keys}
    return figures


def _snapshot_figures(counties, key):
    figures = {}
    for snapshot in IndicatorSnapshot.objects.filter(county__in=counties, period_key=key):
        figures[snapshot.county_id] = {
            key: Decimal(value) if DEFINITIONS[key].money else value
            for key, value in snapshot.data["figures"].items()
        }
    return figures


def _drilldown_figures(client, counties, params):
    figures = {"city": {}, **{county.pk: {} for county in counties}}
    for definition in INDICATORS:
        url = reverse("cases:indicator_list", args=[definition.key])
        figures["city"][definition.key] = listed_figure(
            client, f"{url}?{urlencode(params)}", definition.key
        )[0]
        for county in counties:
            query = urlencode({**params, "county": county.pk})
            figures[county.pk][definition.key] = listed_figure(
                client, f"{url}?{query}", definition.key
            )[0]
    return figures


def every_surface(reviewer, clerks, counties, params=None):
    """``{surface: {place: {indicator: figure}}}``, place a county id or "city", for the
    period of the query ``params`` (the dashboard's period form; None: as of today, which a
    page without parameters need not show: it opens on the latest day with data)."""
    params = params or {"period": "as_of", "as_of": timezone.localdate().isoformat()}
    city = client_for(reviewer)
    dashboard = city.get(reverse("cases:dashboard"), params)
    form = dashboard.context["form"]
    surfaces = {"dashboard": _comparison_figures(dashboard)}
    surfaces["snapshot"] = _snapshot_figures(
        counties, period_key(form.period, form.include_submitted)
    )
    surfaces["county dashboard"] = {
        clerk.county_id: _card_figures(client_for(clerk).get(reverse("cases:dashboard"), params))
        for clerk in clerks
    }
    surfaces["json"] = _json_figures(city, counties, params)
    surfaces["xlsx"] = _xlsx_figures(city, counties, params)
    surfaces["report"] = _report_figures(city, counties, params)
    surfaces["drill-down"] = _drilldown_figures(city, counties, params)
    return surfaces


def assert_surfaces_agree(surfaces):
    reference = surfaces["json"]
    for surface, places in surfaces.items():
        for place, figures in places.items():
            for key, value in figures.items():
                assert value == reference[place][key], (surface, place, key)
