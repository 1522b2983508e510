"""Rules that span more than one row or more than one request."""

from django.utils.translation import gettext as _


class EditConflict(Exception):
    """The record was saved by someone else after the user opened the form."""

    def __init__(self, message, current_version):
        super().__init__(message)
        self.message = message
        self.current_version = current_version


def _display(record, field_name):
    field = record._meta.get_field(field_name)
    if field.choices:
        return dict(field.flatchoices).get(getattr(record, field.attname), "")
    value = getattr(record, field_name, "")
    return "—" if value in (None, "") else str(value)


def check_version(record, form):
    """Lock the stored row and refuse the save if its version moved since ``form`` was opened,
    naming who changed it, when, and the fields the user is about to overwrite."""
    model = type(record)
    current = model._default_manager.select_for_update().get(pk=record.pk)
    loaded_version = form.cleaned_data.get("loaded_version")
    if loaded_version == current.version:
        return
    loaded = current.history.filter(version=loaded_version).first()
    changed = [
        f"{form.fields[name].label}:{_display(loaded, name)} → {_display(current, name)}"
        for name in form.fields
        if loaded is not None
        and name in {f.name for f in model._meta.concrete_fields}
        and _display(loaded, name) != _display(current, name)
    ]
    latest = current.history.first()
    who = latest.history_user if latest and latest.history_user else _("其他用户")
    when = latest.history_date.strftime("%Y-%m-%d %H:%M") if latest else ""
    message = _("您打开此页面后,%(who)s 于 %(when)s 修改了这条记录。") % {
        "who": who, "when": when,
    }
    if changed:
        message += _("对方的修改:") + ";".join(changed) + "。"
    message += _("您填写的内容已保留;请核对后再次提交,将以您的内容为准。")
    raise EditConflict(message, current.version)
