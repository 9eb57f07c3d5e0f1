from django.urls import path

from automations import views

app_name = "automations"

urlpatterns = [
    path("", views.rule_list, name="list"),
    path("new/", views.rule_edit, name="create"),
    path("<int:pk>/", views.rule_detail, name="detail"),
    path("<int:pk>/edit/", views.rule_edit, name="edit"),
    path("<int:pk>/active/", views.rule_toggle, name="toggle"),
    path("<int:pk>/move/", views.rule_move, name="move"),
    path("<int:pk>/delete/", views.rule_delete, name="delete"),
]
