from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from crm import (
    attachment_views,
    bulk_views,
    custom_field_views,
    history_views,
    merge_views,
    privacy_views,
    rate_views,
    team_views,
    two_factor_views,
    views,
)

crm_patterns = [
    path("", views.home, name="home"),
    path("search/", views.global_search, name="search"),
    path("duplicates/<slug:kind>/", merge_views.duplicates, name="duplicates"),
    path("bulk/<slug:kind>/", bulk_views.bulk_apply, name="bulk"),
    path("bulk/<slug:kind>/options/", bulk_views.bulk_options, name="bulk_options"),
    path("bulk/undo/<int:pk>/", bulk_views.bulk_undo, name="bulk_undo"),
    path("merge/<slug:kind>/<int:pk>/", merge_views.merge_records, name="merge"),
    path("healthz", views.healthz, name="healthz"),
    path("language/", views.set_language, name="set_language"),
    path("admin-users/", views.user_list, name="users"),
    path("admin-users/new/", views.user_create, name="user_create"),
    path("admin-users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("admin-users/<int:pk>/password/", views.user_password, name="user_password"),
    path("admin-users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("admin-users/<int:pk>/activate/", views.user_activate, name="user_activate"),
    path("privacy/", privacy_views.privacy, name="privacy"),
    path(
        "privacy/people/<int:pk>/access/", privacy_views.person_access_request, name="person_access_request"
    ),
    path("privacy/people/<int:pk>/erase/", privacy_views.person_erase, name="person_erase"),
    path("privacy/requests/<int:pk>/", privacy_views.access_request, name="access_request"),
    path(
        "privacy/requests/<int:pk>/download/",
        privacy_views.access_request_download,
        name="access_request_download",
    ),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("account/two-factor/", two_factor_views.two_factor_settings, name="two_factor"),
    path("account/two-factor/off/", two_factor_views.two_factor_disable, name="two_factor_disable"),
    path("history/<slug:kind>/<int:pk>/", history_views.record_history, name="history"),
    path("attachments/<slug:kind>/<int:pk>/add/", attachment_views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", attachment_views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", attachment_views.attachment_delete, name="attachment_delete"),
    path(
        "history/<slug:kind>/<int:pk>/revert/<int:event>/", history_views.record_revert, name="history_revert"
    ),
    path("settings/team/", team_views.team_settings, name="team_settings"),
    path("settings/team/logo/", team_views.team_logo, name="team_logo"),
    path("catalogs/custom-fields/", custom_field_views.custom_field_list, name="custom_fields"),
    path("catalogs/exchange-rates/", rate_views.rate_list, name="exchange_rates"),
    path("catalogs/exchange-rates/<int:pk>/delete/", rate_views.rate_delete, name="exchange_rate_delete"),
    path("catalogs/custom-fields/new/", custom_field_views.custom_field_create, name="custom_field_create"),
    path(
        "catalogs/custom-fields/<int:pk>/edit/",
        custom_field_views.custom_field_edit,
        name="custom_field_edit",
    ),
]

account_patterns = [
    path(
        "login/",
        two_factor_views.SignInView.as_view(),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # The same answer whether or not the email belongs to an account (no user enumeration).
    path(
        "password/reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
]

urlpatterns = [
    path("api/", include("api.urls")),
    path("", include((crm_patterns, "crm"))),
    path("", include("activities.urls")),
    path("accounts/", include(account_patterns)),
    path("", include("people.urls")),
    path("companies/", include("companies.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("opportunities/", include("opportunities.urls")),
    path("catalog/", include("opportunities.catalog_urls")),
    path("quotes/", include("opportunities.quote_urls")),
    # Public: a lead form's hosted page and the target of its website snippet.
    path("", include("campaigns.public_urls")),
    path("serviceorders/", include("serviceorders.urls")),
    path("reports/", include("reports.urls")),
    path("automations/", include("automations.urls")),
    path("goals/", include("goals.urls")),
    # The admin site signs in through the CRM's own sign-in (password and code), never its own form.
    path(
        "django-admin/login/",
        RedirectView.as_view(pattern_name="login", query_string=True),
        name="admin_login_redirect",
    ),
    path("django-admin/", admin.site.urls),
]
