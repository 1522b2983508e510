"""The period a dashboard, report or export is read for, from the page's GET parameters.

``?period=as_of&as_of=2018-08-31`` (the default: as of the latest day with data),
``?period=year&year=2018``, ``?period=quarter&year=2018&quarter=3`` or
``?period=range&start=2018-01-01&end=2018-06-30``,
plus ``include_submitted=1`` to count records awaiting review too. Without ``period`` the kind
is taken from the fields given (``?year=2018`` is the year 2018). Bad input leaves field
errors on the form and the default period (as without any) in force, so the page still renders.

Reuse: ``period_from_request(request)`` returns the Period; ``PeriodForm.from_request(request)``
also gives ``include_submitted``, a ``label`` and ``query_params()`` for links that keep the
same period.
"""

import datetime

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cases.indicators import Period
from cases.selectors import latest_help_date

AS_OF, YEAR, QUARTER, RANGE = "as_of", "year", "quarter", "range"
QUARTER_START_MONTHS = {1: 1, 2: 4, 3: 7, 4: 10}
FIRST_YEAR, LAST_YEAR = 2000, 2100


def guess_kind(data):
    """The kind of period the parameters ``data`` describe when they do not say."""
    if data.get("start") or data.get("end"):
        return RANGE
    if data.get("quarter"):
        return QUARTER
    if data.get("year"):
        return YEAR
    return AS_OF


def bounded_date_field(label):
    """A date within the programme's years: a date far outside them (0001-01-01, 9999-12-31)
    is a field error, never a computation that overflows."""
    return forms.DateField(
        label=label,
        required=False,
        widget=date_input(),
        validators=[
            MinValueValidator(datetime.date(FIRST_YEAR, 1, 1)),
            MaxValueValidator(datetime.date(LAST_YEAR, 12, 31)),
        ],
    )


def date_input():
    return forms.DateInput(
        attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
    )


class PeriodFields(forms.Form):
    """The fields, named as the GET parameters. ``PeriodForm`` adds properties named
    ``period`` and ``include_submitted`` (the results), which in one class body would replace
    the fields of those names; in a subclass they do not (templates reach the fields as
    ``form.period`` all the same: a form looks names up as fields first)."""

    period = forms.ChoiceField(
        label=_("统计方式"),
        required=False,
        choices=(
            (AS_OF, _("截至某日")),
            (YEAR, _("年度")),
            (QUARTER, _("季度")),
            (RANGE, _("自定义区间")),
        ),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    as_of = bounded_date_field(_("截至日期"))
    year = forms.IntegerField(
        label=_("年度"),
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "1"}),
    )
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=(
            ("", "---------"),
            (1, _("第一季度")),
            (2, _("第二季度")),
            (3, _("第三季度")),
            (4, _("第四季度")),
        ),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    start = bounded_date_field(_("开始日期"))
    end = bounded_date_field(_("结束日期"))
    include_submitted = forms.BooleanField(
        label=_("含待审核数据"),
        required=False,
        help_text=_("同时统计已提交、尚未审核通过的记录。"),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input", "role": "switch"}),
    )



def default_as_of(request):
    """The day a page without a period is read for: the latest day any help the user may see
    is dated (not after today), so the figures and trends open on data, not on an empty
    today long after the records end; today when there is none. Worked out once per request:
    one page reads its period several times."""
    if not hasattr(request, "_default_as_of"):
        user = getattr(request, "user", None)
        latest = latest_help_date(user) if user is not None and user.is_authenticated else None
        request._default_as_of = latest or timezone.localdate()
    return request._default_as_of


