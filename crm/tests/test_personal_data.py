"""Personal data: an access request's ZIP holds every kind of data about the person and
nothing of anyone else; after an erasure no table (the history's copies included) and no file
holds their name, email or phone, while counts and amounts stay; retention erases exactly
whom the setting says."""

from __future__ import annotations

import datetime
import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from crm import backup, consent, personal_data
from crm.models import Erasure, ExportJob, PersonalDataRequest
from people.models import Person

NAME = ("Zacarías", "Quenteño")
EMAIL = "zq.unique@ejemplo.pe"
PHONE = "+51911222333"
SECRETS = ["Zacarías", "Quenteño", "Zacarias", EMAIL, "911222333", "911 222 333"]


def _subject(admin, alice):
    """A person the CRM knows a great deal about, everywhere it may keep it."""
    from activities import notifications
    from activities.services import activity_log, email_send
    from api.models import Webhook
    from automations import engine
    from automations.models import Rule
    from campaigns.models import LeadForm, LeadSubmission
    from crm.attachments import attach
    from opportunities.tests.factories import OpportunityFactory, PipelineFactory
    from people import services as people_services

    Webhook.objects.create(
        url="https://hooks.example.com/crm", events=["person.updated", "person.erased"], created_by=admin
    )
    person = people_services.person_create(
        by=alice,
        owner=alice,
        first_name=NAME[0],
        last_name=NAME[1],
        email=EMAIL,
        phone=PHONE,
        city="Cusco",
        notes=f"Conocí a {NAME[0]} {NAME[1]} en la feria",
        custom={"dni": "44556677"},
    )
    people_services.person_update(person=person, by=alice, city="Lima")  # history, a webhook
    activity_log(
        by=alice,
        kind="call",
        subject=f"Llamada a {NAME[0]} {NAME[1]}",
        detail=f"Su número {PHONE}",
        person=person,
        done=True,
    )
    consent.record(
        people=[person.pk],
        channels=["email"],
        purposes=["sales"],
        given=True,
        source="agent",
        text="Por teléfono",
    )
    email_send(by=alice, person=person, subject="Propuesta", body=f"Estimado {NAME[0]} {NAME[1]}:")
    card = OpportunityFactory(
        pipeline=PipelineFactory(members=[alice]),
        agent=alice,
        contact=person,
        subject=f"Licencias para {NAME[0]} {NAME[1]}",
        amount=4321,
    )
    from companies.tests.factories import CompanyFactory, MembershipFactory
    from opportunities.sales import quote_create
    from serviceorders.tests.factories import ServiceOrderFactory

    company = CompanyFactory(owner=alice, name="Andes Textil")
    MembershipFactory(person=person, company=company, area="Compras", position="Jefa de compras")
    quote_create(opportunity=card, by=alice, notes=f"Para {NAME[0]} {NAME[1]}")
    ServiceOrderFactory(
        assignee=alice, company=company, contact=person, detail=f"Revisar la impresora de {NAME[0]} {NAME[1]}"
    )
    notifications.notify([alice], kind="lead", text=lambda: f"Nuevo lead: {NAME[0]} {NAME[1]}")
    rule = Rule.objects.create(name="R", trigger="person.created", actions=[], created_by=admin)
    engine.run_rule(rule, person, key="t:1")
    attach(
        record=person,
        field="person",
        uploads=[SimpleUploadedFile("cv.txt", f"CV de {NAME[0]} {NAME[1]}, {EMAIL}".encode(), "text/plain")],
        by=alice,
    )
    form = LeadForm.objects.create(name="Web", default_owner=alice)
    LeadSubmission.objects.create(form=form, ip="203.0.113.77", person=person)
    export = ExportJob.objects.create(
        created_by=alice, source="people", format="csv", filename="gente.csv", status="done"
    )
    export.file.save("gente.csv", ContentFile(f"{NAME[0]},{EMAIL}\n".encode()))
    # Someone else, who must stay whole.
    other = people_services.person_create(
        by=alice, owner=alice, first_name="Rosa", last_name="Quispe", email="rosa@ejemplo.pe"
    )
    return person, card, other


def _dump() -> str:
    database = connection.settings_dict
    result = subprocess.run(
        [backup.program("pg_dump"), "--data-only", "--format=plain", "--no-owner"],
        env=backup._environment(database),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _files() -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT)
    return {str(path): path.read_bytes() for path in root.rglob("*") if path.is_file()}


