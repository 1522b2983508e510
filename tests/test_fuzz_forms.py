"""Bad input: Hypothesis over every form and the import parsers.

The forms are discovered (every Form and ModelForm defined in ``cases.forms`` and
``imports.forms``, checked against the form classes the URL configuration's views use), so a
new form is fuzzed without touching this file. Each gets 200 examples (the same ones every
run; HYPOTHESIS_PROFILE=explore draws 1,000 new ones) validated directly
(``is_valid()``): mostly a valid baseline with some fields replaced by Unicode, over-long
text, NaN/Infinity/huge decimals and impossible dates. Nothing may raise, and an invalid form
must say why. A smaller sample goes through the pages (Client POST): never a server error.
"""

import datetime
import importlib
import inspect
import io
import pkgutil
import re

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cases.forms
from imports.columns import Column
from imports.kinds import KINDS
from imports.models import ImportPreset, ImportRun, ImportStatus
from imports.readers import FileProblem, open_table
from tests.forms import form_post_data, page_post_data
from tests.routes import EDITABLE, SKIPPED, walk
from tests.support import MAKERS, view_for

FORM_MODULES = [
    *(f"cases.forms.{module.name}" for module in pkgutil.iter_modules(cases.forms.__path__)),
    "imports.forms",
]
# Classes that are building blocks of other forms, not forms anyone fills in.
BASES = {
    "VersionedFormMixin": "adds the hidden version field to the record forms",
    "RecordForm": "the ModelForm base of the record forms (it has no model)",
    "PeriodFields": "the fields PeriodForm inherits",
}
# The number of examples is the profile's (tests/conftest.py): 200 fixed ones in the suite.
FUZZ = settings(
    deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)
THROUGH_PAGES = settings(FUZZ, max_examples=40)


def discovered_forms():
    found = {}
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and obj.__module__ == module_name
                    and issubclass(obj, forms.BaseForm) and name not in BASES):
                found[name] = obj
    return found


FORMS = discovered_forms()


def test_every_form_a_page_uses_is_fuzzed():
    used = set()
    for pattern_name, _route, _kwargs in walk(get_resolver().url_patterns):
        if not pattern_name or any(re.search(skip, pattern_name) for skip in SKIPPED):
            continue
        path = _sample_path(pattern_name)
        view = view_for(path) if hasattr(resolve(path).func, "view_class") else None
        form_class = getattr(view, "form_class", None)
        formset_class = getattr(view, "formset_class", None)
        if form_class:
            used.add(form_class)
        if formset_class:
            # The formset factory subclasses the row form it is given.
            used.add(formset_class.form.__mro__[1])
    assert used and used <= set(FORMS.values())
    assert set(BASES) <= {cls.__name__ for form in FORMS.values() for cls in form.__mro__}


def _sample_path(name):
    kwargs = {key: "1" if key == "pk" else "x" for key in
              next(kwargs for n, _r, kwargs in walk(get_resolver().url_patterns) if n == name)}
    return reverse(name, kwargs=kwargs or None)


#
# Values
#

# Letters of every script, symbols, emoji, control characters and right-to-left marks; no
# lone surrogates (no browser can send them).
UNICODE = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
HUGE_TEXT = st.builds(lambda char, n: char * n, st.sampled_from("x中\u202e𠀋0"),
                      st.integers(200, 5000))
NUMBERS = st.one_of(
    st.sampled_from(["NaN", "nan", "Infinity", "-Infinity", "inf", "1e999", "-1e999", "1E+30",
                     "9" * 40, "-0", "0.001", "1e-30", "12,5", "1_000", "٣", "１２"]),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers().map(str),
    st.floats().map(str),
)
DATES = st.one_of(
    st.sampled_from(["2018-02-30", "2019-02-29", "2018-13-01", "0000-00-00", "0001-01-01",
                     "9999-12-31", "2018-00-10", "2018-1-32", "99999-01-01", "2018/08/31",
                     "2018-08-31T25:00", "-2018-01-01", "二〇一八年八月"]),
    st.dates().map(datetime.date.isoformat),
)
ANYTHING = st.one_of(UNICODE, HUGE_TEXT, NUMBERS, DATES, st.just(""))


class ManagementCount(forms.IntegerField):
    """A formset's TOTAL_FORMS or INITIAL_FORMS."""


def bad_value(field):
    if isinstance(field, ManagementCount):
        return st.sampled_from(["", "abc", "-1", "0", "1", "60"])
    if isinstance(field, forms.DecimalField | forms.FloatField | forms.IntegerField):
        return st.one_of(NUMBERS, UNICODE)
    if isinstance(field, forms.DateField | forms.DateTimeField):
        return st.one_of(DATES, UNICODE)
    if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
        return st.lists(st.one_of(NUMBERS, UNICODE), max_size=3)
    return ANYTHING


def fuzzed(baseline, fields):
    """``baseline`` (a valid post) with any of ``fields`` replaced by a bad value."""
    return st.fixed_dictionaries(
        {name: st.one_of(st.just(baseline[name]), bad_value(field))
         for name, field in fields.items() if name in baseline},
        optional={name: bad_value(field) for name, field in fields.items()
                  if name not in baseline},
    )


