from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompaniesConfig(AppConfig):
    name = "companies"
    verbose_name = _("Companies")

    def ready(self) -> None:
        # Register this app's exportable lists.
        import companies.exports
        import companies.importing  # noqa: F401  (registers the companies import)
        from activities import intake
        from companies import selectors

        # A message a person writes also goes on their company's timeline.
        intake.register_context("company", selectors.company_of)
