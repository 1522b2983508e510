"""The programme's indicators: each declared once (``definitions``), counted from the records
(``counting``; the charts' trends and breakdowns in ``charts``), printed (``formatting``) and
measured against the yearly targets (``targets``). No model imports this package: the models
are what it counts. The names the pages, exports and tests use are importable from here."""

from cases.indicators.charts import (
    LEVEL_KEYS,
    TREND_KEYS,
    breakdowns,
    breakdowns_by_county,
    monthly_trend,
    monthly_trend_by_county,
    sum_breakdowns,
    sum_trends,
    trend_months,
)
from cases.indicators.counting import (
    COUNTING_RULES,
    IndicatorTable,
    Period,
    compute_indicators,
    exit_date_on,
    indicator_figure,
    indicator_rows,
)
from cases.indicators.definitions import (
    DEFINITIONS,
    INDICATORS,
    SECTIONS,
    TARGETABLE,
    IndicatorDefinition,
)
from cases.indicators.formatting import (
    WAN,
    YI,
    average_dividend,
    figure_parts,
    format_figure,
    in_wan,
    percent,
    round_percent,
)
from cases.indicators.targets import (
    BEHIND_SCHEDULE_MARGIN,
    TargetProgress,
    target_progress,
    validate_target_value,
    year_elapsed_share,
    year_to_date,
)

__all__ = [
    "BEHIND_SCHEDULE_MARGIN",
    "COUNTING_RULES",
    "DEFINITIONS",
    "INDICATORS",
    "LEVEL_KEYS",
    "SECTIONS",
    "TARGETABLE",
    "TREND_KEYS",
    "WAN",
    "YI",
    "IndicatorDefinition",
    "IndicatorTable",
    "Period",
    "TargetProgress",
    "average_dividend",
    "breakdowns",
    "breakdowns_by_county",
    "compute_indicators",
    "exit_date_on",
    "figure_parts",
    "format_figure",
    "in_wan",
    "indicator_figure",
    "indicator_rows",
    "monthly_trend",
    "monthly_trend_by_county",
    "percent",
    "round_percent",
    "sum_breakdowns",
    "sum_trends",
    "target_progress",
    "trend_months",
    "validate_target_value",
    "year_elapsed_share",
    "year_to_date",
]
