"""The confirmation asked before a household is archived."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        label=_("归档原因"),
        max_length=100,
        error_messages={"required": _("请填写归档原因。")},
        help_text=_("如:户籍迁出、重复登记、全户已故。归档后该户不再出现在列表中,不能再修改。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
