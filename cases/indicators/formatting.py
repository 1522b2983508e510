"""A figure as the pages, exports and report print it: money in 万元 or 亿元, counts with
thousands separators, shares to one decimal rounded half up."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

WAN = Decimal(10_000)
YI = Decimal(100_000_000)


def figure_parts(value, definition):
    """A figure as the article prints it, as (number, unit): money in 万元 with two decimals
    ("7,127.85", "万元"), or in 亿元 with one decimal from 1亿 ("4.1", "亿元"); counts with
    thousands separators and the indicator's unit ("27,438", "人")."""
    if definition.money:
        amount = Decimal(value or 0)
        if amount >= YI:
            number = (amount / YI).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            return f"{number:,}", _("亿元")
        return f"{in_wan(amount):,}", _("万元")
    return f"{value or 0:,}", definition.unit


def format_figure(value, definition):
    """A figure with its unit: "7,127.85 万元", "4.1 亿元", "27,438 人"."""
    number, unit = figure_parts(value, definition)
    return f"{number} {unit}"


def percent(part, whole):
    """``part`` as a percentage of ``whole`` to one decimal, rounded half up as the report
    prints it (1 of 80 is 1.3), or None when ``whole`` is 0. Every page, export and report
    shows a share with this."""
    if not whole:
        return None
    return round_percent(Decimal(part) * 100 / Decimal(whole))


def round_percent(value):
    """A percentage (a Decimal) to one decimal, half up."""
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def average_dividend(values):
    """The average yearly dividend per household (yuan, to the fen) of figures ``values``
    (``{key: value}``), or None without any dividend."""
    if not values["dividend_payments"]:
        return None
    return (Decimal(values["dividend_funds"]) / values["dividend_payments"]).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def in_wan(value):
    """Yuan as 万元 with two decimals (a Decimal), for tables and charts of money."""
    return (Decimal(value or 0) / WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
