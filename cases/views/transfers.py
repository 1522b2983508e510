"""Transfer requests: a clerk files one from the edit page that refused a number as already
registered; the city office lists the open ones, looks up which county holds the number and
answers. County staff see their county's requests only (``for_user``); another county's
answers 404, like one that does not exist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import transfers
from cases.forms.transfers import TransferReplyForm, TransferRequestForm
from cases.models import TransferRequest

REQUESTS_PER_PAGE = 50


@login_required
@require_POST
def transfer_request_create(request):
    if not transfers.may_file(request.user):
        raise PermissionDenied
    form = TransferRequestForm(request.POST)
    if form.is_valid():
        try:
            transfer = transfers.file_transfer_request(request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("转移申请已提交,市总工会处理后会在此答复。"))
            return redirect(transfer)
    return render(request, "cases/transfer_form.html", {"form": form})


@login_required
@require_GET
def transfer_request_list(request):
    requests = Paginator(
        TransferRequest.objects.for_user(request.user)
        .select_related("county", "requested_by").order_by("-status", "-created_at", "-id"),
        REQUESTS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    return render(request, "cases/transfer_list.html", {"requests": requests})


@login_required
def transfer_request_detail(request, pk):
    transfer = get_object_or_404(
        TransferRequest.objects.for_user(request.user).select_related(
            "county", "requested_by", "handled_by"
        ),
        pk=pk,
    )
    may_handle = transfers.may_handle(request.user)
    form = TransferReplyForm(request.POST or None)
    if request.method == "POST":
        if not may_handle:
            raise PermissionDenied
        if form.is_valid():
            try:
                transfers.resolve_transfer_request(
                    transfer, request.user, form.cleaned_data["reply"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("已答复。"))
                return redirect(transfer)
    return render(request, "cases/transfer_detail.html", {
        "transfer": transfer,
        "form": form if may_handle and transfer.is_open else None,
        "holders": transfers.holding_counties(transfer, request.user) if may_handle else None,
    })
