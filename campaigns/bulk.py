""" "Add to campaign" on the People list (crm.bulk): campaigns add the action to
people's list, which knows nothing of campaigns."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from campaigns import services
from campaigns.models import CampaignMember
from crm import bulk
from people import bulk as people_bulk  # noqa: F401  (the People list, registered first)
from people.models import Person


def _add_to_campaign(*, user, pks, value):
    before = set(CampaignMember.objects.filter(campaign=value).values_list("pk", flat=True))
    changed = services.members_add(campaign=value, people=Person.objects.filter(pk__in=pks), by=user)
    created = CampaignMember.objects.filter(campaign=value).exclude(pk__in=before)
    return changed, {"campaign": value.pk, "members": list(created.values_list("pk", flat=True))}


def _add_to_campaign_undo(*, user, data, kind):
    return services.members_remove_unworked(ids=data["members"], by=user)


bulk.add_action(
    "people",
    bulk.Action(
        "add_to_campaign",
        gettext_lazy("Add to campaign"),
        _add_to_campaign,
        _add_to_campaign_undo,
        "campaign",
    ),
    after="remove_tag",
)
