from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        import activities.exports_sources  # noqa: F401  (registers the activities' exportable lists)
        from activities import services, tasks
        from crm import notes
        from crm.signals import worker_starting

        # The notes the core writes (attachments, merges) go on the activities' timelines.
        notes.register(services.note_add)

        # The task worker plans the morning digest and the mailbox checks when it starts.
        worker_starting.connect(tasks.plan_digest, dispatch_uid="activities.plan_digest")
        worker_starting.connect(tasks.plan_polling, dispatch_uid="activities.plan_polling")
