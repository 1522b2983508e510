"""Dashboards: every indicator for a period, by county, with charts, and the list of the rows
behind each figure.

County staff see their county (``for_user`` scopes every figure and list), city reviewers and
administrators every county; a user without a role sees zeros and empty lists, as ``for_user``
gives them no rows. Each figure links to ``indicator_list``, which lists exactly the rows
``cases.indicators.indicator_rows`` defines for it (the same rows ``compute_indicators``
aggregates), so the list's count or sum is the figure.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from cases import kinds
from cases.forms.dashboard import PeriodForm
from cases.indicators import (
    COUNTING_RULES,
    DEFINITIONS,
    INDICATORS,
    SECTIONS,
    figure_parts,
    format_figure,
    in_wan,
    indicator_figure,
    indicator_rows,
    percent,
)
from cases.models import County
from cases.summaries import dashboard_data
from reliefportal.routers import use_read_replica

from .generic import ScopedObjectMixin
from .lists import RecordListView


def indicator_url(key, params, county=None):
    """The drill-down list of indicator ``key`` for the period of ``params`` (and a county)."""
    query = dict(params)
    if county is not None:
        query["county"] = county.pk
    return f"{reverse('cases:indicator_list', args=[key])}?{urlencode(query)}"


def _table_cell(definition, value, url):
    """One cell of the county comparison: shown in 万元 for money (the column says so), the
    raw value kept for sorting."""
    shown = f"{in_wan(value):,}" if definition.money else f"{value:,}"
    return {"value": value, "shown": shown, "url": url}


def _chart_data(trend, parts, participation):
    """What static/js/dashboard.js draws, as plain JSON numbers (money in 万元)."""
    return {
        "trend": {
            "months": [month.strftime("%Y-%m") for month in trend["months"]],
            "series": [
                {"name": str(_("新增培训贫困人口")), "data": trend["people_trained"]},
                {"name": str(_("新就业贫困人口")), "data": trend["people_employed"]},
                {"name": str(_("脱贫户数")), "data": trend["households_exited"]},
            ],
        },
        "funds": {
            "months": [month.strftime("%Y-%m") for month in trend["months"]],
            "unit": str(_("万元")),
            "series": [
                {
                    "name": str(_("产业项目资金")),
                    "data": [float(in_wan(v)) for v in trend["project_funds"]],
                },
                {
                    "name": str(_("带贫协议资金")),
                    "data": [float(in_wan(v)) for v in trend["agreement_funds"]],
                },
            ],
        },
        "honour_levels": {
            "categories": [str(row["label"]) for row in parts["honour_levels"]],
            "series": [
                {"name": str(name), "data": [row[key] for row in parts["honour_levels"]]}
                for key, name in (
                    ("labor_models", _("劳模")),
                    ("labor_models_in_service_local", _("在职在本地")),
                    ("labor_models_participating", _("直接参与")),
                )
            ],
        },
        "pairing_modes": {
            "categories": [str(row["label"]) for row in parts["pairing_modes"]],
            "series": [
                {
                    "name": str(_("期间内结对")),
                    "data": [row["pairings"] for row in parts["pairing_modes"]],
                },
                {
                    "name": str(_("期末在帮")),
                    "data": [row["active"] for row in parts["pairing_modes"]],
                },
            ],
        },
        "participation": {
            "categories": [str(row["name"]) for row in participation],
            "name": str(_("参与率")),
            "data": [
                None if row["rate"] is None else float(row["rate"]) for row in participation
            ],
        },
    }


def _cards(totals, params):
    """The figure cards, in the article's sections, each linking to its rows."""
    return [
        {
            "title": title,
            "cards": [
                {
                    "definition": DEFINITIONS[key],
                    "value": totals[key],
                    "parts": figure_parts(totals[key], DEFINITIONS[key]),
                    "url": indicator_url(key, params),
                }
                for key in keys
            ],
        }
        for title, keys in SECTIONS
    ]


def _comparison(table, counties, params):
    """One row per county, one cell per indicator (linking to that county's rows), and the
    totals row (linking to every county's)."""
    rows = [
        {
            "county": county,
            "cells": [
                _table_cell(
                    definition,
                    table.value(county.pk, definition.key),
                    indicator_url(definition.key, params, county),
                )
                for definition in INDICATORS
            ],
        }
        for county in counties
    ]
    totals = [
        _table_cell(definition, table.total(definition.key), indicator_url(definition.key, params))
        for definition in INDICATORS
    ]
    return rows, totals


def _participation(table, counties):
    """Per county: in-service local labor models, those taking part, and the rate (%)."""
    rows = []
    for county in counties:
        participating = table.value(county.pk, "labor_models_participating")
        in_service_local = table.value(county.pk, "labor_models_in_service_local")
        rows.append(
            {
                "name": county.name,
                "participating": participating,
                "in_service_local": in_service_local,
                "rate": percent(participating, in_service_local),
            }
        )
    return rows


def _trend_rows(trend):
    """The monthly trend as table rows: counts, then funds in 万元."""
    return [
        {
            "month": month,
            "values": [
                trend["people_trained"][i],
                trend["people_employed"][i],
                trend["households_exited"][i],
            ],
            "funds": [in_wan(trend["project_funds"][i]), in_wan(trend["agreement_funds"][i])],
        }
        for i, month in enumerate(trend["months"])
    ]


