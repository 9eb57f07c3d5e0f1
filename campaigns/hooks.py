"""What campaigns add to other modules' work."""

from __future__ import annotations

from django.dispatch import receiver

from campaigns.services import members_add
from crm import access
from people.models import Person
from people.signals import imported as people_imported


@receiver(people_imported, dispatch_uid="campaigns.add_imported_people")
def add_imported_people(sender, *, user, options: dict, rows, **kwargs) -> None:
    """An import started from a campaign adds its people to that campaign (members_add:
    the people not in it yet, each with a line on their timeline)."""
    campaign_id = options.get("campaign")
    if not campaign_id or not rows:
        return
    campaign = access.changeable(user, access.campaigns(user)).filter(pk=campaign_id).first()
    if campaign is None:
        return
    members_add(campaign=campaign, people=Person.objects.filter(pk__in=[r.record_id for r in rows]), by=user)
