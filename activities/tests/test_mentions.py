"""@username in notes, activities and comments: a notification for the people named who may
see the record; anyone else is refused with a message, and the typing box suggests only
those who may see it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from activities.mentions import mentioned
from activities.models import Activity, Notification
from opportunities.models import OpportunityEvent
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def note(client, person, text: str):
    return client.post(
        reverse("activities:activity_create"),
        {
            "person": person.pk,
            "kind": "note",
            "subject": "Visita",
            "detail": text,
            "done": "on",
            "next": person.get_absolute_url(),
        },
    )


def test_a_mention_notifies_a_colleague_who_may_see_the_record(alice_client, manager_client, alice, manager):
    person = PersonFactory(owner=alice)
    assert note(alice_client, person, "Llamar mañana, @manager revisa el precio. @nadie").status_code == 302
    notification = Notification.objects.get(user=manager)
    assert notification.kind == Notification.Kind.MENTION
    assert notification.text == f"{alice} mentioned you on {person}"
    assert notification.detail.startswith("Llamar mañana, @manager")
    assert notification.url == person.get_absolute_url()
    # A notification, not a task: nothing new on anybody's reminders.
    assert not Activity.objects.filter(done_at=None).exists()
    page = manager_client.get(reverse("activities:notifications")).content.decode()
    assert f"{alice} mentioned you on {person}" in page


def test_a_mention_of_someone_who_may_not_see_the_record_is_refused(alice_client, alice, bob):
    person = PersonFactory(owner=alice)
    response = note(alice_client, person, "¿@bob lo conoce?")
    assert response.status_code == 200
    page = response.content.decode()
    assert "@bob may not see this record: mention someone who may." in page
    assert "¿@bob lo conoce?" in page  # what was typed is kept
    assert not Activity.objects.filter(person=person).exists()
    assert not Notification.objects.exists()


def test_an_opportunity_comment_notifies_the_mentioned_and_the_followers(alice, bob, manager, alice_client):
    board = PipelineFactory(members=[alice, bob])
    card = OpportunityFactory(pipeline=board, agent=alice)
    card.members.add(bob)
    response = alice_client.post(
        reverse("opportunities:comment", args=[card.pk]), {"comment": "@manager ¿aprobamos el descuento?"}
    )
    assert response.status_code == 302
    mention = Notification.objects.get(user=manager)
    assert (mention.kind, mention.url) == (Notification.Kind.MENTION, card.get_absolute_url())
    follower = Notification.objects.get(user=bob)
    assert follower.kind == Notification.Kind.CARD
    assert follower.text == f"{alice} commented on {card}"
    assert not Notification.objects.filter(user=alice).exists()  # not told of their own comment


def test_a_refused_comment_keeps_the_text_next_to_the_field(alice, bob, alice_client):
    card = OpportunityFactory(pipeline=PipelineFactory(members=[alice]), agent=alice)
    response = alice_client.post(
        reverse("opportunities:comment", args=[card.pk]), {"comment": "Mire esto @bob"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="comment-error"' in page
    assert "@bob may not see this record" in page
    assert ">Mire esto @bob</textarea>" in page
    assert not OpportunityEvent.objects.filter(opportunity=card, kind=OpportunityEvent.Kind.COMMENT).exists()


def test_suggestions_list_only_who_may_see_the_record(
    alice, bob, manager, admin_user, alice_client, bob_client
):
    person = PersonFactory(owner=alice)
    url = reverse("activities:mention_suggestions")
    names = [u["username"] for u in alice_client.get(url, {"person": person.pk, "q": ""}).json()]
    assert "manager" in names
    assert admin_user.username in names
    assert "bob" not in names
    assert "alice" not in names
    assert [u["username"] for u in alice_client.get(url, {"person": person.pk, "q": "man"}).json()] == [
        "manager"
    ]
    # Another agent's record is not theirs to ask about.
    assert bob_client.get(url, {"person": person.pk}).status_code == 404
    assert alice_client.get(url, {"person": "x" * 40}).json() == []


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
