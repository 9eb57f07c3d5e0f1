"""Reminders as an iCalendar (RFC 5545) feed for Google Calendar, Outlook..."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urljoin

import icalendar
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import access
from crm.models import User

# How far back overdue reminders stay in the feed, and how many at most.
PAST_DAYS = 90
MAX_EVENTS = 2000


def reminders_feed(*, user: User, base_url: str) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//CRM//Reminders//ES")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("CRM reminders: %(name)s") % {"name": user})
    now = timezone.now()
    reminders = (
        access.my_reminders(user)
        .filter(due_at__gte=now - timedelta(days=PAST_DAYS))
        .select_related("person", "company")
        .order_by("due_at", "id")[:MAX_EVENTS]
    )
    for reminder in reminders:
        event = icalendar.Event()
        event.add("uid", f"activity-{reminder.pk}@crm")
        event.add("dtstamp", reminder.updated_at)
        event.add("dtstart", reminder.due_at)
        event.add("dtend", reminder.due_at + timedelta(minutes=reminder.duration))
        event.add("summary", f"{reminder.get_kind_display()}: {reminder.subject}")
        related = reminder.person or reminder.company
        description = [str(related)] if related else []
        if reminder.detail:
            description.append(reminder.detail)
        event.add("description", "\n".join(description))
        if related is not None:
            event.add("url", urljoin(base_url, related.get_absolute_url()))
        event.add("last-modified", reminder.updated_at)
        calendar.add_component(event)
    return calendar.to_ical()
