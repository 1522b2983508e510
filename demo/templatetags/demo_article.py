from django import template

from demo.article import DAY
from demo.zhumadian import demo_is_loaded

register = template.Library()


@register.inclusion_tag("demo/article_banner.html")
def demo_article_banner():
    """On the dashboard, while the demo is loaded: its figures as of the article's day are the
    article's own, with a link to them."""
    return {"day": DAY if demo_is_loaded() else None}
