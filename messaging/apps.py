from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messages")

    def ready(self) -> None:
        from crm.signals import worker_starting
        from messaging import tasks

        # The task worker starts checking the mailboxes when it starts.
        worker_starting.connect(tasks.plan_polling, dispatch_uid="messaging.plan_polling")
