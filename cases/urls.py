from django.urls import path

from cases import kinds
from cases.views import (
    autocomplete,
    dashboard,
    exports,
    helpers,
    home,
    households,
    lists,
    privacy,
    queue,
    records,
    reports,
    review,
    transfers,
)

app_name = "cases"

urlpatterns = [
    path("", home.home, name="home"),
    # Dashboards: the figures, and the rows behind each figure
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/help/", dashboard.dashboard_help, name="dashboard_help"),
    path("dashboard/<slug:key>/", dashboard.indicator_list, name="indicator_list"),
    path("autocomplete/<slug:source>/", autocomplete.autocomplete, name="autocomplete"),
    # Households (their own pages), the list of every record kind, and the create and edit
    # pages of the kinds with a form (cases.kinds)
    path("households/new/", households.HouseholdEditView.as_view(), name="household_add"),
    path("households/<int:pk>/", households.HouseholdDetailView.as_view(), name="household_detail"),
    path(
        "households/<int:pk>/edit/",
        households.HouseholdEditView.as_view(),
        name="household_edit",
    ),
    *(
        path(kind.path, lists.RecordListView.as_view(kind=kind), name=f"{kind.name}_list")
        for kind in kinds.KINDS
    ),
    *(
        page
        for kind in kinds.KINDS
        if kind.form
        for page in (
            path(
                f"{kind.path}new/",
                records.RecordEditView.as_view(kind=kind),
                name=f"{kind.name}_add",
            ),
            path(
                f"{kind.path}<int:pk>/edit/",
                records.RecordEditView.as_view(kind=kind),
                name=f"{kind.name}_edit",
            ),
        )
    ),
    # Case pages and review
    path(
        "labor-models/<int:pk>/",
        helpers.LaborModelDetailView.as_view(),
        name="labormodel_detail",
    ),
    path(
        "collectives/<int:pk>/",
        helpers.AdvancedCollectiveDetailView.as_view(),
        name="advancedcollective_detail",
    ),
    path(
        "enterprises/<int:pk>/",
        helpers.EnterpriseDetailView.as_view(),
        name="enterprise_detail",
    ),
    path(
        "households/<int:pk>/archive/",
        households.archive_household,
        name="household_archive",
    ),
    path("members/<int:pk>/archive/", households.archive_member, name="member_archive"),
    path(
        "households/<int:pk>/submit-drafts/",
        households.submit_household_drafts,
        name="household_submit_drafts",
    ),
    path(
        "records/<str:model_name>/<int:pk>/submit/",
        review.submit_record,
        name="record_submit",
    ),
    path(
        "records/<str:model_name>/<int:pk>/reveal/<str:field_name>/",
        privacy.reveal,
        name="reveal",
    ),
    # Review, city side
    path("review/", queue.review_queue, name="review_queue"),
    path("review/bulk-approve/", queue.bulk_approve, name="review_bulk_approve"),
    path("review/decide-selected/", queue.decide_selected, name="review_decide_selected"),
    path(
        "records/<str:model_name>/<int:pk>/approve/",
        queue.approve_record,
        name="record_approve",
    ),
    path(
        "records/<str:model_name>/<int:pk>/return/",
        queue.return_record,
        name="record_return",
    ),
    # Exports made in the background
    # Transfer requests (申请转移) from the neutral "already registered" answer
    path("transfers/", transfers.transfer_request_list, name="transfer_list"),
    path("transfers/new/", transfers.transfer_request_create, name="transfer_create"),
    path("transfers/<int:pk>/", transfers.transfer_request_detail, name="transfer_detail"),
    path("exports/", exports.export_job_list, name="export_job_list"),
    path("exports/<int:pk>/", exports.export_job_detail, name="export_job_detail"),
    path("exports/<int:pk>/progress/", exports.export_job_progress, name="export_job_progress"),
    path("exports/<int:pk>/download/", exports.export_job_download, name="export_job_download"),
    # Targets, report and exports
    path("targets/", reports.targets, name="targets"),
    path("targets/progress/", reports.progress, name="target_progress"),
    path("report/", reports.report, name="report"),
    path("dashboard/export.xlsx", reports.dashboard_export, name="dashboard_export"),
    path("api/indicators.json", reports.indicators_json, name="indicators_json"),
]
