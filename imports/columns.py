"""The columns of an import: a Chinese header, the model field it fills, and how a cell's text
becomes that field's value.

A column only turns what people type into Python values (full-width digits, stray spaces,
dates written five ways, Chinese choice labels). Whether the value is acceptable is decided
by the model field's own validation and the model's ``clean()``, the same rules as the forms.
"""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# A month without a day, as rosters write start dates: 2018年6月, 2019.3, 2019-03, 2019/3.
MONTH_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
# Excel's day numbers between 1927 and 2173: a date cell that lost its date format.
SERIAL_DIGITS = re.compile(r"^\d{5}(?:\.0+)?$")
# 参加/没参加: how some national exports write their yes/no columns.
TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "✓", "参加", "已参加"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", "×", "✗", "没参加", "未参加"}
FORMULA_PREFIXES = ("=", "+", "-", "@")
LIST_SEPARATORS = re.compile(r"[、,,;;/|\s]+")


def normalise_text(value):
    """A cell as clean text: full-width letters, digits and spaces made half-width, spaces at
    either end removed. Numbers Excel stored for digits-only text come back without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    text = value if isinstance(value, str) else str(value)
    # Most cells need no normalising; the check is much cheaper than normalize().
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = text.strip()
    # Exports write '=..., '-... so that Excel does not run the text as a formula.
    if text.startswith("'") and text[1:2] in FORMULA_PREFIXES:
        text = text[1:]
    return text


class Column:
    """One column of an import layout.

    ``field`` names the model field it fills (None for columns only used to find rows, such as
    the county or the township). ``required`` defaults to the model field's own rule.
    """

    def __init__(self, header, field=None, *, required=None, aliases=(), help_text="",
                 example="", allowed=None, derivable=False):
        self.header = header
        # A required column the import can fill from other rows when the file lacks it (the
        # head's name from the head's own row): its absence is not an error of the header.
        self.derivable = derivable
        # For values looked up by name (e.g. poverty causes): a callable listing them.
        self.allowed = allowed
        self.field = field
        self._required = required
        self.aliases = tuple(aliases)
        self.help_text = help_text
        self.example = example
        self.model_field = None

    def bind(self, model):
        if self.field:
            self.model_field = model._meta.get_field(self.field)
        return self

    @property
    def required(self):
        if self._required is not None:
            return self._required
        field = self.model_field
        return field is not None and not field.blank and not field.has_default()

    def read(self, raw):
        """The Python value of the cell ``raw``; '' or None for an empty cell. Raises
        ValidationError with a message for the user when the text cannot be read."""
        return normalise_text(raw)

    def export(self, value):
        """The cell written for ``value`` in a file of this layout (the inverse of ``read``)."""
        return value

    def allowed_values(self):
        return list(self.allowed()) if self.allowed else []


class CodeColumn(Column):
    """Identifiers typed as digits (register numbers, ID numbers, phones): every space goes."""

    def __init__(self, *args, numbers_lose_digits=False, **kwargs):
        super().__init__(*args, **kwargs)
        # 18-digit ID numbers do not survive being stored as an Excel number.
        self.numbers_lose_digits = numbers_lose_digits

    def read(self, raw):
        if self.numbers_lose_digits and isinstance(raw, float | int) and not isinstance(raw, bool):
            raise ValidationError(
                _("被 Excel 存成了数字,末尾几位已经丢失:请把该列设为“文本”格式后重新填写。")
            )
        # A leading apostrophe is how people force Excel to keep digits as text.
        return re.sub(r"\s+", "", normalise_text(raw)).lstrip("'").upper()


class UnknownChoice(ValidationError):
    """A value of a coded column that neither a choice nor a synonym matches."""

    def __init__(self, message, value):
        super().__init__(message)
        self.value = value


class ChoiceColumn(Column):
    """A coded value, typed as its Chinese label (户主, 已脱贫, ...). The stored code is accepted
    too, so files written by other systems work, and so are the national register's own
    values (``synonyms``: {national value: the portal's label}); a national value that stands
    for "not applicable" maps to ""."""

    def __init__(self, *args, synonyms=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.synonyms = synonyms or {}

    def bind(self, model):
        super().bind(model)
        with translation.override("zh-hans"):
            self.labels = {str(label): code for code, label in self.model_field.choices}
        self.codes = {code: str(label) for label, code in self.labels.items()}
        self.national = {
            normalise_text(value): self.labels[label] if label else ""
            for value, label in self.synonyms.items()
        }
        return self

    def read(self, raw):
        text = normalise_text(raw)
        if not text:
            return ""
        if text in self.labels:
            return self.labels[text]
        if text in self.codes:
            return text
        if text in self.national:
            return self.national[text]
        raise UnknownChoice(
            _("“%(value)s”不是可选的值,可选:%(allowed)s。")
            % {"value": text, "allowed": "、".join(self.labels)},
            text,
        )

    def export(self, value):
        return self.codes.get(value, value) if value else None

    def allowed_values(self):
        return list(self.labels)


class MonthDate(datetime.date):
    """A date read from a month without a day: the first day of that month. The reader turns
    it into a plain date and warns that the day was supplied by this rule."""


class DateColumn(Column):
    def read(self, raw):
        if raw is None or raw == "":
            return None
        if isinstance(raw, datetime.datetime):
            return raw.date()
        if isinstance(raw, datetime.date):
            return raw
        if isinstance(raw, float) and 1900 < raw < 2200 and not raw.is_integer():
            # "2019.3" typed into Excel becomes the number 2019.3 (and "2019.10" 2019.1).
            return self._month(*repr(raw).split("."), raw)
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return self._serial(raw)
        text = re.sub(r"\s+", "", normalise_text(raw))
        if not text:
            return None
        match = DATE_TEXT.match(text) or DATE_DIGITS.match(text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                raise ValidationError(
                    _("“%(value)s”不是有效日期。") % {"value": text}
                ) from None
        month = MONTH_TEXT.match(text)
        if month:
            return self._month(*month.groups(), text)
        if SERIAL_DIGITS.match(text):
            return self._serial(float(text))
        raise ValidationError(
            _("“%(value)s”不是可识别的日期,请写成 2018-08-31、2018/8/31 或 2018年8月31日。")
            % {"value": text}
        )

    def _month(self, year, month, typed):
        try:
            return MonthDate(int(year), int(month), 1)
        except ValueError:
            raise ValidationError(_("“%(value)s”不是有效日期。") % {"value": typed}) from None

    def _serial(self, number):
        try:
            value = from_excel(number)
        except (ValueError, OverflowError, TypeError):
            value = None
        if not isinstance(value, datetime.datetime) or not 1900 <= value.year <= 2200:
            raise ValidationError(_("“%(value)s”不是有效日期。") % {"value": number})
        return value.date()


class NumberColumn(Column):
    def __init__(self, *args, integer=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.integer = integer

    def read(self, raw):
        if raw is None or raw == "":
            return None
        if isinstance(raw, bool):
            raise ValidationError(_("请填写数字。"))
        if isinstance(raw, int):
            return raw if self.integer else Decimal(raw)
        if isinstance(raw, float):
            number = Decimal(repr(raw))
        else:
            text = re.sub(r"[\s,,元]", "", normalise_text(raw))
            if not text:
                return None
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise ValidationError(
                    _("“%(value)s”不是数字。") % {"value": normalise_text(raw)}
                ) from None
        if not number.is_finite():
            raise ValidationError(_("请填写数字。"))
        if self.integer:
            if number != number.to_integral_value():
                raise ValidationError(_("请填写整数。"))
            return int(number)
        return number


class BooleanColumn(Column):
    def read(self, raw):
        if isinstance(raw, bool):
            return raw
        text = normalise_text(raw).lower()
        if text == "":
            return None
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValidationError(_("请填写“是”或“否”。"))

    def export(self, value):
        if value is None:
            return None
        return _("是") if value else _("否")

    def allowed_values(self):
        return [_("是"), _("否")]


class ListColumn(Column):
    """Several names in one cell, separated by 、 or commas (e.g. the other poverty causes)."""

    def read(self, raw):
        text = normalise_text(raw)
        return [part for part in LIST_SEPARATORS.split(text) if part]

    def export(self, value):
        return "、".join(value) if value else None
