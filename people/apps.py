from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        # Register this app's exportable lists.
        import people.exports  # noqa: F401
        from activities import intake
        from people import services

        # A new sender (an email in the Inbox, a WhatsApp number) becomes a prospect here.
        intake.register_prospect(services.prospect_from_channel)
