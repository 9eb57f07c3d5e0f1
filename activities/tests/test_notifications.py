"""Notifications: written by every module in the reader's language, the bell's count in the
navigation's one query, the inbox (open one, mark all), ageing out and the morning digest."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from activities import notifications
from activities.context_processors import counts_for
from activities.models import Notification
from activities.tasks import digest_for
from companies.tests.factories import CompanyFactory
from crm.signals import job_finished
from opportunities import services as card_services
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people import services as people_services
from people.tests.factories import PersonFactory
from serviceorders.tests.factories import ServiceOrderFactory

pytestmark = pytest.mark.django_db


def texts(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("text", flat=True))


def test_records_given_one_or_many(alice, bob, manager):
    one = PersonFactory(owner=alice)
    people_services.people_reassign(ids=[one.pk], to=bob, by=manager)
    many = [PersonFactory(owner=alice).pk for _ in range(3)]
    people_services.people_reassign(ids=many, to=bob, by=manager)
    assert texts(bob) == [f"{manager} gave you {one}", f"{manager} gave you 3 people"]
    given = Notification.objects.filter(user=bob).order_by("pk")
    assert [n.url for n in given] == [one.get_absolute_url(), reverse("people:list")]
    assert not Notification.objects.filter(user=alice).exists()


@pytest.mark.parametrize("readers", [2, 20])
def test_telling_many_costs_the_same_queries(alice, readers, django_assert_max_num_queries):
    from crm.tests.factories import UserFactory

    users = [UserFactory() for _ in range(readers)]
    with django_assert_max_num_queries(3):  # the readers, the team's settings, one INSERT
        notifications.notify(users, kind="given", text=lambda: "Hola")
    assert Notification.objects.count() == readers


def test_each_reader_gets_their_own_language(alice, bob, manager):
    bob.language = "es"
    bob.save()
    people_services.people_reassign(ids=[PersonFactory(owner=alice).pk for _ in range(2)], to=bob, by=manager)
    assert texts(bob) == [f"{manager} le asignó 2 personas"]


def test_a_card_move_tells_its_agent_and_followers(alice, bob, manager):
    board = PipelineFactory(members=[alice, bob])
    card = OpportunityFactory(pipeline=board, agent=alice)
    card.members.add(bob)
    stage = board.stages.order_by("-position").first()
    card_services.opportunity_move(opportunity=card, by=manager, stage=stage)
    for user in (alice, bob):
        assert texts(user)[-1] == f"{manager} moved {card} to {stage}"


def test_orders_assigned_and_companies_given(alice, bob, manager):
    order = ServiceOrderFactory(assignee=manager)
    from serviceorders import services as order_services

    order_services.orders_reassign(ids=[order.pk], to=bob, by=manager)
    company = CompanyFactory(owner=alice)
    from companies import services as company_services

    company_services.companies_reassign(ids=[company.pk], to=bob, by=manager)
    kinds = list(Notification.objects.filter(user=bob).order_by("pk").values_list("kind", flat=True))
    assert kinds == [Notification.Kind.ORDER, Notification.Kind.GIVEN]
    assert texts(bob) == [f"{manager} gave you {order}", f"{manager} gave you {company}"]


def test_jobs_and_failures(alice, admin_user, manager):
    job_finished.send(sender=None, user=alice, ok=False, name="clientes.xlsx", url="/people/imports/1/")
    assert texts(alice) == ["Failed: clientes.xlsx"]
    for _ in range(2):
        notifications.failing(text=lambda: "The webhook https://x.test keeps failing", url="/api/webhooks/1/")
    assert texts(admin_user) == ["The webhook https://x.test keeps failing"]  # once until read
    assert texts(manager) == []


def test_the_bell_counts_in_the_navigations_one_query(
    alice, alice_client, manager, django_assert_num_queries
):
    people_services.people_reassign(ids=[PersonFactory(owner=manager).pk], to=alice, by=manager)
    with django_assert_num_queries(1):
        assert counts_for(alice) == {"overdue": 0, "today": 0, "unread": 1}
    page = alice_client.get(reverse("people:list")).content.decode()
    assert 'data-unread="1"' in page
    bell = alice_client.get(reverse("activities:bell"))
    assert 'data-unread="1"' in bell.content.decode()
    assert 'hx-trigger="every' in bell.content.decode()


def test_a_signed_out_page_stops_asking(client):
    # htmx stops polling on 286, instead of drawing the sign-in page in the top bar.
    assert client.get(reverse("activities:bell")).status_code == 286


def test_opening_one_marks_it_read_and_goes_to_its_record(alice, alice_client, bob_client, manager):
    person = PersonFactory(owner=manager)
    people_services.people_reassign(ids=[person.pk], to=alice, by=manager)
    notification = Notification.objects.get(user=alice)
    assert bob_client.post(reverse("activities:notification_open", args=[notification.pk])).status_code == 404
    response = alice_client.post(reverse("activities:notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_all_read_and_the_inbox(alice, alice_client, manager, django_assert_max_num_queries):
    for _ in range(30):
        notifications.notify([alice], kind="given", text=lambda: "Hola", url="/people/")
    with django_assert_max_num_queries(10):
        page = alice_client.get(reverse("activities:notifications"))
    assert page.content.decode().count("data-notification=") == 25  # paginated
    alice_client.post(reverse("activities:notifications_read"))
    assert counts_for(alice)["unread"] == 0
    assert (
        "Nothing unread."
        in alice_client.get(reverse("activities:notifications"), {"unread": "1"}).content.decode()
    )


def test_old_ones_age_out(alice):
    [old] = notifications.notify([alice], kind="given", text=lambda: "old")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=91))
    notifications.notify([alice], kind="given", text=lambda: "new")
    assert notifications.age_out() == 1
    assert texts(alice) == ["new"]


def test_the_digest_lists_the_unread_ones(alice, manager, settings):
    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notifications.notify([alice], kind="given", actor=manager, text=lambda: "Ana le dio una persona")
    assert digest_for(alice, timezone.localdate()) == 1
    [message] = mail.outbox
    assert message.subject == "CRM: 1 unread notification"
    assert "You have 1 unread notification:" in message.body
    assert "Ana le dio una persona" in message.body


def test_a_mailbox_that_stops_working_tells_its_owner_and_the_admins(alice, admin_user):
    from activities import imap
    from activities.models import Mailbox

    mailbox = Mailbox.objects.create(
        user=alice,
        address="alice@example.pe",
        host="imap.example.pe",
        username="alice",
        password_encrypted="x",
    )
    imap._checked(mailbox, error="LOGIN failed")
    imap._checked(mailbox, error="LOGIN failed")  # still failing: told once
    for user in (alice, admin_user):
        assert texts(user) == ["The mailbox alice@example.pe cannot be read"]
    imap._checked(mailbox, error="")
    notifications.mark_read(user=alice)
    notifications.mark_read(user=admin_user)
    imap._checked(mailbox, error="timeout")  # failing again after it worked, once read: told again
    assert len(texts(alice)) == 2
