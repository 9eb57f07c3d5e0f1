from django.urls import path

from serviceorders import views

app_name = "serviceorders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("go/", views.order_go, name="go"),
    path("new/", views.order_create, name="create"),
    path("export/", views.order_export, name="export"),
    path("reports/", views.order_reports, name="reports"),
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:key>/", views.project_detail, name="project"),
    path("projects/<int:key>/edit/", views.project_edit, name="project_edit"),
    path("<int:number>/", views.order_detail, name="detail"),
    path("<int:number>/edit/", views.order_edit, name="edit"),
    path("<int:number>/services/", views.entry_add, name="entry_add"),
    path("<int:number>/verify/", views.order_verify, name="verify"),
    path("<int:number>/reopen/", views.order_reopen, name="reopen"),
]
