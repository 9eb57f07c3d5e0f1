from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from crm import views

crm_patterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("language/", views.set_language, name="set_language"),
    path("admin-users/", views.user_list, name="users"),
    path("admin-users/new/", views.user_create, name="user_create"),
    path("admin-users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("admin-users/<int:pk>/password/", views.user_password, name="user_password"),
    path("admin-users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("admin-users/<int:pk>/activate/", views.user_activate, name="user_activate"),
]

account_patterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]

urlpatterns = [
    path("", include((crm_patterns, "crm"))),
    path("accounts/", include(account_patterns)),
    path("", include("people.urls")),
    path("companies/", include("companies.urls")),
    path("django-admin/", admin.site.urls),
]
