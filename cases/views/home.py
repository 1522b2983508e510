"""The home page: county staff get their work list and what they may register; city
reviewers get what waits for their review, per county and kind; everyone the lists."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from cases.filters import ReviewQueueFilterSet
from cases.selectors import county_work_list, list_links

from .queue import queue_counts, queue_selections


@login_required
def home(request):
    user = request.user
    context = {}
    if user.is_county_staff or user.is_city_reviewer or user.is_administrator:
        context["lists"] = list_links()
    if user.is_county_staff:
        context["work"] = county_work_list(request)
    if user.is_city_reviewer:
        everything = ReviewQueueFilterSet({}, request=request)
        everything.is_valid()
        context["pending"] = queue_counts(request, queue_selections(everything, user))
    return render(request, "cases/home.html", context)
