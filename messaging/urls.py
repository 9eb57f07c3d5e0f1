from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("mail/mailbox/", views.mailbox_edit, name="mailbox"),
    path("mail/mailbox/team/", views.mailbox_edit, {"team": True}, name="team_mailbox"),
    path("mail/inbox/", views.inbox, name="inbox"),
    path("mail/inbox/<int:pk>/", views.inbox_message, name="inbox_message"),
    path("mail/outbox/<int:pk>/reply/", views.outbox_reply, name="outbox_reply"),
    path("whatsapp/webhook/", views.whatsapp_webhook, name="whatsapp_webhook"),
]
