from django.urls import path

from opportunities import sales_views

app_name = "quotes"

urlpatterns = [
    path("", sales_views.quote_list, name="list"),
    path("<int:pk>/", sales_views.quote_detail, name="detail"),
    path("<int:pk>/pdf/", sales_views.quote_pdf_view, name="pdf"),
    path("<int:pk>/status/", sales_views.quote_status, name="status"),
    path("<int:pk>/email/", sales_views.quote_email, name="email"),
]
