from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("households/", views.HouseholdListView.as_view(), name="household_list"),
    path("members/", views.MemberListView.as_view(), name="member_list"),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household_detail"),
    path("households/new/", views.HouseholdEditView.as_view(), name="household_add"),
    path("households/<int:pk>/edit/", views.HouseholdEditView.as_view(), name="household_edit"),
]
