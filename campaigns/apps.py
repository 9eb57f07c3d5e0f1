from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        import campaigns.exports  # noqa: F401  (registers the members export)
        from campaigns.hooks import add_imported_people
        from people.importing import AFTER_PEOPLE_WRITTEN

        if add_imported_people not in AFTER_PEOPLE_WRITTEN:
            AFTER_PEOPLE_WRITTEN.append(add_imported_people)
