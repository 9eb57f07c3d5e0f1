"""History of every change (django-pghistory): field by field, who did it, and revert."""

import pytest
from django.urls import reverse

from campaigns.tests.factories import CampaignFactory
from companies.tests.factories import CompanyFactory
from crm import importing
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.models import Person
from people.tests.factories import PersonFactory
from serviceorders.tests.factories import ServiceOrderFactory

pytestmark = pytest.mark.django_db


def _history(client, kind, pk, **params):
    return client.get(reverse("crm:history", args=[kind, pk]), params)


def test_an_edit_is_shown_field_by_field_with_the_user(alice_client, alice):
    person = PersonFactory(owner=alice, first_name="Ana", city="Lima")
    data = {"first_name": "Ana María", "last_name": person.last_name, "email": person.email, "city": "Cusco",
            "stage": person.stage, "source": person.source or "", "country": person.country or "PE"}  # fmt: skip
    alice_client.post(reverse("people:edit", args=[person.pk]), data)
    person.refresh_from_db()
    assert person.city == "Cusco"
    response = _history(alice_client, "person", person.pk)
    newest = response.context["versions"][0]
    assert newest.user == alice
    changed = {change.field: (change.old, change.new) for change in newest.changes}
    assert changed["city"] == ("Lima", "Cusco")
    assert changed["first name"] == ("Ana", "Ana María")
    assert response.context["versions"][-1].label == "Created"


def test_bulk_changes_and_imports_are_recorded_too(alice):
    person = PersonFactory(owner=alice)
    Person.objects.filter(pk=person.pk).update(city="Arequipa")  # no save(), no signal
    assert person.history.filter(pgh_label="update").count() == 1
    from django.core.files.uploadedfile import SimpleUploadedFile

    job = importing.start_job(
        user=alice,
        upload=SimpleUploadedFile("p.csv", b"Nombre,Correo\nBea,bea@x.pe\n"),
        owner=None,
        stage="prospect",
        tags=[],
    )
    importing.run(job)
    created = Person.objects.get(email="bea@x.pe")
    assert created.history.filter(pgh_label="insert").exists()


def test_one_statement_over_many_records_writes_an_event_for_each_record_it_changed(alice, bob):
    """History is written once per statement (transition tables): a bulk change of many people
    still gives each person it changed their own event, with the statement's user, and none to
    a person whose tracked fields stayed as they were."""
    import pghistory
    from django.db.models import Case, Value, When

    changed = PersonFactory.create_batch(3, owner=alice, city="Lima")
    same = PersonFactory(owner=alice, city="Cusco")
    with pghistory.context(user=bob.pk):
        Person.objects.filter(pk__in=[p.pk for p in [*changed, same]]).update(
            city=Case(When(pk=same.pk, then=Value("Cusco")), default=Value("Piura"))
        )
    for person in changed:
        (event,) = person.history.filter(pgh_label="update")
        assert (event.city, event.pgh_context.metadata["user"]) == ("Piura", bob.pk)
    assert not same.history.filter(pgh_label="update").exists()
    Person.objects.filter(pk=changed[0].pk).delete()
    assert changed[0].history.filter(pgh_label="delete").count() == 1


@pytest.mark.parametrize(
    ("kind", "make"),
    [
        ("person", lambda alice: PersonFactory(owner=alice)),
        ("company", lambda alice: CompanyFactory(owner=alice)),
        ("campaign", lambda alice: CampaignFactory(owner=alice)),
        (
            "opportunity",
            lambda alice: OpportunityFactory(pipeline=PipelineFactory(members=[alice]), agent=alice),
        ),
        ("serviceorder", lambda alice: ServiceOrderFactory(assignee=alice)),
    ],
)
def test_every_kind_has_a_history_scoped_like_its_record(alice_client, bob_client, alice, kind, make):
    record = make(alice)
    assert _history(alice_client, kind, record.pk).status_code == 200
    assert _history(bob_client, kind, record.pk).status_code == 404
    assert _history(alice_client, "nonsense", record.pk).status_code == 404


def test_an_admin_reverts_a_person(admin_client, alice):
    person = PersonFactory(owner=alice, city="Lima", phone="")
    first = person.history.get()
    person.city = "Trujillo"
    person.save()
    response = admin_client.post(reverse("crm:history_revert", args=["person", person.pk, first.pgh_id]))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.city == "Lima"
    # The revert is itself in the history, made by the admin.
    assert person.history.count() == 3


def test_an_agent_cannot_revert_and_orders_cannot_be_reverted(alice_client, admin_client, alice):
    company = CompanyFactory(owner=alice, name="Antes")
    first = company.history.get()
    company.name = "Después"
    company.save()
    assert (
        alice_client.post(
            reverse("crm:history_revert", args=["company", company.pk, first.pgh_id])
        ).status_code
        == 403
    )
    order = ServiceOrderFactory(assignee=alice)
    event = order.history.get()
    assert (
        admin_client.post(
            reverse("crm:history_revert", args=["serviceorder", order.pk, event.pgh_id])
        ).status_code
        == 404
    )
    other = CompanyFactory(owner=alice)
    assert (
        admin_client.post(
            reverse("crm:history_revert", args=["company", company.pk, other.history.get().pgh_id]),
            follow=True,
        )
        .content.decode()
        .count("does not exist")
        == 1
    )
    company.refresh_from_db()
    assert company.name == "Después"


@pytest.mark.parametrize("count", [2, 60])
def test_history_page_query_count_is_fixed(alice_client, alice, django_assert_max_num_queries, count):
    person = PersonFactory(owner=alice)
    for n in range(count):
        Person.objects.filter(pk=person.pk).update(city=f"Ciudad {n}")
    with django_assert_max_num_queries(10):
        response = _history(alice_client, "person", person.pk)
    assert len(response.context["versions"]) == min(count + 1, 25)


def test_trigger_helpers_open_no_subtransaction_per_row(alice):
    """The library versions catch an exception for every row; ours read the settings safely."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname, prosrc FROM pg_proc WHERE proname IN ('_pgh_attach_context', '_pgtrigger_should_ignore')"
        )
        functions = dict(cursor.fetchall())
    assert set(functions) == {"_pgh_attach_context", "_pgtrigger_should_ignore"}
    assert not any("EXCEPTION" in source for source in functions.values())
    # And they still do their work: ignoring a trigger, and naming the user.
    import pghistory
    import pgtrigger

    person = PersonFactory(owner=alice)
    with pgtrigger.ignore("people.Person:update_update"):
        Person.objects.filter(pk=person.pk).update(city="Ignorada")
    with pghistory.context(user=alice.pk):
        Person.objects.filter(pk=person.pk).update(city="Registrada")
    updates = list(person.history.filter(pgh_label="update"))
    assert [u.city for u in updates] == ["Registrada"]
    assert updates[0].pgh_context.metadata["user"] == alice.pk
