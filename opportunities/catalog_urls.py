from django.urls import path

from opportunities import sales_views

app_name = "catalog"

urlpatterns = [
    path("", sales_views.product_list, name="list"),
    path("new/", sales_views.product_create, name="create"),
    path("<int:pk>/edit/", sales_views.product_edit, name="edit"),
]
