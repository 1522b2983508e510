from django import template

from cases import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def create_links(context):
    """The create pages the request's user may use, for the menu and the home page."""
    request = context.get("request")
    return navigation.create_links(request.user) if request is not None else []