@login_required
@use_read_replica()
def dashboard(request):
    """The city dashboard (county staff: their county's) for the period chosen on the page."""
    user = request.user
    form = PeriodForm.from_request(request)
    period, include_submitted = form.period, form.include_submitted
    params = form.query_params()
    counties = list(County.objects.for_user(user).order_by("code"))
    # From per-county snapshots, recomputed for the counties whose records changed since (or,
    # while the worker recomputes them, their previous figures, which the page says).
    data = dashboard_data(
        user=user, period=period, include_submitted=include_submitted, counties=counties
    )
    table, trend, parts = data.table, data.trend, data.parts
    totals = table.totals()
    comparison, comparison_totals = _comparison(table, counties, params)
    participation = _participation(table, counties)
    participating = totals["labor_models_participating"]
    in_service_local = totals["labor_models_in_service_local"]
    return render(
        request,
        "cases/dashboard.html",
        {
            "form": form,
            "period": period,
            "include_submitted": include_submitted,
            "scope_county": user.county if user.is_county_staff else None,
            "sections": _cards(totals, params),
            "indicators": INDICATORS,
            "comparison": comparison,
            "comparison_totals": comparison_totals,
            "trend_rows": _trend_rows(trend),
            "honour_levels": parts["honour_levels"],
            "pairing_modes": parts["pairing_modes"],
            "participation": participation,
            "overall_rate": percent(participating, in_service_local),
            "overall_participating": f"{participating:,}",
            "overall_in_service_local": f"{in_service_local:,}",
            "chart_data": _chart_data(trend, parts, participation),
            "computed_at": data.computed_at,
            "refreshing": data.refreshing,
        },
    )


@login_required
def dashboard_help(request):
    """How the figures are counted: the indicators by section, and the counting rules
    (``COUNTING_RULES``) every figure applies."""
    return render(
        request,
        "cases/dashboard_help.html",
        {
            "sections": [
                (title, [DEFINITIONS[key] for key in keys]) for title, keys in SECTIONS
            ],
            "rules": COUNTING_RULES,
        },
    )


#
# Drill-down: the rows behind one figure
#

class IndicatorRowsBase(ScopedObjectMixin):
    """Placed under a list view in the MRO, so that the list view's ``get_queryset`` (its
    joins and annotations for the table's columns) starts from the indicator's rows rather
    than from all the rows the user may see."""

    rows = None

    def get_queryset(self):
        return self.rows


class IndicatorListMixin:
    """Placed over a list view: the page says which figure the rows make up, for which period,
    and shows that figure computed from the rows listed."""

    template_name = "cases/indicator_list.html"
    definition = None
    period_form = None
    county = None

    def listed(self, rows):
        """The figure's rows as they are: a figure of a past period counts households and
        members archived since (the register lists would leave them out)."""
        return rows

    def get_table_pagination(self, table):
        paginate = super().get_table_pagination(table)
        if paginate:  # the number of rows listed is the figure: never an estimate
            paginate["exact_count"] = True
        return paginate

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        definition = self.definition
        if definition.summed:
            figure = indicator_figure(definition.key, self.object_list)
        else:  # the rows listed, as the paginator has already counted them
            figure = context["table"].paginator.count
        params = self.period_form.query_params()
        dashboard_query = urlencode(params)
        carried = {**params}
        if self.county is not None:
            carried["county"] = self.county.pk
        filter_fields = context["filter"].form.fields
        return {
            **context,
            "definition": definition,
            "figure": figure,
            "figure_shown": format_figure(figure, definition),
            "row_count_shown": f"{context['table'].paginator.count:,}",
            "period_form": self.period_form,
            "include_submitted": self.period_form.include_submitted,
            "scope_county": self.county,
            "dashboard_url": f"{reverse('cases:dashboard')}?{dashboard_query}",
            "hidden_params": [
                (name, value) for name, value in carried.items() if name not in filter_fields
            ],
            "clear_query": urlencode(carried),
            # Narrowed by the user's filters (the county of a county's figure is not one).
            "filtered": any(name != "county" for name in context["filter"].form.changed_data),
        }


class IndicatorListView(IndicatorListMixin, RecordListView, IndicatorRowsBase):
    """The list page of the kind of row an indicator counts (``cases.kinds``): its table,
    filters, exports and column joins, over the indicator's rows, on this page."""


def _county_from_request(request):
    """The county of ``?county=``, which must be one the user may see (else 404); or None."""
    value = request.GET.get("county")
    if not value:
        return None
    try:
        return County.objects.for_user(request.user).get(pk=int(value))
    except (ValueError, County.DoesNotExist) as error:
        raise Http404 from error


def indicator_list_view(request, key):
    """The list view (from ``as_view``) of the rows behind indicator ``key``'s figure for the
    request's period and county. A background export rebuilds its content through this too
    (``cases.export_jobs.content_for``)."""
    definition = DEFINITIONS.get(key)
    if definition is None:
        raise Http404
    form = PeriodForm.from_request(request)
    rows = indicator_rows(
        key,
        user=request.user,
        period=form.period,
        include_submitted=form.include_submitted,
    )
    county = _county_from_request(request) if request.user.is_authenticated else None
    if county is not None:
        rows = rows.filter(county=county)
    return IndicatorListView.as_view(
        kind=kinds.by_model(rows.model), rows=rows, definition=definition, period_form=form,
        county=county,
    )


def indicator_list(request, key):
    """The rows behind the figure of indicator ``key`` (``?county=`` for one county's), with
    the list page of that kind of row: its table, filters and exports."""
    view = indicator_list_view(request, key)
    with use_read_replica():
        response = view(request)
        # Rendered here, so the page's rows are read in this block (the replica, if any).
        if hasattr(response, "render"):
            response.render()
    return response


indicator_list.export_view = indicator_list_view
