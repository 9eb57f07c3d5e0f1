"""The activities' and reminders' lists in the bulk engine: select, give to a colleague."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from activities import services
from crm import access
from crm.bulk import ListKind, reassign_action, register

for _slug, _label, _scope, _filters, _url in (
    (
        "activities",
        gettext_lazy("activities"),
        access.activities,
        "activities.filters.ActivityFilter",
        "activities:activities",
    ),
    (
        "reminders",
        gettext_lazy("reminders"),
        access.reminders,
        "activities.filters.ReminderFilter",
        "activities:reminders",
    ),
):
    register(
        ListKind(
            _slug,
            _label,
            "activities.Activity",
            _scope,
            _filters,
            _url,
            [reassign_action(services.activities_reassign)],
        )
    )