def assert_answered(form):
    """No exception, and an invalid form says why in words."""
    if form.is_valid():
        return
    assert form.errors
    for field_errors in form.errors.values():
        assert field_errors and all(str(message).strip() for message in field_errors)
    str(form.errors)


#
# The forms, validated directly
#


def model_baseline(form_class, clerk, client):
    """A valid post for ``form_class`` from the edit page of a record made in the clerk's
    county (the record forms and the row forms of their formsets), or None."""
    model = form_class._meta.model
    for name in EDITABLE:
        record = MAKERS[name](clerk.county, "基准记录")
        page = client.get(reverse(f"cases:{name}_edit", args=[record.pk]))
        if page.context["form"].__class__ is form_class:
            return form_post_data(page.context["form"]), {}
        formset = page.context.get("formset")
        if formset is not None and formset.form.__mro__[1] is form_class:
            # A record's first row, or the blank row "添加一行" adds when it has none.
            row = formset.forms[0] if formset.forms else formset.empty_form
            data = form_post_data(row)
            return {key.removeprefix(f"{row.prefix}-"): value for key, value in data.items()}, {
                "instance_parent": getattr(formset, "fk", None) and (formset.fk.name, record)}
    raise AssertionError(f"no page shows {form_class.__name__} ({model.__name__})")


def build_form(form_class, data, clerk, extra):
    kwargs = {}
    parameters = {
        name for cls in form_class.__mro__ if "__init__" in vars(cls)
        for name in inspect.signature(vars(cls)["__init__"]).parameters
    }
    if "user" in parameters:
        kwargs["user"] = clerk
    if "county" in parameters:
        kwargs["county"] = clerk.county
    if "run" in parameters:
        kwargs["run"], kwargs["kind"] = extra["run"], extra["kind"]
    if "preset" in parameters:
        kwargs["preset"] = extra["preset"]
    if "fallback_as_of" in parameters:
        kwargs["fallback_as_of"] = timezone.localdate
    files = None
    if any(isinstance(field, forms.FileField) for field in form_class.base_fields.values()):
        files = {name: data.pop(name) for name in list(data)
                 if isinstance(form_class.base_fields.get(name), forms.FileField)
                 and isinstance(data.get(name), SimpleUploadedFile)}
    form = form_class(data=data, files=files, **kwargs)
    parent = (extra or {}).get("instance_parent")
    if parent and hasattr(form, "instance"):
        setattr(form.instance, parent[0], parent[1])
    return form


def plain_baseline(form_class):
    """Posts of forms that are not ModelForms: their initial values."""
    if form_class.__name__ == "ImportUploadForm":
        return {"kind": next(iter(KINDS))}
    if form_class.__name__ == "ImportMappingForm":
        return {"name": "方案", "column_0": "致贫主因", "value_0": "省外务工"}
    if form_class.__name__ == "ImportPresetForm":
        return {"name": "新方案"}
    return {}


def plain_extra(form_class, clerk):
    """The import run the mapping step's form is for: a column and a value to map; the
    preset a rename is for."""
    if form_class.__name__ == "ImportPresetForm":
        return {"preset": ImportPreset.objects.create(
            county=clerk.county, kind="households", name="方案", updated_by=clerk,
        )}
    if form_class.__name__ != "ImportMappingForm":
        return {}
    run = ImportRun.objects.create(
        kind="households", file="imports/fuzz.csv", file_name="fuzz.csv", county=clerk.county,
        created_by=clerk, status=ImportStatus.INVALID, file_columns={
            "missing": ["主要致贫原因"], "unknown": ["致贫主因"],
            "unmatched": [["务工状况", "外出", 3]],
        },
    )
    return {"run": run, "kind": KINDS["households"]}


FORM_NAMES = sorted(FORMS)


@pytest.mark.django_db
@pytest.mark.parametrize("form_name", FORM_NAMES)
def test_every_form_answers_every_input(client, form_name, county_a, county_a_clerk):
    form_class = FORMS[form_name]
    client.force_login(county_a_clerk)
    extra = {}
    if issubclass(form_class, forms.ModelForm):
        baseline, extra = model_baseline(form_class, county_a_clerk, client)
    else:
        baseline = plain_baseline(form_class)
        extra = plain_extra(form_class, county_a_clerk)
    fields = build_form(form_class, {}, county_a_clerk, extra).fields
    strategy = fuzzed(baseline, fields)
    if "file" in fields:
        strategy = st.tuples(strategy, uploads()).map(lambda pair: {**pair[0], "file": pair[1]})

    @FUZZ
    @given(data=strategy)
    def check(data):
        assert_answered(build_form(form_class, dict(data), county_a_clerk, extra))

    check()


#
# Through the pages: the view, its formset and the save
#

EDIT_PAGES = EDITABLE


