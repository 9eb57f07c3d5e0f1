from django.urls import path

from people import import_views, views

app_name = "people"

urlpatterns = [
    path("people/", views.person_list, name="list"),
    path("people/new/", views.person_create, name="create"),
    path("people/autocomplete/", views.person_autocomplete, name="autocomplete"),
    path("people/discarded/", views.discarded_list, name="discarded"),
    path("people/discarded/export/", views.discarded_export, name="discarded_export"),
    path("people/export/", views.person_export, name="export"),
    path("people/import/", import_views.import_start, name="import"),
    path("people/imports/", import_views.import_list, name="imports"),
    path("people/imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("people/imports/<int:pk>/preview/", import_views.import_preview, name="import_preview"),
    path("people/imports/<int:pk>/remap/", import_views.import_remap, name="import_remap"),
    path("people/imports/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("people/imports/<int:pk>/errors/", import_views.import_errors, name="import_errors"),
    path("people/<int:pk>/", views.person_detail, name="detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="edit"),
    path("people/<int:pk>/stage/", views.person_stage, name="stage"),
    path("people/<int:pk>/consents/", views.person_consents, name="consents"),
    path("people/<int:pk>/discard/", views.person_discard, name="discard"),
    path("people/<int:pk>/restore/", views.person_restore, name="restore"),
    path("people/<int:pk>/tags/add/", views.person_tag_add, name="tag_add"),
    path("people/<int:pk>/tags/<int:tag_pk>/remove/", views.person_tag_remove, name="tag_remove"),
    path("lists/", views.list_index, name="lists"),
    path("lists/save/", views.list_save, name="list_save"),
    path("lists/<int:pk>/delete/", views.list_delete, name="list_delete"),
    path("tags/", views.tag_list, name="tags"),
    path("tags/new/", views.tag_create, name="tag_create"),
    path("tags/<int:pk>/", views.tag_detail, name="tag_detail"),
    path("tags/<int:pk>/edit/", views.tag_edit, name="tag_edit"),
    path("tags/<int:pk>/delete/", views.tag_delete, name="tag_delete"),
    path("tags/<int:pk>/export/", views.tag_export, name="tag_export"),
]
