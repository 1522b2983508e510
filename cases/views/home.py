"""The home page: county staff get their work list; city reviewers and administrators get the
lists for now (the city dashboard is a later issue)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from cases.selectors import county_work_list, list_links


@login_required
def home(request):
    user = request.user
    context = {}
    if user.is_county_staff or user.is_city_reviewer or user.is_administrator:
        context["lists"] = list_links()
    if user.is_county_staff:
        context["work"] = county_work_list(request)
    return render(request, "cases/home.html", context)
