"""Public pages of campaigns (no namespace, no sign-in): a lead form's hosted page
and the target of its website snippet."""

from django.urls import path

from campaigns import lead_views, mailing_views

urlpatterns = [
    path("f/<str:token>/", lead_views.public_form, name="public_lead_form"),
    path("u/<str:token>/", mailing_views.unsubscribe, name="unsubscribe"),
]
