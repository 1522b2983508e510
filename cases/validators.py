"""Validators for the identifiers and values that county offices type in."""

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# GB 11643-1999: weights of the first 17 digits, and the check character for each sum mod 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_PATTERN = re.compile(r"^\d{17}[\dX]$")


def id_check_char(first17):
    """The GB 11643 check character for the first 17 digits of a resident ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def birth_date_from_id(id_number):
    """The birth date coded in digits 7-14, or None when they are not a real date."""
    try:
        return datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def sex_from_id(id_number):
    """'M' or 'F': the 17th digit is odd for men and even for women."""
    return "M" if int(id_number[16]) % 2 else "F"


def today():
    """Today in ``TIME_ZONE``. The app never activates another time zone, so this skips the
    per-context lookup of ``timezone.localdate()``, which costs more than the rest of an ID
    number's check and an import checks one per row."""
    return timezone.localdate(timezone.now(), timezone.get_default_timezone())


def validate_resident_id(value):
    if not ID_PATTERN.match(value or ""):
        raise ValidationError(
            _("身份证号应为18位:前17位是数字,最后一位是数字或X。"), code="id_format"
        )
    birth_date = birth_date_from_id(value)
    if birth_date is None or birth_date > today() or birth_date.year < 1900:
        raise ValidationError(_("身份证号中的出生日期(第7-14位)无效。"), code="id_birth_date")
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError(_("身份证号校验位不正确,请核对后重新输入。"), code="id_checksum")


def mask_id_number(value):
    """412822199001011234 -> 412822********1234: region kept for context, birth date hidden."""
    if not value:
        return ""
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_phone(value):
    """13812345678 -> 138****5678."""
    if not value or len(value) < 7:
        return value
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


validate_phone = RegexValidator(
    r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$",
    _("请输入11位手机号或带区号的固定电话,如 13812345678 或 0396-1234567。"),
    code="phone",
)


def validate_not_in_future(value):
    if value and value > today():
        raise ValidationError(_("日期不能晚于今天。"), code="future_date")


def validate_year(value):
    if value is not None and not 1950 <= value <= today().year:
        raise ValidationError(
            _("年份应在1950年到今年之间。"), code="year_range"
        )


class MaxAmountValidator:
    """Rejects amounts no programme could have: they are typing slips (an extra 0, 万 vs 元)."""

    def __init__(self, limit):
        self.limit = Decimal(limit)

    def __call__(self, value):
        if value is not None and value > self.limit:
            raise ValidationError(
                _("金额 %(value)s 元超出合理范围(不超过 %(limit)s 元),请核对单位是否为元。"),
                code="amount_too_large",
                params={"value": value, "limit": self.limit},
            )

    def __eq__(self, other):
        return isinstance(other, MaxAmountValidator) and self.limit == other.limit

    def deconstruct(self):
        return ("cases.validators.MaxAmountValidator", (str(self.limit),), {})


def build_resident_id(region_code, birth_date, sequence):
    """A valid resident ID number: region, birth date, a 3-digit sequence (odd for men) and its
    check character. Used to make demo and synthetic people."""
    first17 = f"{region_code}{birth_date:%Y%m%d}{sequence % 1000:03d}"
    return first17 + id_check_char(first17)
