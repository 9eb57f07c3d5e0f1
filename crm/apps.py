from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("CRM")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        import crm.exports_sources  # noqa: F401  (registers this app's exportable lists)
        from crm.middleware import session_started

        # Signing in starts the idle-session clock.
        user_logged_in.connect(session_started, dispatch_uid="crm.session_started")
