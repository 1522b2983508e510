"""Yearly targets, the printable report, and the dashboard's exports (xlsx and JSON).

Every page computes its figures with ``compute_indicators`` for the period chosen with the
dashboard's period form, so a figure is the same on the dashboard, in the report, in the
spreadsheet and in the JSON. Scope is ``for_user``'s, as everywhere: county staff get their own
county only, city reviewers and administrators every county. Setting targets is the exception:
see ``IndicatorTarget.may_set_targets``.
"""

import datetime
import tempfile
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from cases import privacy
from cases.exports import FORMULA_PREFIXES, XLSX_TYPE
from cases.forms.dashboard import PeriodForm
from cases.forms.targets import TargetGrid, TargetYearForm
from cases.indicators import (
    DEFINITIONS,
    INDICATORS,
    YI,
    average_dividend,
    compute_indicators,
    format_figure,
    in_wan,
    percent,
    target_progress,
    year_to_date,
)
from cases.models import County, IndicatorTarget
from reliefportal.routers import use_read_replica

#
# Figures as the report writes them
#


def money_text(yuan):
    """An amount in yuan as the article writes it: 万元 to 2 decimals, or 亿元 to 1 decimal
    from 1亿 up ("约" when that rounding changed the amount): 71278500 → 7127.85万元,
    410000000 → 4.1亿元, 412345678 → 约4.1亿元."""
    yuan = Decimal(yuan or 0)
    if yuan >= YI:
        amount = (yuan / YI).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if amount * YI == yuan:
            return _("%(amount)s亿元") % {"amount": amount}
        return _("约%(amount)s亿元") % {"amount": amount}
    return _("%(amount)s万元") % {"amount": in_wan(yuan)}


def report_figures(values):
    """The figures one section of the report needs, from ``{key: value}``: counts as they are,
    money as text, and the share of in-service local labor models taking part directly."""
    figures = {
        key: money_text(value) if DEFINITIONS[key].money else value
        for key, value in values.items()
    }
    figures["participating_share"] = percent(
        values["labor_models_participating"], values["labor_models_in_service_local"]
    )
    average = average_dividend(values)
    figures["average_dividend"] = None if average is None else f"{average:,}"
    return figures


#
# Scope and period
#


def _require_role(user):
    """The report pages are for county staff, city reviewers and administrators; an account
    without a role has nothing to report on."""
    if not (user.is_county_staff or user.is_city_reviewer or user.is_administrator):
        raise PermissionDenied


def _sees_city(user):
    return user.is_city_reviewer or user.is_administrator


def progress_entries(user, period, include_submitted, table=None):
    """Progress towards the targets of the year ``period`` ends in, measured from 1 January
    to its end (``table`` is reused when it covers exactly that)."""
    measured = year_to_date(period.end)
    if table is None or table.period != measured:
        table = compute_indicators(
            user=user, period=measured, include_submitted=include_submitted
        )
    return target_progress(user=user, year=period.end.year, table=table)


def _period(request):
    """The dashboard's period form read from the query string, the period in force and
    whether records awaiting review count: exactly as the dashboard reads them."""
    form = PeriodForm.from_request(request)
    return form, form.period, form.include_submitted


#
# Targets
#


@login_required
def targets(request):
    """The year's targets, counties × the main indicators. City reviewers and administrators
    edit the grid and save it all at once; county staff read their own county's row; anyone
    else gets 403, and so does a POST from anyone but the city."""
    user = request.user
    may_set = IndicatorTarget.may_set_targets(user)
    if not (may_set or user.is_county_staff):
        raise PermissionDenied
    if request.method == "POST" and not may_set:
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    year = TargetYearForm.year_from(source)
    counties = County.objects.for_user(user).order_by("code")
    grid = TargetGrid(
        request.POST if request.method == "POST" else None, counties=counties, year=year
    )
    if request.method == "POST" and grid.is_valid():
        try:
            changed = grid.save(user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(year)s年度目标已保存,共修改%(count)s项。") % {"year": year, "count": changed},
            )
            return redirect(f"{reverse('cases:targets')}?year={year}")
    elif request.method == "POST":
        messages.error(
            request,
            _("有%(count)s处填写有误,已标红;本次未保存任何目标,请改正后重新保存。")
            % {"count": grid.error_count},
        )
    return render(
        request,
        "cases/targets.html",
        {
            "grid": grid,
            "year": year,
            "year_form": TargetYearForm(initial={"year": year}),
            # The year's progress: to its last day, or to today while it runs.
            "progress_query": urlencode(
                {
                    "period": "as_of",
                    "as_of": min(datetime.date(year, 12, 31), timezone.localdate()).isoformat(),
                }
            ),
            "may_set": may_set,
        },
        status=400 if request.method == "POST" else 200,
    )


