"""A campaign's members as a spreadsheet."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from campaigns.filters import MemberFilter
from campaigns.models import CampaignMember
from crm import access
from crm.exports import Column, ExportSource, register


def _columns() -> list[Column]:
    return [
        Column(_("Campaign"), "campaign__name"),
        Column(_("First name"), "person__first_name"),
        Column(_("Last name"), "person__last_name"),
        Column(_("Email"), "person__email"),
        Column(_("Phone"), "person__phone"),
        Column(_("Mobile"), "person__mobile"),
        Column(_("City"), "person__city"),
        Column(_("Status"), "status", dict(CampaignMember.Status.choices)),
        Column(_("Agent"), "agent__name"),
        Column(_("Added"), "created_at"),
    ]


def _members(user, params):
    campaign = access.campaigns(user).filter(pk=params.get("campaign") or 0).first()
    if campaign is None:
        return CampaignMember.objects.none()
    members = access.campaign_members(user).filter(campaign=campaign)
    return MemberFilter(params, queryset=members, user=user).qs


register(
    ExportSource("campaign_members", _("Campaign members"), "campaigns.export_campaign", _columns, _members)
)
