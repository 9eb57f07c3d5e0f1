from django.urls import path

from companies import views
from people import import_views

app_name = "companies"

urlpatterns = [
    path("", views.company_list, name="list"),
    path("new/", views.company_create, name="create"),
    path("export/", views.company_export, name="export"),
    path("import/", import_views.import_start, {"kind": "companies"}, name="import"),
    path("autocomplete/", views.company_autocomplete, name="autocomplete"),
    path("discarded/", views.discarded_list, name="discarded"),
    path("discarded/<int:pk>/restore/", views.company_restore, name="restore"),
    path("<int:pk>/", views.company_detail, name="detail"),
    path("<int:pk>/edit/", views.company_edit, name="edit"),
    path("<int:pk>/people/new/", views.company_person_create, name="person_create"),
    path("memberships/add/", views.membership_add, name="membership_add"),
    path("memberships/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
]
