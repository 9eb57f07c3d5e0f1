from django.urls import path

from people import views

app_name = "people"

urlpatterns = [
    path("people/", views.person_list, name="list"),
    path("people/new/", views.person_create, name="create"),
    path("people/autocomplete/", views.person_autocomplete, name="autocomplete"),
    path("people/discarded/", views.discarded_list, name="discarded"),
    path("people/<int:pk>/", views.person_detail, name="detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="edit"),
    path("people/<int:pk>/stage/", views.person_stage, name="stage"),
    path("people/<int:pk>/discard/", views.person_discard, name="discard"),
    path("people/<int:pk>/restore/", views.person_restore, name="restore"),
    path("people/<int:pk>/tags/add/", views.person_tag_add, name="tag_add"),
    path("people/<int:pk>/tags/<int:tag_pk>/remove/", views.person_tag_remove, name="tag_remove"),
    path("tags/", views.tag_list, name="tags"),
    path("tags/new/", views.tag_create, name="tag_create"),
    path("tags/<int:pk>/", views.tag_detail, name="tag_detail"),
    path("tags/<int:pk>/edit/", views.tag_edit, name="tag_edit"),
    path("tags/<int:pk>/delete/", views.tag_delete, name="tag_delete"),
    path("tags/<int:pk>/export/", views.tag_export, name="tag_export"),
]