def progress_by_county(progress, counties):
    """``target_progress`` entries grouped by county, every visible county listed (those without
    targets too), with the figures as text."""
    by_county = {county.pk: {"county": county, "items": [], "behind": 0} for county in counties}
    for entry in progress:
        group = by_county.setdefault(
            entry.county.pk, {"county": entry.county, "items": [], "behind": 0}
        )
        group["items"].append(
            {
                "entry": entry,
                "value_text": format_figure(entry.value, entry.definition),
                "target_text": format_figure(
                    entry.target if entry.definition.money else int(entry.target),
                    entry.definition,
                ),
            }
        )
        group["behind"] += entry.behind
    return list(by_county.values())


@login_required
def progress(request):
    """Progress towards the targets of the year the chosen period ends in, per county, with the
    counties behind schedule first named at the top."""
    user = request.user
    _require_role(user)
    form, period, include_submitted = _period(request)
    year = period.end.year
    entries = progress_entries(user, period, include_submitted)
    groups = progress_by_county(entries, County.objects.for_user(user).order_by("code"))
    return render(
        request,
        "cases/target_progress.html",
        {
            "form": form,
            "period": period,
            "period_text": form.label,
            "query": urlencode(form.query_params()),
            "include_submitted": include_submitted,
            "year": year,
            "measured_to": date_format(period.end, "DATE_FORMAT"),
            "groups": groups,
            "behind_groups": [group for group in groups if group["behind"]],
            "has_targets": bool(entries),
            "expected_percent": entries[0].expected_percent if entries else None,
            "may_set": IndicatorTarget.may_set_targets(user),
        },
    )


#
# The printable report
#


@login_required
@use_read_replica()
def report(request):
    """The programme's progress report for the chosen period, in the article's sentences: the
    city as a whole (city reviewers and administrators), then each county. County staff get
    their own county's section only."""
    user = request.user
    _require_role(user)
    form, period, include_submitted = _period(request)
    table = compute_indicators(user=user, period=period, include_submitted=include_submitted)
    counties = list(County.objects.for_user(user).order_by("code"))
    city = None
    if _sees_city(user):
        city = {"place": _("全市"), "figures": report_figures(table.totals())}
    sections = [
        {
            "county": county,
            "place": county.name,
            "figures": report_figures(
                {d.key: table.value(county.pk, d.key) for d in INDICATORS}
            ),
        }
        for county in counties
    ]
    return render(
        request,
        "cases/report.html",
        {
            "form": form,
            "period": period,
            "period_text": form.label,
            "query": urlencode(form.query_params()),
            "as_of": _("截至%(end)s") % {"end": date_format(period.end, "DATE_FORMAT")},
            "include_submitted": include_submitted,
            "city": city,
            "sections": sections,
            "generated_at": timezone.localtime(),
        },
    )


#
# Exports
#


def _text_cell(sheet, value, bold=False):
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    cell = WriteOnlyCell(sheet, value=text)
    if bold:
        cell.font = Font(bold=True)
    return cell


def _number_cell(sheet, value, definition=None, number_format=None, bold=False):
    cell = WriteOnlyCell(sheet, value=value)
    if number_format is None:
        number_format = "#,##0.00" if definition is not None and definition.money else "#,##0"
    cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    return cell


