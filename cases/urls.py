from django.urls import path

from cases.views import autocomplete, households

app_name = "cases"

urlpatterns = [
    path("", households.home, name="home"),
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
]
