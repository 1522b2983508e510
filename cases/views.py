from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, UpdateView

from cases.forms import HouseholdForm
from cases.models import Household


@login_required
def home(request):
    return render(request, "cases/home.html")


class ScopedObjectMixin(LoginRequiredMixin):
    """Pages see only the rows ``for_user`` allows, so another county's id answers 404, exactly
    as an id that does not exist."""

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user)


class ScopedEditMixin(ScopedObjectMixin):
    """Edits need the change scope: a row the user may see but not change (a city reviewer's
    view of county data) answers 403. The save runs in one transaction."""

    success_message = _("已保存。")

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        changeable = self.model.objects.for_user(self.request.user, "change")
        if not changeable.filter(pk=obj.pk).exists():
            raise PermissionDenied
        return obj

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
        messages.success(self.request, self.success_message)
        return response


class HouseholdDetailView(ScopedObjectMixin, DetailView):
    model = Household

    def get_queryset(self):
        return super().get_queryset().select_related("village__township", "main_cause", "county")

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "members": self.object.members.active(),
        }


class HouseholdUpdateView(ScopedEditMixin, UpdateView):
    model = Household
    form_class = HouseholdForm