def _header(sheet, titles):
    row = []
    for title in titles:
        cell = _text_cell(sheet, title, bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        row.append(cell)
    sheet.append(row)


def column_title(definition):
    return f"{definition.label}({definition.unit})"


def _comparison_sheet(workbook, table, counties):
    sheet = workbook.create_sheet(title=_("县区对比"))
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 12
    _header(sheet, [_("县区"), _("行政区划代码"), *(column_title(d) for d in INDICATORS)])
    for county in counties:
        sheet.append(
            [
                _text_cell(sheet, county.name),
                _text_cell(sheet, county.code),
                *(_number_cell(sheet, table.value(county.pk, d.key), d) for d in INDICATORS),
            ]
        )
    sheet.append(
        [
            _text_cell(sheet, _("合计"), bold=True),
            None,
            *(_number_cell(sheet, table.total(d.key), d, bold=True) for d in INDICATORS),
        ]
    )


def _progress_sheet(workbook, entries, year):
    sheet = workbook.create_sheet(title=_("%(year)s年度目标进度") % {"year": year})
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["B"].width = 30
    _header(
        sheet,
        [
            _("县区"), _("指标"), _("单位"), _("完成值"), _("年度目标"), _("完成率"),
            _("时间进度"), _("是否滞后"),
        ],
    )
    for entry in entries:
        definition = entry.definition
        percent = None if entry.percent is None else entry.percent / 100
        sheet.append(
            [
                _text_cell(sheet, entry.county.name),
                _text_cell(sheet, definition.label),
                _text_cell(sheet, definition.unit),
                _number_cell(sheet, entry.value, definition),
                _number_cell(sheet, entry.target if definition.money else int(entry.target),
                             definition),
                _number_cell(sheet, percent, number_format="0.0%"),
                _number_cell(sheet, entry.expected_percent / 100, number_format="0.0%"),
                _text_cell(sheet, _("滞后") if entry.behind else _("正常")),
            ]
        )


def _about_sheet(workbook, form, user):
    period, include_submitted = form.period, form.include_submitted
    sheet = workbook.create_sheet(title=_("统计说明"))
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 40
    rows = [
        (_("统计期间"), form.label),
        (_("开始日期"), period.start),
        (_("截止日期"), period.end),
        (
            _("统计范围"),
            _("已审核通过和待审核的记录") if include_submitted else _("已审核通过的记录"),
        ),
        (_("导出时间"), timezone.localtime().replace(tzinfo=None, microsecond=0)),
        (_("导出人"), user.get_full_name() or user.get_username()),
    ]
    for label, value in rows:
        if isinstance(value, datetime.datetime):
            cell = _number_cell(sheet, value, number_format="yyyy-mm-dd hh:mm:ss")
        elif isinstance(value, datetime.date):
            cell = _number_cell(sheet, value, number_format="yyyy-mm-dd")
        elif value is None:
            cell = None
        else:
            cell = _text_cell(sheet, value)
        sheet.append([_text_cell(sheet, label, bold=True), cell])


def period_slug(period):
    if period.start is None:
        return f"{period.end:%Y%m%d}"
    return f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"


@login_required
@require_POST
@use_read_replica()
def dashboard_export(request):
    """The dashboard as a spreadsheet: the county comparison (one row per county, one column
    per indicator, a totals row; money in yuan), the progress towards the year's targets, and
    what the figures cover. Numbers are real numbers, so Excel can sort and sum them."""
    user = request.user
    _require_role(user)
    log = privacy.start_export(request, "xlsx")
    form, period, include_submitted = _period(request)
    table = compute_indicators(user=user, period=period, include_submitted=include_submitted)
    counties = list(County.objects.for_user(user).order_by("code"))
    entries = progress_entries(user, period, include_submitted, table)

    workbook = Workbook(write_only=True)
    _comparison_sheet(workbook, table, counties)
    _progress_sheet(workbook, entries, period.end.year)
    _about_sheet(workbook, form, user)
    output = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    workbook.save(output)
    output.seek(0)
    privacy.finish_export(log, len(counties))
    response = FileResponse(output, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, _("劳模助力脱贫指标-%(period)s.xlsx") % {"period": period_slug(period)}
    )
    return response


def json_value(definition, value):
    """Counts as integers; money as a string of yuan with exactly 2 decimals (no float)."""
    if definition.money:
        return str(Decimal(value).quantize(Decimal("0.01")))
    return int(value)


@login_required
@use_read_replica()
def indicators_json(request):
    """The indicators as a stable JSON document, scoped like the pages: county staff get their
    county only. It is an export: it needs the export permission (an account without a role
    has none) and is logged. Labels are always in Chinese, whatever the page language, so the
    document does not change with it.
    """
    user = request.user
    log = privacy.start_export(request, "json")
    _form, period, include_submitted = _period(request)
    table = compute_indicators(user=user, period=period, include_submitted=include_submitted)
    counties = list(County.objects.for_user(user).order_by("code"))
    with translation.override("zh-hans"):
        indicators = [
            {
                "key": definition.key,
                "label": str(definition.label),
                "unit": str(definition.unit),
                "total": json_value(definition, table.total(definition.key)),
                "by_county": [
                    {
                        "county_code": county.code,
                        "county": county.name,
                        "value": json_value(definition, table.value(county.pk, definition.key)),
                    }
                    for county in counties
                ],
            }
            for definition in INDICATORS
        ]
    document = {
        "period": {
            "start": period.start.isoformat() if period.start else None,
            "end": period.end.isoformat(),
        },
        "include_submitted": include_submitted,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "indicators": indicators,
    }
    privacy.finish_export(log, len(counties))
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 1})
