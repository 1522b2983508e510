"""Build the POST a browser would send for a page's form (and formset) as it was rendered."""

import datetime

from cases.widgets import MaskedInput


def form_post_data(form):
    data = {}
    for name in form.fields:
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(form.fields[name].widget, MaskedInput):
            # The page shows a number on file masked, and a browser sends back what it shows.
            value = form.fields[name].widget.format_value(value)
        if value is None or value is False:
            continue
        if value is True:
            data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(item) for item in value]
        elif isinstance(value, datetime.date):
            data[key] = value.isoformat()
        else:
            data[key] = str(value)
    return data


def page_post_data(response, **changes):
    """The form and formset of ``response`` as rendered, with ``changes`` applied."""
    data = form_post_data(response.context["form"])
    formset = response.context.get("formset")
    if formset is not None:
        data.update(form_post_data(formset.management_form))
        for form in formset.forms:
            data.update(form_post_data(form))
    data.update(changes)
    return data
