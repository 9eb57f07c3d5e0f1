"""Web-to-lead: a submission of a lead form creates or updates a prospect.

The public form answers the same whatever happened (new person, existing
email, spam caught by the honeypot, rate limit aside), so it never tells a
visitor whether an email is already in the CRM, and it can neither read nor
change anything but the prospect it describes."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities import notifications
from activities import services as activity_services
from campaigns.models import LeadForm, LeadSubmission
from campaigns.services import members_add
from companies import services as company_services
from crm import access, consent
from crm.countries import normalize_phone
from people.forms import clean_spaces
from people.models import Person, PersonEvent
from people.services import people_record, people_tag, person_create, person_update

HONEYPOT = "website"


class PublicLeadForm(forms.Form):
    """What a visitor fills in; optional fields appear as the lead form says."""

    first_name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=100, required=False)
    email = forms.EmailField(label=gettext_lazy("Email"), max_length=254)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=30, required=False)
    company = forms.CharField(label=gettext_lazy("Company"), max_length=200, required=False)
    city = forms.CharField(label=gettext_lazy("City"), max_length=100, required=False)
    message = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Hidden from people; bots fill it in.
    website = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, lead_form: LeadForm, **kwargs):
        super().__init__(*args, **kwargs)
        for name, _label in LeadForm.OPTIONAL_FIELDS:
            if name not in lead_form.fields:
                del self.fields[name]
        if lead_form.consent_text:
            self.fields["consent"] = forms.BooleanField(
                label=lead_form.consent_text,
                required=True,
                error_messages={"required": gettext_lazy("Tick the box to send the form.")},
            )

    def clean_first_name(self) -> str:
        return clean_spaces(self.cleaned_data["first_name"])

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self) -> str:
        # Without a country code, a number is the team's country's (the middleware's viewer).
        return normalize_phone(self.cleaned_data.get("phone", ""))


def too_many(ip: str | None) -> bool:
    """More submissions from this address in the last hour than allowed."""
    if not ip:
        return False
    since = timezone.now() - datetime.timedelta(hours=1)
    return (
        LeadSubmission.objects.filter(ip=ip, created_at__gte=since).count()
        >= settings.LEAD_FORM_RATE_PER_HOUR
    )


def _next_owner(lead_form: LeadForm):
    """Round robin among the form's agents, else its default owner."""
    locked = LeadForm.objects.select_for_update().get(pk=lead_form.pk)
    agents = list(locked.owners.filter(is_active=True).order_by("pk"))
    if not agents:
        return locked.default_owner
    owner = agents[locked.next_turn % len(agents)]
    LeadForm.objects.filter(pk=locked.pk).update(next_turn=locked.next_turn + 1)
    return owner


def _place_in_company(person: Person, answer: str) -> None:
    """The "Company" answer: a company of the person's owner named so (any case) or with that
    tax id, else a new one of theirs; the person takes a position in it."""
    owner = person.owner
    answer = " ".join(answer.split())
    by_tax_id = (
        access.companies(owner).filter(tax_id=answer.replace(" ", "")).values_list("name", flat=True).first()
    )
    company_services.people_place(
        placements=[(person.pk, by_tax_id or answer, person.country, "", "")], user=owner, owner=owner
    )


@transaction.atomic
def lead_submit(*, lead_form: LeadForm, data: dict, ip: str | None) -> Person | None:
    if data.get(HONEYPOT):
        LeadSubmission.objects.create(form=lead_form, ip=ip, accepted=False)
        return None
    existing = (
        Person.objects.filter(discarded_at=None, email__iexact=data["email"]).select_related("owner").first()
    )
    if existing is None:
        discarded = Person.objects.filter(email__iexact=data["email"]).exclude(discarded_at=None).first()
        if discarded is not None:
            # Not a second person: the discarded one is offered back to the admins (restore),
            # and nothing of theirs changes while discarded.
            people_record(
                ids=[discarded.pk],
                kind=PersonEvent.Kind.WROTE_AGAIN,
                by=lead_form.default_owner,
                new=_("Web form: %(form)s") % {"form": lead_form},
            )
            LeadSubmission.objects.create(form=lead_form, ip=ip, person=discarded)
            return discarded
    if existing is not None:
        # What the visitor gave that the CRM lacked fills the blanks (never overwrites).
        blanks = {
            name: data[name]
            for name in ("last_name", "phone", "city")
            if data.get(name) and not getattr(existing, name)
        }
        person = person_update(person=existing, by=lead_form.default_owner, **blanks) if blanks else existing
    else:
        person = person_create(
            by=lead_form.default_owner,
            first_name=data["first_name"],
            last_name=data.get("last_name", ""),
            email=data["email"],
            phone=data.get("phone", ""),
            city=data.get("city", ""),
            source=Person.Source.WEB_FORM,
            owner=_next_owner(lead_form),
            notes=data.get("message", ""),
        )
    for tag in lead_form.tags.all():
        people_tag(ids=[person.pk], tag=tag, by=lead_form.default_owner)
    if lead_form.campaign_id:
        members_add(
            campaign=lead_form.campaign,
            people=Person.objects.filter(pk=person.pk),
            by=lead_form.default_owner,
        )
    people_record(
        ids=[person.pk],
        kind=PersonEvent.Kind.CAMPAIGN,
        by=lead_form.default_owner,
        new=_("Web form: %(form)s") % {"form": lead_form},
    )
    if data.get("company"):
        _place_in_company(person, data["company"])
    detail = "\n".join(filter(None, [data.get("company", ""), data.get("message", "")]))
    activity_services.activity_log(
        by=lead_form.default_owner,
        owner=person.owner,
        kind="task",
        subject=_("New web lead: %(name)s") % {"name": person},
        detail=detail,
        person=person,
        campaign=lead_form.campaign,
        done=False,
        due_at=timezone.now(),
    )
    consent_text = ""
    if lead_form.consent_text and data.get("consent"):
        consent_text = lead_form.consent_text
        purposes = [consent.Purpose.SALES] + (
            [consent.Purpose.MARKETING] if lead_form.consent_marketing else []
        )
        consent.record(
            people=[person.pk],
            channels=consent.CONTACT_CHANNELS,
            purposes=purposes,
            given=True,
            source=consent.Source.WEB_FORM,
            text=f"{lead_form}: {consent_text}",
        )
    LeadSubmission.objects.create(form=lead_form, ip=ip, person=person, consent_text=consent_text)
    notifications.notify(
        [person.owner_id],
        kind=notifications.Kind.LEAD,
        text=lambda: _("New lead from %(form)s: %(name)s") % {"form": lead_form, "name": person},
        detail=data.get("message", ""),
        url=person.get_absolute_url(),
    )
    return person
