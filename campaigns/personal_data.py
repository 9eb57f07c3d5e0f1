"""What the CRM holds about a person in Campaigns: their memberships, the campaign emails they
were sent, and the web forms they filled in with their address (crm.personal_data)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from campaigns.models import CampaignMember, LeadSubmission, MailingRecipient
from crm.personal_data import Holder, Identifiers, register, row


def collect(person) -> list[dict]:
    rows = [
        row(m, "campaign", "status", "agent", "created_at")
        for m in CampaignMember.objects.filter(person=person)
        .select_related("campaign", "agent")
        .order_by("pk")
    ]
    rows += [
        {str(_("campaign email")): r.mailing.subject, str(_("status")): r.get_status_display()}
        for r in MailingRecipient.objects.filter(person=person).select_related("mailing").order_by("pk")
    ]
    rows += [
        {
            str(_("web form")): str(s.form),
            str(_("address")): s.ip,
            str(_("when")): s.created_at,
            str(_("consent checkbox")): s.consent_text,
        }
        for s in LeadSubmission.objects.filter(person=person).select_related("form").order_by("pk")
    ]
    return rows


def erase(person, ids: Identifiers) -> dict[str, int]:
    # The submission stays (the form's counts); its network address was the person's.
    return {"web_form_addresses": LeadSubmission.objects.filter(person=person).update(ip=None)}


register(Holder("campaigns", _("Campaigns and web forms"), collect, erase, order=30))
