"""The activities' and reminders' lists in the bulk engine: select, give to a colleague."""

from __future__ import annotations

from django.utils.translation import gettext_lazy, ngettext

from activities import services
from crm import access
from crm.bulk import ListKind, reassign_action, register


def _activities(n: int) -> str:
    return ngettext("%(count)s activity", "%(count)s activities", n) % {"count": n}


def _reminders(n: int) -> str:
    return ngettext("%(count)s reminder", "%(count)s reminders", n) % {"count": n}


for _slug, _label, _scope, _filters, _url, _counted in (
    (
        "activities",
        gettext_lazy("activities"),
        access.activities,
        "activities.filters.ActivityFilter",
        "activities:activities",
        _activities,
    ),
    (
        "reminders",
        gettext_lazy("reminders"),
        access.reminders,
        "activities.filters.ReminderFilter",
        "activities:reminders",
        _reminders,
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
            counted=_counted,
        )
    )
