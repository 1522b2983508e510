"""One table per list: the columns shown, sorted and exported."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from cases import models
from cases.validators import mask_id_number, mask_phone


class MaskedIdColumn(tables.Column):
    """Shows 412822********123X: lists and exports never carry a full ID number."""

    def render(self, value):
        return mask_id_number(value)


class MaskedPhoneColumn(tables.Column):
    def render(self, value):
        return mask_phone(value)


class HouseholdTable(tables.Table):
    register_number = tables.Column(linkify=True)
    village = tables.Column(order_by=("village__township__name", "village__name"))
    phone = MaskedPhoneColumn()
    member_count = tables.Column(verbose_name=_("人口"), orderable=True)

    class Meta:
        model = models.Household
        fields = (
            "register_number", "head_name", "village", "member_count", "attribute",
            "main_cause", "status", "exit_date", "phone", "review_status",
        )


class MemberTable(tables.Table):
    name = tables.Column(linkify=lambda record: record.household.get_absolute_url())
    id_number = MaskedIdColumn()
    phone = MaskedPhoneColumn()
    household = tables.Column(
        accessor="household__register_number", verbose_name=_("户编号"),
    )

    class Meta:
        model = models.Member
        fields = (
            "name", "household", "relation", "sex", "birth_date", "id_number", "education",
            "health", "labour_ability", "work_status", "phone",
        )
