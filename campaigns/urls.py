from django.urls import path

from campaigns import lead_views, mailing_views, views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("add-people/", views.members_add_people, name="add_people"),
    path("emails/", mailing_views.mailing_list, name="mailings"),
    path("emails/new/", mailing_views.mailing_create, name="mailing_create"),
    path("emails/<int:pk>/", mailing_views.mailing_detail, name="mailing"),
    path("lead-forms/", lead_views.leadform_list, name="leadforms"),
    path("lead-forms/new/", lead_views.leadform_create, name="leadform_create"),
    path("lead-forms/<int:pk>/", lead_views.leadform_edit, name="leadform_edit"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/import/", views.campaign_import, name="import"),
    path("<int:pk>/export/", views.member_export, name="export"),
    path("<int:pk>/members/add/", views.member_add, name="member_add"),
    path("<int:pk>/members/add-tag/", views.members_add_tag, name="members_add_tag"),
    path("<int:pk>/members/assign/", views.members_assign, name="members_assign"),
    path("<int:pk>/members/<int:member_pk>/", views.member_detail, name="member"),
    path("<int:pk>/members/<int:member_pk>/status/", views.member_status, name="member_status"),
    path("<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="member_remove"),
]
