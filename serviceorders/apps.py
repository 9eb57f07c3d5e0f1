from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceOrdersConfig(AppConfig):
    name = "serviceorders"
    verbose_name = _("Service orders")

    def ready(self) -> None:
        import serviceorders.exports  # noqa: F401  (registers the export)