@pytest.mark.django_db
@pytest.mark.parametrize("model_name", EDIT_PAGES)
def test_the_pages_never_answer_with_a_server_error(model_name, county_a, county_a_clerk):
    client = Client(raise_request_exception=True)
    client.force_login(county_a_clerk)
    record = MAKERS[model_name](county_a, "基准记录")
    url = reverse(f"cases:{model_name}_edit", args=[record.pk])
    page = client.get(url)
    baseline = page_post_data(page)
    baseline.pop("loaded_version", None)  # always the current version: no conflict message
    fields = {page.context["form"].add_prefix(name): field
              for name, field in page.context["form"].fields.items()}
    formset = page.context.get("formset")
    if formset is not None:
        # Tampered management forms, without sending thousands of rows (Django builds every
        # form TOTAL_FORMS announces, up to 2,000: slow, and not what is being tested here).
        management = ManagementCount()
        fields.update({f"{formset.prefix}-TOTAL_FORMS": management,
                       f"{formset.prefix}-INITIAL_FORMS": management})
        for row in formset.forms:
            fields.update({row.add_prefix(name): field for name, field in row.fields.items()})

    @THROUGH_PAGES
    @given(data=fuzzed(baseline, fields))
    def check(data):
        response = client.post(url, data)
        assert response.status_code in {200, 302}
        if response.status_code == 200:
            context_form = response.context["form"]
            context_formset = response.context.get("formset")
            assert context_form.errors or (context_formset is not None and (
                context_formset.non_form_errors() or any(context_formset.errors)))

    check()


@pytest.mark.django_db
def test_list_filters_and_period_parameters_never_answer_with_a_server_error(
    county_a, county_a_clerk
):
    """The lists' filter forms and the dashboard's period form are GET forms: the same bad
    values in the query string."""
    client = Client(raise_request_exception=True)
    client.force_login(county_a_clerk)
    urls = [reverse(name) for name, _route, kwargs in walk(get_resolver().url_patterns)
            if name and re.fullmatch(r"cases:\w+_list|cases:dashboard|cases:report", name)
            and not kwargs]
    parameters = ["q", "identified_min", "identified_max", "funds_min", "funds_max", "year",
                  "amount_min", "amount_max", "start", "end", "period", "sort", "page",
                  "review_status", "county", "village", "township", "year_awarded_min"]

    @settings(FUZZ, max_examples=300)
    @given(url=st.sampled_from(urls),
           query=st.dictionaries(st.sampled_from(parameters), ANYTHING, max_size=4))
    def check(url, query):
        assert client.get(url, query).status_code in {200, 302, 400, 404}

    check()


#
# The import parsers
#


def uploads():
    csv_text = st.lists(st.lists(st.one_of(UNICODE, NUMBERS, DATES), max_size=6), max_size=6).map(
        lambda rows: "\n".join(",".join(row) for row in rows))
    contents = st.one_of(
        st.binary(max_size=400),
        st.builds(lambda body: b"PK\x03\x04" + body, st.binary(max_size=400)),
        st.builds(lambda text, encoding: text.encode(encoding, errors="ignore"), csv_text,
                  st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"])),
    )
    names = st.sampled_from(["登记册.csv", "登记册.xlsx", "a.xls", "a.txt", "无扩展名", "",
                             "a.CSV", "../../etc/passwd.csv"])
    return st.builds(lambda body, name: SimpleUploadedFile(name or "x", body), contents, names)


def test_the_table_reader_answers_every_file():
    kind = next(iter(KINDS.values()))
    headers = [str(column.header) for column in kind.columns]

    @FUZZ
    @given(upload=uploads(), header_row=st.booleans())
    def check(upload, header_row):
        body = upload.read()
        if header_row and not body.startswith(b"PK"):
            body = ",".join(headers).encode() + b"\n" + body
        try:
            table = open_table(io.BytesIO(body), upload.name, headers)
            for _row in table.rows:
                pass
        except FileProblem as problem:
            assert str(problem).strip()

    check()


COLUMNS = [column for kind in KINDS.values() for column in kind.columns]
# One test per kind of column (codes, choices, dates, numbers, ...), each example read by
# every column of that kind.
COLUMN_KINDS = sorted({type(column) for column in COLUMNS}, key=lambda cls: cls.__name__)
CELLS = st.one_of(
    UNICODE, HUGE_TEXT, NUMBERS, DATES, st.none(), st.booleans(), st.integers(),
    st.floats(allow_nan=True, allow_infinity=True), st.dates(), st.datetimes(),
    st.decimals(allow_nan=True, allow_infinity=True),
)


@pytest.mark.django_db
@pytest.mark.parametrize("column_class", COLUMN_KINDS, ids=lambda cls: cls.__name__)
def test_every_import_column_reads_every_cell(column_class):
    columns = [column for column in COLUMNS if type(column) is column_class]
    assert all(isinstance(column, Column) for column in columns)

    @FUZZ
    @given(raw=CELLS)
    def check(raw):
        for column in columns:
            try:
                column.read(raw)
            except ValidationError as error:
                assert all(message.strip() for message in error.messages), column.header

    check()
