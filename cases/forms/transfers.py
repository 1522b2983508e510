from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import TransferRequest


class TransferRequestForm(forms.Form):
    """Filed from the edit page that refused the number: the kind and the number come from
    that page (hidden), the clerk adds a note for the city office."""

    kind = forms.ChoiceField(choices=TransferRequest.Kind.choices, widget=forms.HiddenInput)
    number = forms.CharField(max_length=30, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("说明"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如:此人已迁入本县区的哪个村、何时迁入。"),
    )


class TransferReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("答复"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
