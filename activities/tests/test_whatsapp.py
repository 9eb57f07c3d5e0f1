"""WhatsApp: a person's numbers open a chat (wa.me) and the CRM records it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from activities.models import Activity
from campaigns.tests.factories import CampaignFactory, CampaignMemberFactory
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rosa(alice):
    return PersonFactory(owner=alice, first_name="Rosa", last_name="Pérez", mobile="+51987654321", phone="")


def test_opening_a_chat_records_it_on_the_timeline(alice_client, alice, rosa):
    alice.whatsapp_template = "Hola {first_name}, soy {agent} de Andes. {unknown}"
    alice.save()
    url = reverse("activities:person_whatsapp", args=[rosa.pk])
    page = alice_client.get(url)
    assert page.context["form"]["message"].value() == "Hola Rosa, soy Alice Agent de Andes. {unknown}"
    assert "987 654 321" in page.content.decode()  # a Peruvian number, for a Peruvian team

    response = alice_client.post(url, {"number": "+51987654321", "message": "Hola Rosa, ¿y la propuesta?"})
    target = urlsplit(response["Location"])
    assert (target.netloc, target.path) == ("wa.me", "/51987654321")
    assert parse_qs(target.query) == {"text": ["Hola Rosa, ¿y la propuesta?"]}
    activity = Activity.objects.get()
    assert activity.kind == Activity.Kind.WHATSAPP
    assert (activity.person, activity.owner, activity.detail) == (rosa, alice, "Hola Rosa, ¿y la propuesta?")
    assert activity.done_at is not None
    timeline = alice_client.get(rosa.get_absolute_url()).content.decode()
    assert "WhatsApp to +51 987 654 321" in timeline
    assert "bi-whatsapp" in timeline


def test_the_template_is_kept_when_asked_and_the_message_is_optional(alice_client, alice, rosa):
    url = reverse("activities:person_whatsapp", args=[rosa.pk])
    response = alice_client.post(
        url, {"number": "+51987654321", "message": "Buenos días {first_name}", "remember": "on"}
    )
    assert response["Location"] == "https://wa.me/51987654321?text=Buenos%20d%C3%ADas%20Rosa"
    alice.refresh_from_db()
    assert alice.whatsapp_template == "Buenos días {first_name}"
    assert alice_client.post(url, {"number": "+51987654321"})["Location"] == "https://wa.me/51987654321"
    assert Activity.objects.filter(kind="whatsapp").count() == 2


def test_placeholders_typed_in_the_message_are_filled_and_a_retry_records_once(alice_client, alice, rosa):
    url = reverse("activities:person_whatsapp", args=[rosa.pk])
    data = {"number": "+51987654321", "message": "Hola {first_name}, soy {agent}. {unknown}"}
    first = alice_client.post(url, data)
    again = alice_client.post(url, data)
    assert parse_qs(urlsplit(first["Location"]).query) == {"text": ["Hola Rosa, soy Alice Agent. {unknown}"]}
    assert again["Location"] == first["Location"]
    activity = Activity.objects.get(kind="whatsapp")
    assert activity.detail == "Hola Rosa, soy Alice Agent. {unknown}"


def test_from_a_script_the_answer_names_the_chat_and_the_next_page(alice_client, rosa):
    """The page's script opens the chat in a new tab and brings this one back to the person."""
    url = reverse("activities:person_whatsapp", args=[rosa.pk])
    answer = alice_client.post(
        url, {"number": "+51987654321", "message": "Hola"}, headers={"Accept": "application/json"}
    )
    assert answer.json() == {"open": "https://wa.me/51987654321?text=Hola", "next": rosa.get_absolute_url()}
    refused = alice_client.post(url, {"number": "+51911111111"}, headers={"Accept": "application/json"})
    assert refused.status_code == 400
    assert Activity.objects.filter(kind="whatsapp").count() == 1


def test_the_pages_let_forms_go_to_whatsapp(client, settings):
    """The policy lets the no-script form follow its answer to the chat (form-action)."""
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    form_action = next(part for part in policy.split(";") if part.strip().startswith("form-action"))
    assert "https://wa.me" in form_action


def test_only_the_persons_own_numbers(alice_client, rosa):
    response = alice_client.post(
        reverse("activities:person_whatsapp", args=[rosa.pk]), {"number": "+51911111111", "message": "x"}
    )
    assert response.status_code == 200
    assert "number" in response.context["form"].errors
    assert not Activity.objects.exists()
    no_phone = PersonFactory(owner=rosa.owner, phone="", mobile="")
    page = alice_client.get(reverse("activities:person_whatsapp", args=[no_phone.pk])).content.decode()
    assert "This person has no phone number." in page


def test_another_agents_person_is_not_found(bob_client, rosa):
    assert bob_client.get(reverse("activities:person_whatsapp", args=[rosa.pk])).status_code == 404
    assert (
        bob_client.post(
            reverse("activities:person_whatsapp", args=[rosa.pk]), {"number": rosa.mobile}
        ).status_code
        == 404
    )


def test_from_a_campaign_the_chat_is_part_of_it_and_reports_count_it(
    alice_client, manager_client, alice, rosa
):
    campaign = CampaignFactory(owner=alice)
    member = CampaignMemberFactory(campaign=campaign, person=rosa)
    member_page = alice_client.get(
        reverse("campaigns:member", args=[campaign.pk, member.pk])
    ).content.decode()
    link = reverse("activities:person_whatsapp", args=[rosa.pk]) + f"?campaign={campaign.pk}"
    assert link in member_page
    alice_client.post(link, {"number": rosa.mobile, "campaign": campaign.pk})
    assert Activity.objects.get().campaign == campaign
    # The kind is in the activity filters and the follow-up report.
    activities = manager_client.get(
        reverse("activities:activities"), {"kind": "whatsapp", "status": "done", "owner": ""}
    )
    assert [a.kind for a in activities.context["page"]] == ["whatsapp"]


def test_a_template_with_stray_braces_is_written_as_it_is(alice_client, alice, rosa):
    """A template the user wrote is text: "{0}", a lone "{" or "{first_name.__class__}" used
    to fail the page (str.format) or reach into Python; only known names are replaced."""
    alice.whatsapp_template = "Hola {first_name} {0} { {first_name.__class__}"
    alice.save()
    page = alice_client.get(reverse("activities:person_whatsapp", args=[rosa.pk]))
    assert page.status_code == 200
    assert page.context["form"]["message"].value() == "Hola Rosa {0} { {first_name.__class__}"
