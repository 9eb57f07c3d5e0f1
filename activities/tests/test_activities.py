import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Email, WhatsAppMessage
from companies.tests.factories import CompanyFactory, MembershipFactory
from crm.tests.factories import ActivityFactory, CategoryFactory
from people import services as people_services
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_log_a_call_on_a_person_with_a_follow_up(alice_client, alice):
    person = PersonFactory(owner=alice)
    category = CategoryFactory(name="Soporte")
    follow_up = timezone.now() + timedelta(days=2)
    response = alice_client.post(
        reverse("activities:activity_create"),
        {
            "person": person.pk,
            "kind": "call",
            "category": category.pk,
            "subject": "  Called about   the quote ",
            "detail": "Wants a discount",
            "done": "on",
            "follow_up_at": _local(follow_up),
            "next": person.get_absolute_url(),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    call = Activity.objects.get(kind="call")
    assert call.subject == "Called about the quote"
    assert call.done_at is not None
    assert (call.owner, call.created_by, call.category) == (alice, alice, category)
    reminder = Activity.objects.get(kind="task")
    assert reminder.is_reminder
    assert reminder.person == person
    assert abs(reminder.due_at - follow_up) < timedelta(minutes=1)


def test_plan_a_visit_on_a_company(alice_client, alice):
    company = CompanyFactory(owner=alice)
    due = timezone.now() + timedelta(days=1)
    alice_client.post(
        reverse("activities:activity_create"),
        {"company": company.pk, "kind": "visit", "subject": "Visit the plant", "due_at": _local(due)},
    )
    visit = Activity.objects.get()
    assert visit.company == company
    assert visit.is_reminder


def test_planned_activity_needs_a_date(alice_client, alice):
    person = PersonFactory(owner=alice)
    response = alice_client.post(
        reverse("activities:activity_create"),
        {"person": person.pk, "kind": "task", "subject": "Send brochure"},
    )
    assert response.status_code == 200
    assert "due_at" in response.context["form"].errors
    assert 'value="Send brochure"' in response.content.decode()
    assert not Activity.objects.exists()


def test_follow_up_in_the_past_is_refused(alice_client, alice):
    person = PersonFactory(owner=alice)
    response = alice_client.post(
        reverse("activities:activity_create"),
        {
            "person": person.pk,
            "kind": "call",
            "subject": "x",
            "done": "on",
            "follow_up_at": _local(timezone.now() - timedelta(days=1)),
        },
    )
    assert "follow_up_at" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_activity_needs_a_person_or_company(alice_client):
    response = alice_client.post(
        reverse("activities:activity_create"), {"kind": "call", "subject": "x", "done": "on"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_cannot_log_on_another_agents_person(alice_client, bob):
    theirs = PersonFactory(owner=bob)
    response = alice_client.post(
        reverse("activities:activity_create"),
        {"person": theirs.pk, "kind": "call", "subject": "x", "done": "on"},
    )
    assert response.status_code == 200
    assert "person" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_timeline_merges_activities_and_changes_newest_first(alice_client, alice):
    person = PersonFactory(owner=alice, stage="prospect")
    ActivityFactory(
        person=person, owner=alice, subject="First call", done_at=timezone.now() - timedelta(days=3)
    )
    people_services.person_set_stage(person=person, by=alice, stage="interested")
    ActivityFactory(person=person, owner=alice, subject="Second call")
    response = alice_client.get(person.get_absolute_url())
    days = response.context["timeline"].days
    entries = [entry for _day, items in days for entry in items]
    labels = [e.activity.subject if e.activity else e.event.kind for e in entries]
    assert labels == ["Second call", "stage", "First call"]
    assert len(days) == 2  # grouped by day


def test_timeline_pages_with_older_entries(alice_client, alice):
    person = PersonFactory(owner=alice)
    start = timezone.now() - timedelta(days=10)
    for n in range(60):
        ActivityFactory(person=person, owner=alice, subject=f"Call {n}", done_at=start + timedelta(minutes=n))
    first = alice_client.get(person.get_absolute_url()).context["timeline"]
    assert sum(len(items) for _d, items in first.days) == 50
    assert first.next_before is not None
    second = alice_client.get(person.get_absolute_url(), {"before": first.next_before.isoformat()})
    subjects = [
        e.activity.subject for _d, items in second.context["timeline"].days for e in items if e.activity
    ]
    assert "Call 0" in subjects
    assert "Call 59" not in subjects


def test_agent_sees_only_their_own_activities_on_a_record(alice_client, manager_client, alice, manager):
    person = PersonFactory(owner=alice)
    ActivityFactory(person=person, owner=alice, subject="Alice's call")
    ActivityFactory(person=person, owner=manager, subject="Manager's note")

    def subjects(client):
        timeline = client.get(person.get_absolute_url()).context["timeline"]
        return {e.activity.subject for _d, items in timeline.days for e in items if e.activity}

    assert subjects(alice_client) == {"Alice's call"}
    assert subjects(manager_client) == {"Alice's call", "Manager's note"}


@pytest.mark.parametrize("count", [3, 300])
def test_person_page_with_a_long_timeline_has_fixed_queries(
    alice_client, alice, django_assert_max_num_queries, count
):
    person = PersonFactory(owner=alice)
    ActivityFactory.create_batch(count, person=person, owner=alice)
    ActivityFactory.create_batch(3, person=person, owner=alice, done_at=None, due_at=timezone.now())
    with django_assert_max_num_queries(15):
        assert alice_client.get(person.get_absolute_url()).status_code == 200


def _every_kind_of_entry(company, person, alice, n):
    category = CategoryFactory(name="Cobranza")
    for i in range(n):
        failed = ActivityFactory(
            company=company, person=person, owner=alice, kind="email", subject=f"Mail {i}"
        )
        Email.objects.create(
            activity=failed, message_id=f"<m{n}-{i}@crm>", from_email="a@crm.test", to="x@y.test",
            subject="s", body="A long body " * 500, status="failed", error=f"Mailbox full {i}",
            created_by=alice,
        )  # fmt: skip
        chat = ActivityFactory(
            company=company, person=person, owner=alice, kind="whatsapp", subject=f"Chat {i}"
        )
        WhatsAppMessage.objects.create(activity=chat, phone="+51987654321", body="Hola", status="read")
        ActivityFactory(
            company=company,
            person=person,
            owner=alice,
            received=True,
            category=category,
            subject=f"Answer {i}",
        )


def test_a_timeline_shows_every_kind_of_entry_in_fixed_queries_reading_no_bodies(alice_client, alice):
    # A company's timeline names each activity's person (show_related): emails with their
    # status and error, chats with theirs, answers received, categories, owners — without a
    # query per entry, and without reading what no entry shows (an email's body, a person's
    # search vector, an owner's password hash).
    company = CompanyFactory(owner=alice)
    person = PersonFactory(owner=alice, first_name="Rosa", last_name="Quispe")
    MembershipFactory(person=person, company=company)
    _every_kind_of_entry(company, person, alice, 1)
    with CaptureQueriesContext(connection) as few:
        page = alice_client.get(company.get_absolute_url()).content.decode()
    for shown in (
        "Mailbox full 0",
        "Rosa Quispe",
        "Cobranza",
        "whatsapp-read",
        "activity-received",
        str(alice),
    ):
        assert shown in page
    _every_kind_of_entry(company, person, alice, 10)
    with CaptureQueriesContext(connection) as many:
        page = alice_client.get(company.get_absolute_url()).content.decode()
    assert page.count("badge email-failed") == 11
    assert page.count("whatsapp-read") == 11
    assert len(many) == len(few)
    timeline = next(q["sql"] for q in many.captured_queries if '"activities_email"' in q["sql"])
    for unread in ('"body"', '"search"', '"password"'):
        assert unread not in timeline


def test_follow_up_lists_pending_activities_of_the_user_by_default(alice_client, alice, bob):
    person = PersonFactory(owner=alice)
    pending = ActivityFactory(person=person, owner=alice, done_at=None, subject="Pending one")
    ActivityFactory(person=person, owner=alice, subject="Done one")
    ActivityFactory(person=PersonFactory(owner=bob), owner=bob, done_at=None)
    response = alice_client.get(reverse("activities:activities"))
    assert list(response.context["page"]) == [pending]


def test_managers_load_another_users_activities(manager_client, alice, bob):
    mine = ActivityFactory(person=PersonFactory(owner=alice), owner=alice, done_at=None)
    ActivityFactory(person=PersonFactory(owner=bob), owner=bob, done_at=None)
    response = manager_client.get(reverse("activities:activities"), {"owner": alice.pk})
    assert list(response.context["page"]) == [mine]
    everyone = manager_client.get(reverse("activities:activities"), {"owner": ""})
    assert len(everyone.context["page"]) == 2


def test_agents_cannot_load_another_users_activities(alice_client, alice, bob):
    ActivityFactory(person=PersonFactory(owner=bob), owner=bob, done_at=None)
    response = alice_client.get(reverse("activities:activities"), {"owner": bob.pk})
    assert list(response.context["page"]) == []


def test_follow_up_filters_by_client_contact_dates_and_status(alice_client, alice):
    company = CompanyFactory(owner=alice)
    person = PersonFactory(owner=alice)
    target = ActivityFactory(person=person, company=company, owner=alice)
    ActivityFactory(person=person, owner=alice)
    today = timezone.localdate().isoformat()
    response = alice_client.get(
        reverse("activities:activities"),
        {"company": company.pk, "person": person.pk, "status": "done", "date_from": today, "date_to": today},
    )
    assert list(response.context["page"]) == [target]


def test_follow_up_by_client_includes_its_contacts_and_names_the_client(alice_client, alice):
    """Manual 003: a client's follow-up is also what was done with its people."""
    andes = CompanyFactory(owner=alice, name="Andes SAC")
    rosa = PersonFactory(owner=alice, first_name="Rosa")
    MembershipFactory(person=rosa, company=andes)
    on_company = ActivityFactory(person=None, company=andes, owner=alice, subject="Visita a Andes")
    on_contact = ActivityFactory(person=rosa, owner=alice, subject="Llamada a Rosa")
    ActivityFactory(person=PersonFactory(owner=alice), owner=alice, subject="Otra cosa")
    response = alice_client.get(reverse("activities:activities"), {"company": andes.pk, "status": ""})
    assert set(response.context["page"]) == {on_company, on_contact}
    row = re.search(rf'<tr id="activity-{on_contact.pk}">.*?</tr>', response.content.decode(), re.DOTALL)
    assert "Andes SAC" in row.group(0)  # the Client column of an activity logged on the contact


def test_new_activity_from_the_follow_up_chooses_whom_it_is_about(alice_client, alice):
    page = alice_client.get(reverse("activities:activities")).content.decode()
    assert f'href="{reverse("activities:activity_create")}"' in page
    form = alice_client.get(reverse("activities:activity_create")).content.decode()
    assert 'hx-get="/people/autocomplete/"' in form
    assert 'hx-get="/companies/autocomplete/"' in form
    rosa = PersonFactory(owner=alice)
    response = alice_client.post(
        reverse("activities:activity_create"),
        {"person": rosa.pk, "kind": "call", "subject": "Hola", "done": "on"},
    )
    assert response.status_code == 302
    assert Activity.objects.get(subject="Hola").person == rosa


def test_ok_and_pend_toggle_an_activity(alice_client, alice):
    activity = ActivityFactory(person=PersonFactory(owner=alice), owner=alice, done_at=None)
    response = alice_client.post(
        reverse("activities:activity_done", args=[activity.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert b"<tr" in response.content
    activity.refresh_from_db()
    assert activity.done_at is not None
    alice_client.post(reverse("activities:activity_pending", args=[activity.pk]))
    activity.refresh_from_db()
    assert activity.done_at is None


def test_other_agent_cannot_touch_an_activity(bob_client, alice):
    activity = ActivityFactory(person=PersonFactory(owner=alice), owner=alice, done_at=None)
    assert bob_client.post(reverse("activities:activity_done", args=[activity.pk])).status_code == 404
    activity.refresh_from_db()
    assert activity.done_at is None


def test_activity_text_can_be_copied(alice_client, alice):
    person = PersonFactory(owner=alice, first_name="Inés", last_name="Soto")
    ActivityFactory(
        person=person, owner=alice, done_at=None, subject="Call back", detail="About <b>prices</b>"
    )
    content = alice_client.get(reverse("activities:activities")).content.decode()
    assert 'data-copy="Call: Call back' in content
    assert "Inés Soto" in content
    assert "<b>prices</b>" not in content


@pytest.mark.parametrize("count", [2, 40])
def test_follow_up_query_count(alice_client, alice, django_assert_max_num_queries, count):
    person = PersonFactory(owner=alice)
    for _ in range(min(count, 3)):
        MembershipFactory(person=person, company=CompanyFactory(owner=alice))
    ActivityFactory.create_batch(count, person=person, owner=alice, done_at=None)
    with django_assert_max_num_queries(11):
        assert alice_client.get(reverse("activities:activities")).status_code == 200


def test_activities_of_discarded_people_disappear(alice_client, alice):
    person = PersonFactory(owner=alice)
    ActivityFactory(person=person, owner=alice, done_at=None)
    people_services.person_discard(person=person, by=alice)
    assert list(alice_client.get(reverse("activities:activities")).context["page"]) == []


def test_home_shows_my_due_and_overdue_reminders(alice_client, alice):
    person = PersonFactory(owner=alice)
    overdue = ActivityFactory(
        person=person, owner=alice, done_at=None, due_at=timezone.now() - timedelta(days=1)
    )
    ActivityFactory(person=person, owner=alice, done_at=None, due_at=timezone.now() + timedelta(days=3))
    response = alice_client.get(reverse("crm:home"))
    assert list(response.context["due"]) == [overdue]
