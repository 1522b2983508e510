"""The home page: county staff get their work list and what they may register; city
reviewers get what waits for their review, per county and kind; everyone the lists."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from cases.filters import ReviewQueueFilterSet
from cases.models import TransferRequest
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
    if user.is_county_staff or user.is_city_reviewer:
        # The city office answers transfer requests; a clerk finds the answers to theirs here.
        context["open_transfers"] = (
            TransferRequest.objects.for_user(user).filter(status=TransferRequest.Status.OPEN).count()
        )
    return render(request, "cases/home.html", context)
