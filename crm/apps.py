from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("CRM")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate
        from django.utils.module_loading import autodiscover_modules

        from crm.history import install_fast_functions
        from crm.middleware import session_started

        # Signing in starts the idle-session clock.
        user_logged_in.connect(session_started, dispatch_uid="crm.session_started")
        # Each app's part of the global search, merges, bulk actions and imports (its search.py,
        # merge.py, bulk.py and importing.py), as the admin site finds each app's admin.py.
        autodiscover_modules("search", "merge", "bulk", "importing", "personal_data")
        # The worker erases, once a day, the discarded people past the retention period.
        from crm import tasks
        from crm.signals import worker_starting

        worker_starting.connect(tasks.plan_retention, dispatch_uid="crm.plan_retention")
        # and, every few minutes, deletes the cache's expired rows (a write never counts them).
        worker_starting.connect(tasks.plan_cache_cull, dispatch_uid="crm.plan_cache_cull")
        # After every migrate: trigger helpers without a subtransaction per row.
        post_migrate.connect(install_fast_functions, sender=self, dispatch_uid="crm.install_fast_functions")
