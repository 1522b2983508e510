from django.urls import path

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
    # Households and members
    path("households/", households.HouseholdListView.as_view(), name="household_list"),
    path("households/new/", households.HouseholdEditView.as_view(), name="household_add"),
    path("households/<int:pk>/", households.HouseholdDetailView.as_view(), name="household_detail"),
    path(
        "households/<int:pk>/edit/",
        households.HouseholdEditView.as_view(),
        name="household_edit",
    ),
    path("members/", households.MemberListView.as_view(), name="member_list"),
    # Lists
    path("labor-models/", lists.LaborModelListView.as_view(), name="labormodel_list"),
    path(
        "collectives/",
        lists.AdvancedCollectiveListView.as_view(),
        name="advancedcollective_list",
    ),
    path("enterprises/", lists.EnterpriseListView.as_view(), name="enterprise_list"),
    path("volunteer-teams/", lists.VolunteerTeamListView.as_view(), name="volunteerteam_list"),
    path("pairings/", lists.PairingListView.as_view(), name="pairing_list"),
    path("training/", lists.TrainingSessionListView.as_view(), name="trainingsession_list"),
    path("projects/", lists.IndustryProjectListView.as_view(), name="industryproject_list"),
    path("workshops/", lists.WorkshopListView.as_view(), name="workshop_list"),
    path(
        "finance-agreements/",
        lists.FinanceAgreementListView.as_view(),
        name="financeagreement_list",
    ),
    path("dividends/", lists.DividendPaymentListView.as_view(), name="dividendpayment_list"),
    path("employment/", lists.EmploymentListView.as_view(), name="employment_list"),
    path("volunteer-events/", lists.VolunteerEventListView.as_view(), name="volunteerevent_list"),
    path("aid/", lists.MaterialAidListView.as_view(), name="materialaid_list"),
    path("visits/", lists.HouseholdVisitListView.as_view(), name="householdvisit_list"),
    # Records: create and edit pages of helpers, pairings and assistance
    path("labor-models/new/", records.LaborModelEditView.as_view(), name="labormodel_add"),
    path(
        "labor-models/<int:pk>/edit/",
        records.LaborModelEditView.as_view(),
        name="labormodel_edit",
    ),
    path(
        "collectives/new/",
        records.AdvancedCollectiveEditView.as_view(),
        name="advancedcollective_add",
    ),
    path(
        "collectives/<int:pk>/edit/",
        records.AdvancedCollectiveEditView.as_view(),
        name="advancedcollective_edit",
    ),
    path("enterprises/new/", records.EnterpriseEditView.as_view(), name="enterprise_add"),
    path(
        "enterprises/<int:pk>/edit/",
        records.EnterpriseEditView.as_view(),
        name="enterprise_edit",
    ),
    path("volunteer-teams/new/", records.VolunteerTeamEditView.as_view(), name="volunteerteam_add"),
    path(
        "volunteer-teams/<int:pk>/edit/",
        records.VolunteerTeamEditView.as_view(),
        name="volunteerteam_edit",
    ),
    path("workshops/new/", records.WorkshopEditView.as_view(), name="workshop_add"),
    path("workshops/<int:pk>/edit/", records.WorkshopEditView.as_view(), name="workshop_edit"),
    path("pairings/new/", records.PairingEditView.as_view(), name="pairing_add"),
    path("pairings/<int:pk>/edit/", records.PairingEditView.as_view(), name="pairing_edit"),
    path("training/new/", records.TrainingSessionEditView.as_view(), name="trainingsession_add"),
    path(
        "training/<int:pk>/edit/",
        records.TrainingSessionEditView.as_view(),
        name="trainingsession_edit",
    ),
    path("employment/new/", records.EmploymentEditView.as_view(), name="employment_add"),
    path("employment/<int:pk>/edit/", records.EmploymentEditView.as_view(), name="employment_edit"),
    path(
        "finance-agreements/new/",
        records.FinanceAgreementEditView.as_view(),
        name="financeagreement_add",
    ),
    path(
        "finance-agreements/<int:pk>/edit/",
        records.FinanceAgreementEditView.as_view(),
        name="financeagreement_edit",
    ),
    path("projects/new/", records.IndustryProjectEditView.as_view(), name="industryproject_add"),
    path(
        "projects/<int:pk>/edit/",
        records.IndustryProjectEditView.as_view(),
        name="industryproject_edit",
    ),
    path(
        "volunteer-events/new/",
        records.VolunteerEventEditView.as_view(),
        name="volunteerevent_add",
    ),
    path(
        "volunteer-events/<int:pk>/edit/",
        records.VolunteerEventEditView.as_view(),
        name="volunteerevent_edit",
    ),
    path("aid/new/", records.MaterialAidEditView.as_view(), name="materialaid_add"),
    path("aid/<int:pk>/edit/", records.MaterialAidEditView.as_view(), name="materialaid_edit"),
    path("visits/new/", records.HouseholdVisitEditView.as_view(), name="householdvisit_add"),
    path(
        "visits/<int:pk>/edit/",
        records.HouseholdVisitEditView.as_view(),
        name="householdvisit_edit",
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
