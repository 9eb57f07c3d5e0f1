from django.urls import path

from goals import views

app_name = "goals"
urlpatterns = [
    path("", views.goal_list, name="list"),
    path("new/", views.goal_edit, name="create"),
    path("<int:pk>/edit/", views.goal_edit, name="edit"),
    path("<int:pk>/delete/", views.goal_delete, name="delete"),
    path("forecast/", views.forecast_view, name="forecast"),
]
