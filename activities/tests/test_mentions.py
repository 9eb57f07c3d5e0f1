"""@username in notes and comments reminds the people named, on the same record."""

from __future__ import annotations

import pytest
from django.urls import reverse

from activities.mentions import mentioned
from activities.models import Activity
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def note(client, person, text: str):
    return client.post(
        reverse("activities:activity_create"),
        {
            "person": person.pk,
            "kind": "note",
            "subject": text,
            "done": "on",
            "next": person.get_absolute_url(),
        },
    )


def test_a_mention_reminds_a_colleague_who_may_see_the_record(
    alice_client, manager_client, alice, bob, manager
):
    person = PersonFactory(owner=alice)
    assert (
        note(alice_client, person, "Llamar mañana, @manager revisa el precio. @bob @nadie").status_code == 302
    )
    reminder = Activity.objects.get(owner=manager, done_at=None)
    assert reminder.person == person
    assert reminder.created_by == alice
    assert reminder.subject.startswith(f"{alice} mentioned you: Llamar mañana")
    # bob may not see alice's person: he is not told it exists; unknown names are ignored.
    assert not Activity.objects.filter(owner=bob).exists()
    assert Activity.objects.filter(done_at=None).count() == 1
    assert "revisa el precio" in manager_client.get(reverse("activities:reminders")).content.decode()
    assert "revisa el precio" not in alice_client.get(reverse("activities:reminders")).content.decode()


def test_an_opportunity_comment_mentions_too(alice, manager, alice_client):
    board = PipelineFactory(members=[alice])
    card = OpportunityFactory(pipeline=board, agent=alice)
    alice_client.post(
        reverse("opportunities:comment", args=[card.pk]), {"comment": "@manager ¿aprobamos el descuento?"}
    )
    reminder = Activity.objects.get(owner=manager, done_at=None)
    assert (reminder.opportunity, reminder.person) == (card, card.contact)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("@manager y @bob.", ["bob", "manager"]),
        ("escribir a ana@example.pe", []),
        ("yo mismo @alice", []),
        ("@@manager", []),
        ("(@manager)", ["manager"]),
    ],
)
def test_what_counts_as_a_mention(alice, bob, manager, text, names):
    assert [u.username for u in mentioned(text, alice)] == names