@pytest.mark.django_db(transaction=True)
def test_access_then_erasure_leaves_nothing_that_identifies_the_person(admin_user, alice, client):
    person, card, other = _subject(admin_user, alice)
    client.force_login(admin_user)

    # The access request: the worker writes a ZIP with every kind of data about them.
    response = client.post(reverse("crm:person_access_request", args=[person.pk]))
    request = PersonalDataRequest.objects.get()
    assert response["Location"] == reverse("crm:access_request", args=[request.pk])
    personal_data.build(request.pk)  # what the task worker does
    request.refresh_from_db()
    assert (request.status, request.progress) == ("done", 100)
    download = client.get(reverse("crm:access_request_download", args=[request.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = archive.namelist()
    assert {"data.json", "summary.html"} <= set(names)
    assert any(name.startswith("files/person/") and name.endswith("cv.txt") for name in names)
    data = json.loads(archive.read("data.json"))
    text = json.dumps(data, ensure_ascii=False)
    for expected in (
        "Jefa de compras",
        "Revisar la impresora",
        "Para Zacarías",
        EMAIL,
        "Lima",
        "44556677",
        "Llamada a",
        "Propuesta",
        "Licencias para",
        "Por teléfono",
        "203.0.113.77",
    ):
        assert expected in text, expected
    assert {"person", "activities", "positions", "campaigns", "opportunities", "service_orders"} <= set(data)
    assert "rosa@ejemplo.pe" not in text
    assert "Quispe" not in text
    assert NAME[1] in archive.read("summary.html").decode()

    activities_before = Activity.objects.filter(person=person).count()
    # Erasure: confirmed by typing the name; a wrong name erases nothing.
    url = reverse("crm:person_erase", args=[person.pk])
    response = client.post(url, {"name": "Zacarías"})
    assert response.status_code == 200
    assert "That is not the person&#x27;s name: nothing was erased." in response.content.decode()
    response = client.post(url, {"name": f"{NAME[0]} {NAME[1]}"})
    assert response["Location"] == reverse("crm:privacy")

    dump = _dump()
    for secret in SECRETS:
        assert secret not in dump, secret
    for path, content in _files().items():
        for secret in SECRETS:
            assert secret.encode() not in content, (path, secret)
    # What the reports count stays: the person's activities, the card and its amount.
    person.refresh_from_db()
    assert person.erased_at is not None
    assert str(person) == f"Erased person {person.pk}"
    assert Activity.objects.filter(person=person).count() == activities_before
    card.refresh_from_db()
    assert card.amount == 4321
    # Someone else is untouched; the log names only the number; the webhooks announce it.
    other.refresh_from_db()
    assert (other.last_name, other.email) == ("Quispe", "rosa@ejemplo.pe")
    assert "rosa@ejemplo.pe" in dump
    entry = Erasure.objects.get()
    assert (entry.person_number, entry.by, entry.reason) == (person.pk, admin_user, "request")
    from api.models import WebhookDelivery

    announced = WebhookDelivery.objects.get(event="person.erased")
    assert announced.payload["data"]["person"]["id"] == person.pk
    request.refresh_from_db()
    assert (request.status, request.file.name) == ("removed", "")
    # Erased once: the person is no more to erase or hand over.
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_retention_erases_exactly_the_discarded_people_past_the_period(admin_user, alice):
    from crm import services as core
    from people.tests.factories import PersonFactory

    core.team_settings_save(by=admin_user, erase_discarded_after=24)
    now = timezone.now()
    old = PersonFactory(owner=alice, discarded_at=now - datetime.timedelta(days=365 * 2 + 10))
    recent = PersonFactory(owner=alice, discarded_at=now - datetime.timedelta(days=365 * 2 - 10))
    kept = PersonFactory(owner=alice)
    # Within a month, the page says who is next.
    due_next_month = personal_data.due_for_erasure(timezone.localdate() + datetime.timedelta(days=31))
    assert set(due_next_month) == {old, recent}
    assert personal_data.apply_retention() == 1
    for person in (old, recent, kept):
        person.refresh_from_db()
    assert old.erased_at is not None
    assert recent.erased_at is None
    assert kept.erased_at is None
    assert Erasure.objects.get().reason == "retention"
    assert personal_data.apply_retention() == 0
    # Set to never, nobody is erased by time.
    core.team_settings_save(by=admin_user, erase_discarded_after=0)
    assert not personal_data.due_for_erasure(timezone.localdate() + datetime.timedelta(days=3650)).exists()
    assert Person.objects.filter(erased_at__isnull=False).count() == 1


@pytest.mark.django_db
def test_every_export_and_api_listing_of_people_is_logged_and_large_ones_told(
    admin_user, manager, manager_client, admin_client, alice
):
    from activities.models import Notification
    from crm import services as core
    from crm.models import ExportAudit
    from people.tests.factories import PersonFactory

    core.team_settings_save(by=admin_user, export_alert_rows=2)
    PersonFactory.create_batch(3, owner=alice, city="Lima")
    manager_client.get(reverse("people:export"), {"city": "Lima", "format": "csv"})
    entry = ExportAudit.objects.get()
    assert (entry.by, entry.what, entry.rows) == (manager, "people", 3)
    assert "city=Lima" in entry.filters
    told = Notification.objects.get(kind="export")
    assert told.user == admin_user
    assert told.text == f"{manager} took 3 rows of people out"
    # The API's listing of people is logged too.
    manager_client.get("/api/v1/people/", {"search": "x"})
    listed = ExportAudit.objects.get(what="api:people")
    assert (listed.by, listed.filters, listed.rows) == (manager, "search=x", 3)
    # The administrators read the log.
    page = admin_client.get(reverse("crm:privacy"), {"tab": "exports"}).content.decode()
    assert "city=Lima" in page
    assert "api:people" in page


@pytest.mark.django_db
def test_the_personal_data_page_lists_who_is_next_and_idle_prospects_in_fixed_queries(admin_client, alice):
    from django.test.utils import CaptureQueriesContext

    from people.tests.factories import PersonFactory

    def add(n):
        for _ in range(n):
            idle = PersonFactory(owner=alice, stage="prospect")
            Person.objects.filter(pk=idle.pk).update(updated_at=timezone.now() - datetime.timedelta(days=800))
            PersonFactory(owner=alice, discarded_at=timezone.now() - datetime.timedelta(days=735))

    def queries():
        with CaptureQueriesContext(connection) as context:
            page = admin_client.get(reverse("crm:privacy"))
        assert page.status_code == 200
        return len(context), page

    add(1)
    few, page = queries()
    assert page.context["due_count"] == 1
    assert page.context["inactive_count"] == 1
    add(10)
    many, page = queries()
    assert many == few
    assert (page.context["due_count"], page.context["inactive_count"]) == (11, 11)


@pytest.mark.django_db
def test_the_api_lists_erasures_to_administrators_only(admin_user, admin_client, alice_client, alice):
    from people.tests.factories import PersonFactory

    person = PersonFactory(owner=alice)
    personal_data.erase(person, by=admin_user)
    listed = admin_client.get("/api/v1/erasures/").json()
    assert [row["person"] for row in listed["results"]] == [person.pk]
    assert set(listed["results"][0]) == {"person", "at", "reason"}
    assert alice_client.get("/api/v1/erasures/").json()["results"] == []


@pytest.mark.django_db
def test_an_access_request_and_an_erasure_page_read_a_fixed_number_of_queries(
    admin_client, admin_user, alice
):
    from django.test.utils import CaptureQueriesContext

    from people.tests.factories import PersonFactory

    person = PersonFactory(owner=alice)
    request = PersonalDataRequest.objects.create(
        person=person, person_number=person.pk, requested_by=admin_user
    )
    pages = [
        reverse("crm:access_request", args=[request.pk]),
        reverse("crm:person_erase", args=[person.pk]),
        reverse("people:consents", args=[person.pk]),
    ]

    def queries() -> list[int]:
        counted = []
        for url in pages:
            with CaptureQueriesContext(connection) as context:
                assert admin_client.get(url).status_code == 200
            counted.append(len(context))
        return counted

    consent.record(people=[person.pk], channels=["email"], purposes=["sales"], given=True, source="agent")
    few = queries()
    for _ in range(10):
        consent.record(
            people=[person.pk],
            channels=["email", "phone"],
            purposes=["sales", "marketing"],
            given=True,
            source="agent",
        )
    assert queries() == few


@pytest.mark.django_db
def test_the_api_erasure_list_reads_a_fixed_number_of_queries(admin_user, admin_client, alice):
    from django.test.utils import CaptureQueriesContext

    from people.tests.factories import PersonFactory

    def erase(n):
        for person in PersonFactory.create_batch(n, owner=alice):
            personal_data.erase(person, by=admin_user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert admin_client.get("/api/v1/erasures/").status_code == 200
        return len(context)

    erase(1)
    few = queries()
    erase(10)
    assert queries() == few
