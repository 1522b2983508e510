from django.urls import path

from evidence import views

app_name = "evidence"

urlpatterns = [
    path(
        "records/<str:model_name>/<int:pk>/upload/",
        views.attachment_upload,
        name="attachment_upload",
    ),
    path("<int:pk>/download/", views.attachment_download_view, name="attachment_download"),
    path("<int:pk>/thumbnail/", views.attachment_thumbnail, name="attachment_thumbnail"),
    path("households/<int:pk>/", views.household_gallery, name="household_gallery"),
]
