from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        import activities.exports_sources  # noqa: F401  (registers the activities' exportable lists)
        from activities import notifications, services, tasks
        from activities.views import my_day
        from crm import home, notes
        from crm.signals import job_finished, large_export, worker_starting

        # My day shows today's agenda and the unread notifications.
        home.register(home.Section("activities/_my_day.html", my_day, order=10))

        # The notes the core writes (attachments, merges) go on the activities' timelines.
        notes.register(services.note_add)

        # The task worker plans the morning digest and the mailbox checks when it starts.
        worker_starting.connect(tasks.plan_digest, dispatch_uid="activities.plan_digest")
        worker_starting.connect(tasks.plan_polling, dispatch_uid="activities.plan_polling")
        # A user's import or export ended: their bell says so.
        job_finished.connect(notifications.job_finished, dispatch_uid="activities.job_finished")
        # Someone took many rows of personal data out: the administrators' bells say so.
        large_export.connect(notifications.large_export, dispatch_uid="activities.large_export")