class PeriodForm(PeriodFields):
    """The period and review rule a page is read for; see the module docstring.
    ``fallback_as_of`` (a callable, so that valid input costs no query) gives the day read for
    when the input is missing or invalid."""

    def __init__(self, *args, fallback_as_of, **kwargs):
        super().__init__(*args, **kwargs)
        self.fallback_as_of = fallback_as_of

    @classmethod
    def from_request(cls, request):
        """The form bound to the request's GET parameters, validated; with none of its
        parameters, or with invalid ones, it reads as of the latest day with data
        (``default_as_of``)."""
        if not any(name in request.GET for name in cls.base_fields):
            data = {"period": AS_OF, "as_of": default_as_of(request).isoformat()}
        else:
            data = request.GET.copy()
            # So that the page's select shows the kind of period in force.
            data["period"] = data.get("period") or guess_kind(data)
        form = cls(data, fallback_as_of=lambda: default_as_of(request))
        form.is_valid()
        return form

    def kind(self):
        """The kind of period asked for: ``period``, or guessed from the fields given."""
        return self.cleaned_data.get("period") or guess_kind(self.data)

    def clean(self):
        cleaned = super().clean()
        kind = self.kind()
        cleaned["period"] = kind
        if self.errors:
            return cleaned
        required = {
            AS_OF: (),
            YEAR: ("year",),
            QUARTER: ("year", "quarter"),
            RANGE: ("start", "end"),
        }[kind]
        for name in required:
            if cleaned.get(name) is None:
                self.add_error(name, _("按所选统计方式,此项必填。"))
        start, end = cleaned.get("start"), cleaned.get("end")
        if kind == RANGE and start and end and start > end:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        return cleaned

    @property
    def period(self):
        """The Period asked for; as of ``fallback_as_of`` when the input is missing or invalid."""
        if self.is_bound and not self.errors:
            data = self.cleaned_data
            kind = data["period"]
            if kind == YEAR:
                return Period(
                    start=datetime.date(data["year"], 1, 1),
                    end=datetime.date(data["year"], 12, 31),
                )
            if kind == QUARTER:
                first_month = QUARTER_START_MONTHS[data["quarter"]]
                start = datetime.date(data["year"], first_month, 1)
                next_start = (start + datetime.timedelta(days=95)).replace(day=1)
                return Period(start=start, end=next_start - datetime.timedelta(days=1))
            if kind == RANGE:
                return Period(start=data["start"], end=data["end"])
            if data.get("as_of"):
                return Period(end=data["as_of"])
        return Period(end=self.fallback_as_of())

    @property
    def include_submitted(self):
        return bool(self.is_bound and self.cleaned_data.get("include_submitted"))

    def query_params(self):
        """GET parameters that select the same period (the one in force: the default after bad
        input) and review rule, for links to drill-down lists and other pages."""
        period = self.period
        kind = self.cleaned_data.get("period") if self.is_bound and not self.errors else AS_OF
        if kind == YEAR:
            params = {"period": YEAR, "year": self.cleaned_data["year"]}
        elif kind == QUARTER:
            params = {
                "period": QUARTER,
                "year": self.cleaned_data["year"],
                "quarter": self.cleaned_data["quarter"],
            }
        elif kind == RANGE:
            params = {"period": RANGE, "start": period.start.isoformat(),
                      "end": period.end.isoformat()}
        else:
            params = {"period": AS_OF, "as_of": period.end.isoformat()}
        if self.include_submitted:
            params["include_submitted"] = "1"
        return params

    @property
    def label(self):
        """The period in words: 截至2018年8月31日, 2018年, 2018年第3季度, or from … to …."""
        period = self.period
        params = self.query_params()
        kind = params["period"]
        if kind == YEAR:
            return _("%(year)s年") % {"year": params["year"]}
        if kind == QUARTER:
            return _("%(year)s年第%(quarter)s季度") % params
        if kind == RANGE:
            return _("%(start)s 至 %(end)s") % {
                "start": date_format(period.start, "DATE_FORMAT"),
                "end": date_format(period.end, "DATE_FORMAT"),
            }
        return _("截至%(date)s") % {"date": date_format(period.end, "DATE_FORMAT")}


def period_from_request(request):
    """The Period of the request's GET parameters (see the module docstring); as of the latest
    day with data when they are missing or invalid."""
    return PeriodForm.from_request(request).period


def include_submitted_from_request(request):
    """Whether the request asks to count records awaiting review too (``include_submitted``)."""
    return PeriodForm.from_request(request).include_submitted
