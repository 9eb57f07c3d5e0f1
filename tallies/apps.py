from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalliesConfig(AppConfig):
    name = "tallies"
    verbose_name = _("Tallies")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, post_save

        from crm.models import TeamSettings
        from tallies import tasks, triggers

        # After every migrate: the tallies' triggers, and the tallies built if new or changed.
        post_migrate.connect(triggers.after_migrate, sender=self, dispatch_uid="tallies.triggers")
        # The team's days change with its time zone: the worker counts them again.
        post_save.connect(tasks.zone_changed, sender=TeamSettings, dispatch_uid="tallies.zone_changed")
