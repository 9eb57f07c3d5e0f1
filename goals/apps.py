from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = _("Goals")

    def ready(self) -> None:
        from crm import home
        from goals import views

        # Each agent's goals of the month and the quarter, on their home page.
        home.register(home.Section("goals/_home.html", views.home_goals, order=20))
