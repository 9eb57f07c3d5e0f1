"""What campaigns add to other modules' work."""

from __future__ import annotations

from django.utils.translation import gettext as _

from campaigns.models import CampaignMember
from crm import access
from people.models import Person, PersonEvent


def add_imported_people(options: dict, user, rows) -> None:
    """An import started from a campaign adds its people to that campaign."""
    campaign_id = options.get("campaign")
    if not campaign_id or not rows:
        return
    campaign = access.campaigns(user).filter(pk=campaign_id).first()
    if campaign is None:
        return
    already = set(
        campaign.members.filter(person_id__in=[r.record_id for r in rows]).values_list("person_id", flat=True)
    )
    fresh = [r.record_id for r in rows if r.record_id not in already]
    owners = dict(Person.objects.filter(pk__in=fresh).values_list("pk", "owner_id"))
    CampaignMember.objects.bulk_create(
        [CampaignMember(campaign=campaign, person_id=pk, agent_id=owners[pk]) for pk in fresh],
        ignore_conflicts=True,
    )
    text = _("Added to %(campaign)s") % {"campaign": campaign}
    PersonEvent.objects.bulk_create(
        [
            PersonEvent(person_id=pk, kind=PersonEvent.Kind.CAMPAIGN, by=user, new_value=text[:300])
            for pk in fresh
        ]
    )
