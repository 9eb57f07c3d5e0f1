from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceOrdersConfig(AppConfig):
    name = "serviceorders"
    verbose_name = _("Service orders")

    def ready(self) -> None:
        import serviceorders.agenda
        import serviceorders.exports  # noqa: F401  (registers the export)

    @staticmethod
    def make_order(**fields):
        """A won opportunity becomes its client's service order ("converted to client
        service"): opportunities call this through the app registry."""
        from serviceorders.services import order_create

        return order_create(**fields)
