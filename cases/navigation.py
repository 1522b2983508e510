"""What a user may create, and where to go back to after a save: the menu, the home page and
every list page read the create pages from here, so none is reachable only by typing its URL."""

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst

from cases.kinds import KINDS
from cases.models import Household

# Every model with a create page (``cases:<model>_add``), in the registry's order: households,
# and the record kinds with a form. Members are added on their household's form, dividends on
# their agreement's.
CREATABLE_MODELS = (Household, *(kind.model for kind in KINDS if kind.form))


def may_create(user):
    """Only county staff create records: the record's county is theirs (ObjectEditView)."""
    return user.is_authenticated and user.is_county_staff


def create_url(model):
    return reverse(f"cases:{model._meta.model_name}_add")


def create_links(user):
    """``[(label, url)]`` of the create pages ``user`` may use; empty for everyone else."""
    if not may_create(user):
        return []
    return [(capfirst(model._meta.verbose_name), create_url(model)) for model in CREATABLE_MODELS]


def create_url_for_list(user, model):
    """The create page a list of ``model`` offers, or None."""
    if model in CREATABLE_MODELS and may_create(user):
        return create_url(model)
    return None


def safe_next_url(request):
    """The ``next`` the page was opened or posted with, if it is a path on this site; else
    None. Forms carry it so a save returns to where the user came from (e.g. the case page)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None
