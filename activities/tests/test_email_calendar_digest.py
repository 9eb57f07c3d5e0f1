from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities import tasks
from activities.models import Activity, Category, DigestSent
from crm import services
from crm.tests.factories import ActivityFactory, CategoryFactory
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_server(settings):
    # The SMTP server is outside the project: Django's in-memory outbox stands in.
    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_with_mail_switched_off_the_page_offers_mailto(alice_client, alice, settings):
    settings.EMAIL_ENABLED = False
    person = PersonFactory(owner=alice, email="cliente@example.com")
    content = alice_client.get(reverse("activities:person_email", args=[person.pk])).content.decode()
    assert 'href="mailto:cliente@example.com"' in content
    assert (
        alice_client.post(
            reverse("activities:person_email", args=[person.pk]), {"subject": "x", "body": "y"}
        ).status_code
        == 200
    )
    assert not Activity.objects.exists()


def test_phone_numbers_are_tel_links(alice_client, alice):
    person = PersonFactory(owner=alice, phone="+51987654321")
    assert 'href="tel:+51987654321"' in alice_client.get(person.get_absolute_url()).content.decode()


def test_calendar_feed_is_valid_icalendar_with_the_users_reminders(alice_client, alice, bob):
    person = PersonFactory(owner=alice, first_name="Rosa")
    due = timezone.now() + timedelta(days=1)
    reminder = ActivityFactory(person=person, owner=alice, done_at=None, due_at=due, subject="Call Rosa")
    ActivityFactory(person=person, owner=alice, subject="Already done")
    ActivityFactory(person=PersonFactory(owner=bob), owner=bob, done_at=None, due_at=due, subject="Bob's")
    token = services.calendar_token(user=alice)
    response = Client().get(reverse("activities:calendar_feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["Call: Call Rosa"]
    assert str(events[0]["uid"]) == f"activity-{reminder.pk}@crm"
    assert events[0].decoded("dtstart") == due.replace(microsecond=0) or abs(
        events[0].decoded("dtstart") - due
    ) < timedelta(seconds=1)
    assert "Rosa" in str(events[0]["description"])


def test_regenerating_the_token_revokes_the_old_feed(alice_client, alice):
    old = services.calendar_token(user=alice)
    alice_client.post(reverse("activities:calendar_regenerate"))
    alice.refresh_from_db()
    assert alice.calendar_token != old
    assert Client().get(reverse("activities:calendar_feed", args=[old])).status_code == 404
    assert Client().get(reverse("activities:calendar_feed", args=[alice.calendar_token])).status_code == 200


def test_unknown_or_inactive_token_is_404(alice):
    token = services.calendar_token(user=alice)
    assert Client().get(reverse("activities:calendar_feed", args=["nope"])).status_code == 404
    alice.is_active = False
    alice.save()
    assert Client().get(reverse("activities:calendar_feed", args=[token])).status_code == 404


def test_calendar_page_shows_the_feed_address(alice_client, alice):
    content = alice_client.get(reverse("activities:calendar_subscribe")).content.decode()
    alice.refresh_from_db()
    assert f"/calendar/{alice.calendar_token}.ics" in content


def test_digest_mails_due_and_overdue_reminders_once_a_day(alice, bob, mail_server):
    person = PersonFactory(owner=alice)
    ActivityFactory(
        person=person, owner=alice, done_at=None, due_at=timezone.now() - timedelta(days=2), subject="Overdue"
    )
    ActivityFactory(
        person=person, owner=alice, done_at=None, due_at=timezone.now() + timedelta(days=5), subject="Later"
    )
    outcome = tasks.send_reminder_digest.call(reschedule=False)
    assert outcome == {"users": 1, "reminders": 1}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.email]
    assert "Overdue" in mail.outbox[0].body
    assert "Later" not in mail.outbox[0].body
    # Running again the same day mails nobody twice.
    tasks.send_reminder_digest.call(reschedule=False)
    assert len(mail.outbox) == 1
    assert DigestSent.objects.count() == 1


def test_digest_is_in_the_users_language(alice, mail_server):
    alice.language = "es"
    alice.save()
    ActivityFactory(person=PersonFactory(owner=alice), owner=alice, done_at=None, due_at=timezone.now())
    tasks.send_reminder_digest.call(reschedule=False)
    assert "recordatorio" in mail.outbox[0].subject.lower()


def test_digest_command_prints_counts(alice, mail_server, capsys):
    ActivityFactory(person=PersonFactory(owner=alice), owner=alice, done_at=None, due_at=timezone.now())
    call_command("send_reminder_digest")
    assert capsys.readouterr().out.strip() == "users=1 reminders=1"


def test_the_starting_worker_plans_one_digest(settings):
    """The worker command tells the apps it starts (crm.signals.worker_starting); the
    activities plan the next digest once, however often it starts."""
    from io import StringIO

    from django_tasks_db.models import DBTaskResult

    from crm.signals import worker_starting

    out = StringIO()
    worker_starting.send(sender=None, stdout=out)
    worker_starting.send(sender=None, stdout=out)
    assert out.getvalue().count("Daily reminder digest planned.") == 1  # once
    assert out.getvalue().count("Mailbox checks planned.") == 1
    planned = DBTaskResult.objects.get(task_path=tasks.TASK_PATH)
    assert planned.run_after > timezone.now()
    assert timezone.localtime(planned.run_after).hour == tasks.DIGEST_HOUR.hour


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_planned_digest(alice, mail_server):
    """The real task backend: enqueue, then run one pass of the worker."""
    ActivityFactory(person=PersonFactory(owner=alice), owner=alice, done_at=None, due_at=timezone.now())
    tasks.send_reminder_digest.using().enqueue(reschedule=False)
    call_command("db_worker", batch=True, verbosity=0)
    assert len(mail.outbox) == 1


def test_admin_manages_categories(admin_client):
    admin_client.post(reverse("activities:category_create"), {"name": " Soporte  técnico "})
    category = Category.objects.get()
    assert category.name == "Soporte técnico"
    response = admin_client.post(reverse("activities:category_create"), {"name": "SOPORTE TÉCNICO"})
    assert "name" in response.context["form"].errors
    admin_client.post(reverse("activities:category_edit", args=[category.pk]), {"name": "Ventas"})
    category.refresh_from_db()
    assert category.name == "Ventas"
    admin_client.post(reverse("activities:category_delete", args=[category.pk]))
    assert not Category.objects.exists()


def test_category_in_use_cannot_be_deleted(admin_client, alice):
    category = CategoryFactory()
    ActivityFactory(person=PersonFactory(owner=alice), owner=alice, category=category)
    response = admin_client.post(reverse("activities:category_delete", args=[category.pk]), follow=True)
    assert Category.objects.filter(pk=category.pk).exists()
    assert "cannot be deleted" in response.content.decode()
