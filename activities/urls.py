from django.urls import path

from activities import inbound_views, views

app_name = "activities"

urlpatterns = [
    path("activities/", views.activity_list, name="activities"),
    path("mail/outbox/", views.outbox, name="outbox"),
    path("mail/emails/<int:pk>/retry/", views.email_retry, name="email_retry"),
    path("mail/templates/", views.email_templates, name="email_templates"),
    path("mail/templates/new/", views.email_template_edit, name="email_template_create"),
    path("mail/templates/<int:pk>/edit/", views.email_template_edit, name="email_template_edit"),
    path("mail/templates/<int:pk>/delete/", views.email_template_delete, name="email_template_delete"),
    path("mail/outbox/<int:pk>/", views.outbox_message, name="outbox_message"),
    path("mail/outbox/<int:pk>/reply/", inbound_views.outbox_reply, name="outbox_reply"),
    path("mail/mailbox/", inbound_views.mailbox_edit, name="mailbox"),
    path("mail/mailbox/team/", inbound_views.mailbox_edit, {"team": True}, name="team_mailbox"),
    path("mail/inbox/", inbound_views.inbox, name="inbox"),
    path("mail/inbox/<int:pk>/", inbound_views.inbox_message, name="inbox_message"),
    path("whatsapp/webhook/", inbound_views.whatsapp_webhook, name="whatsapp_webhook"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/done/", views.activity_done, name="activity_done"),
    path("activities/<int:pk>/pending/", views.activity_pending, name="activity_pending"),
    path("activities/export/", views.activity_export, name="activities_export"),
    path("reminders/", views.reminder_list, name="reminders"),
    path("reminders/export/", views.reminder_export, name="reminders_export"),
    path("reminders/<int:pk>/reschedule/", views.reminder_reschedule, name="reminder_reschedule"),
    path("reminders/<int:pk>/reassign/", views.reminder_reassign, name="reminder_reassign"),
    path("people/<int:pk>/email/", views.person_email, name="person_email"),
    path("companies/<int:pk>/email/", views.company_email, name="company_email"),
    path("people/<int:pk>/whatsapp/", views.person_whatsapp, name="person_whatsapp"),
    path("people/<int:pk>/whatsapp/send/", views.person_whatsapp_send, name="person_whatsapp_send"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/regenerate/", views.calendar_regenerate, name="calendar_regenerate"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("catalogs/", views.catalogs, name="catalogs"),
    path("catalogs/categories/new/", views.category_create, name="category_create"),
    path("catalogs/categories/<int:pk>/edit/", views.category_edit, name="category_edit"),
    path("catalogs/categories/<int:pk>/delete/", views.category_delete, name="category_delete"),
]
