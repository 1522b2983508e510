from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_index, name="index"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/confirm/", views.run_confirm, name="run_confirm"),
    path("runs/<int:pk>/mapping/", views.run_mapping, name="run_mapping"),
    path("runs/<int:pk>/villages/", views.run_add_villages, name="run_add_villages"),
    path("runs/<int:pk>/records/", views.run_records, name="run_records"),
    path("presets/", views.preset_list, name="preset_list"),
    path("presets/<int:pk>/edit/", views.preset_edit, name="preset_edit"),
    path("presets/<int:pk>/delete/", views.preset_delete, name="preset_delete"),
    path("kinds/<slug:kind>/", views.kind_help, name="kind_help"),
    path("kinds/<slug:kind>/template.xlsx", views.kind_template, name="kind_template"),
    path("register/export/", views.RegisterExportView.as_view(), name="register_export"),
]
