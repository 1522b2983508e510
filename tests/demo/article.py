"""The article's figures (demo/article.py) as the dashboard must print them on its day, on the
demo (tests/demo/test_demo_dashboard.py, tests/browser/test_city_dashboard.py): "27,438" for a
count, "7,127.85 万元" for money."""

from cases.indicators import DEFINITIONS, figure_parts
from demo.article import FIGURES


def _printed(key):
    number, unit = figure_parts(FIGURES[key], DEFINITIONS[key])
    return f"{number} {unit}" if DEFINITIONS[key].money else number


ARTICLE = {key: _printed(key) for key in FIGURES}
