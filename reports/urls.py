from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_index, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/charts/<slug:slug>/", views.chart_data, name="chart"),
    path("activities/", views.activities_report, name="activities"),
    path("opportunities/", views.opportunities_report, name="opportunities"),
    path("campaigns/", views.campaigns_report, name="campaigns"),
]
