"""State changes of campaigns and their members. A member's status change is
recorded on the person's history and moves the person's stage forward."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities import notifications
from campaigns.models import Campaign, CampaignMember
from crm.models import User
from crm.validation import full_clean
from crm.versioning import check_version
from people.models import Person, PersonEvent
from people.services import people_record, person_set_stage

CAMPAIGN_FIELDS = (
    "name",
    "product",
    "product_name",
    "price",
    "currency",
    "starts_on",
    "ends_on",
    "owner",
    "description",
)
# Member status -> the person stage it brings (never moving a person back).
STAGE_FOR_STATUS = {
    CampaignMember.Status.INTERESTED: Person.Stage.INTERESTED,
    CampaignMember.Status.CONVERTED: Person.Stage.CLIENT,
}
STAGE_ORDER = list(Person.Stage.values)


@transaction.atomic
def campaign_create(*, by: User, **fields: Any) -> Campaign:
    campaign = Campaign(**fields)
    full_clean(campaign)
    campaign.save()
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, by: User, version: str | None = None, **fields: Any) -> Campaign:
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    check_version(locked, version)
    for name, value in fields.items():
        if name not in CAMPAIGN_FIELDS:
            raise ValueError(f"{name} is not editable")
        setattr(locked, name, value)
    full_clean(locked)
    locked.save()
    return locked


def _events(person_ids, by: User, text: str, old: str = "") -> None:
    """The campaign's part of people's timelines, through people's own service."""
    people_record(ids=person_ids, kind=PersonEvent.Kind.CAMPAIGN, by=by, old=old, new=text)


@transaction.atomic
def member_add(*, campaign: Campaign, person: Person, by: User, agent: User | None = None) -> CampaignMember:
    try:
        with transaction.atomic():
            member = CampaignMember.objects.create(
                campaign=campaign, person=person, agent=agent or person.owner
            )
    except IntegrityError:
        raise ValidationError(_("%(name)s is already in this campaign.") % {"name": person}) from None
    _events([person.pk], by, _("Added to %(campaign)s") % {"campaign": campaign})
    return member


@transaction.atomic
def members_add(*, campaign: Campaign, people: QuerySet[Person], by: User, agent: User | None = None) -> int:
    """Add every person of ``people`` not in the campaign yet; returns how many."""
    already = set(campaign.members.values_list("person_id", flat=True))
    added = 0
    batch: list[tuple[int, int]] = []

    def flush() -> int:
        members = [
            CampaignMember(campaign=campaign, person_id=pk, agent_id=agent.pk if agent else owner)
            for pk, owner in batch
        ]
        created = CampaignMember.objects.bulk_create(members, ignore_conflicts=True, batch_size=2000)
        text = _("Added to %(campaign)s") % {"campaign": campaign}
        _events([pk for pk, _owner in batch], by, text)
        batch.clear()
        return len(created)

    for pk, owner in people.values_list("pk", "owner_id").iterator(chunk_size=2000):
        if pk in already:
            continue
        batch.append((pk, owner))
        if len(batch) >= 2000:
            added += flush()
    if batch:
        added += flush()
    return added


@transaction.atomic
def members_remove_unworked(*, ids: list[int], by: User) -> int:
    """Take back members added by mistake (a bulk action's undo): those worked since
    (an activity in their campaign) stay. Returns how many left."""
    from activities.models import Activity

    members = CampaignMember.objects.filter(pk__in=ids).select_related("campaign")
    worked = Activity.objects.filter(campaign_id=OuterRef("campaign_id"), person_id=OuterRef("person_id"))
    leaving = list(members.exclude(Exists(worked)))
    for campaign, group in groupby(sorted(leaving, key=lambda m: m.campaign_id), key=lambda m: m.campaign):
        text = _("Removed from %(campaign)s") % {"campaign": campaign}
        _events([m.person_id for m in group], by, text)
    CampaignMember.objects.filter(pk__in=[m.pk for m in leaving]).delete()
    return len(leaving)


@transaction.atomic
def member_remove(*, member: CampaignMember, by: User) -> None:
    _events([member.person_id], by, _("Removed from %(campaign)s") % {"campaign": member.campaign})
    member.delete()


@transaction.atomic
def member_set_status(*, member: CampaignMember, by: User, status: str) -> CampaignMember:
    if status not in CampaignMember.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    locked = CampaignMember.objects.select_for_update().select_related("campaign", "person").get(pk=member.pk)
    if locked.status == status:
        return locked
    old = locked.get_status_display()
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    _events(
        [locked.person_id],
        by,
        f"{locked.campaign}: {locked.get_status_display()}",
        old=f"{locked.campaign}: {old}",
    )
    stage = STAGE_FOR_STATUS.get(status)
    person = locked.person
    if stage and STAGE_ORDER.index(stage) > STAGE_ORDER.index(person.stage):
        person_set_stage(person=person, by=by, stage=stage)
    return locked


@transaction.atomic
def members_assign(*, members: Iterable[CampaignMember], agent: User, by: User) -> int:
    if not agent.is_active:
        raise ValidationError(_("Choose an active user."))
    ids = [m.pk for m in members]
    changed = list(
        CampaignMember.objects.filter(pk__in=ids).exclude(agent=agent).values_list("pk", flat=True)
    )
    count = CampaignMember.objects.filter(pk__in=ids).update(agent=agent)
    campaign = next((m.campaign for m in members), None) if changed else None
    if campaign is not None:
        notifications.notify(
            [agent],
            kind=notifications.Kind.GIVEN,
            actor=by,
            text=lambda: (
                ngettext(
                    "%(name)s assigned you %(count)s member of %(campaign)s",
                    "%(name)s assigned you %(count)s members of %(campaign)s",
                    len(changed),
                )
                % {"name": by, "count": len(changed), "campaign": campaign}
            ),
            url=campaign.get_absolute_url(),
        )
    return count
