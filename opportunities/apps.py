from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpportunitiesConfig(AppConfig):
    name = "opportunities"
    verbose_name = _("Opportunities")

    def ready(self) -> None:
        import opportunities.exports  # noqa: F401  (registers the exports)
        from activities import intake
        from opportunities import selectors

        # A message a person writes also goes on their open card.
        intake.register_context("opportunity", selectors.open_card_of)
