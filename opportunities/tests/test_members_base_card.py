"""Card members follow a card besides its agent (they see it and get its
reminders); a board's base card gives every new card its description, tags
and members (seed 002 "Membros", "Cartões Base")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.context_processors import counts_for
from activities.tasks import digest_for
from crm.tests.factories import ActivityFactory, UserFactory
from crm.tests.helpers import form_data
from opportunities import services
from opportunities.models import BaseCard, Opportunity, OpportunityEvent
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.tests.factories import PersonFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(alice, bob):
    return PipelineFactory(members=[alice, bob])


@pytest.fixture
def card(board, alice):
    return OpportunityFactory(pipeline=board, agent=alice, subject="Fibra para Andes")


def _edit(client, card, **changes):
    url = reverse("opportunities:edit", args=[card.pk])
    data = form_data(client.get(url).context["form"])
    data.update(changes)
    return client.post(url, data)


def _reminder(card, owner, hours=-1, subject="Llamar para cerrar"):
    return ActivityFactory(
        person=card.contact,
        opportunity=card,
        owner=owner,
        subject=subject,
        due_at=timezone.now() + timedelta(hours=hours),
        done_at=None,
    )


# Members ------------------------------------------------------------------------


def test_a_member_sees_the_card_on_the_board_and_its_page(alice_client, bob_client, bob, card):
    assert bob_client.get(card.get_absolute_url()).status_code == 404
    assert "Fibra para Andes" not in bob_client.get(card.pipeline.get_absolute_url()).content.decode()

    assert _edit(alice_client, card, members=[bob.pk]).status_code == 302
    assert list(card.members.all()) == [bob]
    assert OpportunityEvent.objects.filter(opportunity=card, kind="edited", new_value="members").exists()
    assert bob_client.get(card.get_absolute_url()).status_code == 200
    assert "Fibra para Andes" in bob_client.get(card.pipeline.get_absolute_url()).content.decode()
    # The board filter finds the cards someone follows.
    followed = bob_client.get(card.pipeline.get_absolute_url(), {"members": bob.pk}).content.decode()
    assert "Fibra para Andes" in followed

    _edit(alice_client, card, members=[])
    assert bob_client.get(card.get_absolute_url()).status_code == 404


def test_members_get_the_cards_reminders_and_may_work_them(bob_client, bob, alice, card):
    reminder = _reminder(card, owner=alice)
    other = _reminder(OpportunityFactory(pipeline=card.pipeline, agent=alice), owner=alice, subject="Otra")
    assert counts_for(bob) == {"overdue": 0, "today": 0, "unread": 0}
    card.members.add(bob)

    assert counts_for(bob)["overdue"] == 1
    reminders = bob_client.get(reverse("activities:reminders"))
    assert list(reminders.context["page"]) == [reminder]
    assert "Llamar para cerrar" in bob_client.get(reverse("crm:home")).content.decode()
    assert digest_for(bob, timezone.localdate()) == 1
    assert "Llamar para cerrar" in bob_client.get(card.get_absolute_url()).content.decode()
    # Not the reminders of cards they do not follow.
    assert bob_client.post(reverse("activities:activity_done", args=[other.pk])).status_code == 404

    bob_client.post(reverse("activities:activity_done", args=[reminder.pk]))
    reminder.refresh_from_db()
    assert reminder.done_at is not None
    assert counts_for(bob)["overdue"] == 0
    # The follower's list of activities stays their own.
    assert (
        reminder not in bob_client.get(reverse("activities:activities"), {"status": "done"}).context["page"]
    )


def test_only_members_of_the_board_follow_its_cards(alice_client, alice, card):
    stranger = UserFactory(username="carol", name="Carol Vidal")
    response = _edit(alice_client, card, members=[stranger.pk])
    assert response.status_code == 200
    assert "members" in response.context["form"].errors
    assert not card.members.exists()
    with pytest.raises(ValidationError) as error:
        services.opportunity_create(
            by=alice, pipeline=card.pipeline, subject="Otra", agent=alice, members=[stranger]
        )
    assert (
        "Only members of the board can follow its cards: Carol Vidal." in error.value.message_dict["members"]
    )
    assert Opportunity.objects.count() == 1


def test_managers_follow_and_stop_following_in_one_click(manager_client, manager, alice_client, card):
    _reminder(card, owner=card.agent)
    url = reverse("opportunities:follow", args=[card.pk])
    page = manager_client.post(url, follow=True).content.decode()
    assert "You follow this card." in page
    assert list(card.members.all()) == [manager]
    assert counts_for(manager)["overdue"] == 1
    manager_client.post(url, {"follow": "0"})
    assert not card.members.exists()
    assert counts_for(manager)["overdue"] == 0
    assert set(card.events.filter(kind="edited").values_list("new_value", flat=True)) == {
        "Mara Manager follows the card",
        "Mara Manager stopped following the card",
    }
    # The agent works the card already.
    page = alice_client.post(url, follow=True).content.decode()
    assert "You are this card&#x27;s agent" in page
    assert not card.members.exists()


def test_an_agent_who_stops_following_goes_back_to_the_board(bob_client, bob, card):
    card.members.add(bob)
    response = bob_client.post(reverse("opportunities:follow", args=[card.pk]), {"follow": "0"})
    assert response.url == card.pipeline.get_absolute_url()
    assert bob_client.get(card.get_absolute_url()).status_code == 404


# Base card ----------------------------------------------------------------------


def test_admins_set_the_base_card_and_new_cards_start_with_it(admin_client, alice_client, alice, bob, board):
    tag = TagFactory(name="Fibra")
    response = admin_client.post(
        reverse("opportunities:base_card", args=[board.pk]),
        {
            "description": "Pedir plano de la sede.\nConfirmar ancho de banda.",
            "tags": [tag.pk],
            "members": [bob.pk],
        },
    )
    assert response.url == reverse("opportunities:board_settings", args=[board.pk])
    base = BaseCard.objects.get(pipeline=board)
    settings_page = admin_client.get(response.url).content.decode()
    assert "Pedir plano de la sede." in settings_page
    assert "Bob Agent" in settings_page
    assert admin_client.get(reverse("crm:history", args=["basecard", base.pk])).status_code == 200

    # The card form starts from the base card...
    form = alice_client.get(reverse("opportunities:create"), {"pipeline": board.pk}).context["form"]
    assert form.initial["observations"].startswith("Pedir plano")
    assert form.initial["tags"] == [tag]
    assert form.initial["members"] == [bob]
    # ... and the card gets what the user left of it.
    contact = PersonFactory(owner=alice)
    data = {
        "pipeline": board.pk,
        "subject": "Sede central",
        "contact": contact.pk,
        "type": "new_sale",
        "agent": alice.pk,
        "currency": "PEN",
        "observations": "Solo confirmar ancho de banda.",
        "tags": [tag.pk],
    }
    alice_client.post(reverse("opportunities:create"), data)
    created = Opportunity.objects.get(subject="Sede central")
    assert created.observations == "Solo confirmar ancho de banda."
    assert list(created.tags.all()) == [tag]
    assert not created.members.exists()

    # Cards made elsewhere (a prospect closed onto the board) get it whole; the agent is not their own member.
    other = services.opportunity_create(
        by=bob, pipeline=board, subject="Desde el prospecto", contact=PersonFactory(owner=bob), agent=bob
    )
    assert other.observations.startswith("Pedir plano")
    assert list(other.tags.all()) == [tag]
    assert not other.members.exists()
    third = services.opportunity_create(
        by=alice, pipeline=board, subject="Tercera", agent=alice, contact=PersonFactory(owner=alice)
    )
    assert list(third.members.all()) == [bob]


def test_the_base_card_takes_only_members_of_the_board(admin_client, board):
    stranger = UserFactory(username="carol")
    response = admin_client.post(
        reverse("opportunities:base_card", args=[board.pk]), {"description": "x", "members": [stranger.pk]}
    )
    assert response.status_code == 200
    assert "members" in response.context["form"].errors
    assert not BaseCard.objects.exists()


def test_only_administrators_edit_base_cards(alice_client, manager_client, admin_client, board):
    url = reverse("opportunities:base_card", args=[board.pk])
    assert alice_client.get(url).status_code == 403
    assert manager_client.post(url, {"description": "x"}).status_code == 403
    assert not BaseCard.objects.exists()
    admin_client.post(url, {"description": "x"})
    base = BaseCard.objects.get()
    assert manager_client.get(reverse("crm:history", args=["basecard", base.pk])).status_code == 404


def test_base_card_pages_have_a_fixed_number_of_queries(admin_client, board, django_assert_max_num_queries):
    services.base_card_save(
        pipeline=board,
        by=board.members.first(),
        description="x",
        tags=[TagFactory() for _ in range(5)],
        members=list(board.members.all()),
    )
    with django_assert_max_num_queries(12):
        assert admin_client.get(reverse("opportunities:board_settings", args=[board.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert admin_client.get(reverse("opportunities:base_card", args=[board.pk])).status_code == 200


def test_a_card_page_with_members_has_a_fixed_number_of_queries(alice_client, card):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert alice_client.get(card.get_absolute_url()).status_code == 200
        return len(context)

    card.members.set([UserFactory(role="manager")])
    one = queries()
    card.members.set([UserFactory(role="manager") for _ in range(8)])
    assert queries() == one
