from django import template
from django.urls import reverse

from cases.privacy import may_reveal
from cases.validators import mask_id_number, mask_phone

register = template.Library()

register.filter("mask_id", mask_id_number)
register.filter("mask_phone", mask_phone)


@register.inclusion_tag("cases/includes/reveal_button.html", takes_context=True)
def reveal_button(context, record, field_name):
    """The "显示完整号码" button beside a masked value, for those who may reveal it; the
    reveal itself is a logged POST (cases.views.privacy.reveal)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    value = getattr(record, field_name)
    show = bool(value and user is not None and user.is_authenticated and may_reveal(user, record))
    return {
        "show": show,
        "url": reverse("cases:reveal", args=[record._meta.model_name, record.pk, field_name])
        if show else "",
        "label": f"{record} {record._meta.get_field(field_name).verbose_name}",
        "csrf_token": context.get("csrf_token"),
    }
