from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationsConfig(AppConfig):
    name = "automations"
    verbose_name = _("Automations")

    def ready(self) -> None:
        from automations import engine, tasks
        from crm.signals import worker_starting

        engine.connect()
        # The worker checks the time-based triggers (idle cards) every AUTOMATION_CHECK_SECONDS.
        worker_starting.connect(tasks.plan_checks, dispatch_uid="automations.plan_checks")
