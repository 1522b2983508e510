from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

# Without a namespace: "login", "logout", "password_change" are the names Django's auth uses.
# There is no e-mail password reset: administrators reset passwords in Django admin.
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_verify, name="login_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"
    ),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("two-factor/", views.two_factor_page, name="two_factor"),
]
