"""The core's exportable lists: activities and reminders."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from activities.filters import ActivityFilter, ReminderFilter
from activities.models import Activity
from crm import access
from crm.exports import Column, ExportSource, register


def _columns() -> list[Column]:
    return [
        Column(_("Created"), "created_at"),
        Column(_("Due"), "due_at"),
        Column(_("Done"), "done_at"),
        Column(_("Kind"), "kind", dict(Activity.Kind.choices)),
        Column(_("Category"), "category__name"),
        Column(_("Subject"), "subject"),
        Column(_("Detail"), "detail"),
        Column(_("First name"), "person__first_name"),
        Column(_("Last name"), "person__last_name"),
        Column(_("Company"), "company__name"),
        Column(_("User"), "owner__name"),
    ]


register(
    ExportSource(
        name="activities",
        title=_("Activities"),
        permission="activities.export_activity",
        columns=_columns,
        queryset=lambda user, params: ActivityFilter(params, queryset=access.activities(user), user=user).qs,
    )
)
register(
    ExportSource(
        name="reminders",
        title=_("Reminders"),
        permission="activities.export_activity",
        columns=_columns,
        queryset=lambda user, params: ReminderFilter(
            params, queryset=access.reminders(user, followed=True), user=user
        ).qs.order_by("due_at", "id"),
    )
)
