"""Saving over a newer version is refused with both versions shown; never a silent overwrite."""

import pytest
from django.urls import reverse

from companies.tests.factories import CompanyFactory
from crm.tests.helpers import form_data
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _loaded_form(client, url) -> dict:
    """What the browser would post back: the form's initial values, version included."""
    return form_data(client.get(url).context["form"])


def test_a_person_edited_meanwhile_is_not_overwritten(alice_client, manager_client, alice):
    person = PersonFactory(owner=alice, city="Lima", first_name="Ana")
    url = reverse("people:edit", args=[person.pk])
    alices = _loaded_form(alice_client, url)
    managers = _loaded_form(manager_client, url)
    assert alices["version"]

    managers["city"] = "Cusco"
    assert manager_client.post(url, managers).status_code == 302

    alices["first_name"] = "Ana Lucía"
    response = alice_client.post(url, alices)
    assert response.status_code == 200
    form = response.context["form"]
    assert "version" not in form.errors
    assert form.non_field_errors()
    differences = {d.label: (d.theirs, d.yours) for d in form.conflict}
    assert differences["City"] == ("Cusco", "Lima")
    assert differences["First name"] == ("Ana", "Ana Lucía")
    page = response.content.decode()
    assert "Cusco" in page
    assert "Ana Lucía" in page
    person.refresh_from_db()
    assert (person.first_name, person.city) == ("Ana", "Cusco")

    # Merging by hand and saving again is a deliberate choice: it goes through.
    merged = {**alices, "city": "Cusco", "version": form["version"].value()}
    assert alice_client.post(url, merged).status_code == 302
    person.refresh_from_db()
    assert (person.first_name, person.city) == ("Ana Lucía", "Cusco")


def test_a_company_edited_meanwhile_is_not_overwritten(alice_client, manager_client, alice):
    company = CompanyFactory(owner=alice, name="Andes SAC")
    url = reverse("companies:edit", args=[company.pk])
    stale = _loaded_form(alice_client, url)
    fresh = _loaded_form(manager_client, url)
    fresh["name"] = "Andes Perú SAC"
    assert manager_client.post(url, fresh).status_code == 302
    stale["city"] = "Piura"
    response = alice_client.post(url, stale)
    assert response.status_code == 200
    assert response.context["form"].conflict
    company.refresh_from_db()
    assert company.name == "Andes Perú SAC"
    assert company.city != "Piura"


def test_an_opportunity_edited_meanwhile_is_not_overwritten(alice_client, manager_client, alice):
    card = OpportunityFactory(pipeline=PipelineFactory(members=[alice]), agent=alice, subject="Primera")
    url = reverse("opportunities:edit", args=[card.pk])
    stale = _loaded_form(alice_client, url)
    fresh = _loaded_form(manager_client, url)
    fresh["subject"] = "Segunda"
    assert manager_client.post(url, fresh).status_code == 302
    stale["subject"] = "Tercera"
    assert alice_client.post(url, stale).status_code == 200
    card.refresh_from_db()
    assert card.subject == "Segunda"


def test_an_unchanged_record_saves_normally(alice_client, alice):
    person = PersonFactory(owner=alice, city="Lima")
    url = reverse("people:edit", args=[person.pk])
    data = _loaded_form(alice_client, url)
    data["city"] = "Tacna"
    assert alice_client.post(url, data).status_code == 302
    person.refresh_from_db()
    assert person.city == "Tacna"


def test_a_kanban_move_of_a_card_changed_meanwhile_is_refused(alice_client, alice):
    from opportunities.models import Opportunity

    card = OpportunityFactory(pipeline=PipelineFactory(members=[alice]), agent=alice)
    shown = card.updated_at.isoformat()
    first, second = list(card.pipeline.stages.order_by("position"))[:2]
    url = reverse("opportunities:move", args=[card.pk])
    moved = alice_client.post(
        url, {"stage": second.pk, "position": 0, "version": shown}, headers={"HX-Request": "true"}
    )
    assert moved.status_code == 200
    # The board got the new version; the old one no longer moves the card.
    assert moved["X-Version"] != shown
    stale = alice_client.post(
        url, {"stage": first.pk, "position": 0, "version": shown}, headers={"HX-Request": "true"}
    )
    assert stale.status_code == 409
    assert "Reload" in stale.content.decode()
    assert Opportunity.objects.get(pk=card.pk).stage == second
    again = alice_client.post(
        url, {"stage": first.pk, "position": 0, "version": moved["X-Version"]}, headers={"HX-Request": "true"}
    )
    assert again.status_code == 200
    # A status change from a page loaded before is refused the same way.
    response = alice_client.post(
        reverse("opportunities:status", args=[card.pk]),
        {"status": "working", "comment": "Llamé", "version": shown},
        follow=True,
    )
    assert "Reload" in response.content.decode()
    assert Opportunity.objects.get(pk=card.pk).status != "working"


def test_campaigns_and_orders_are_checked_too(manager_client, alice_client, alice, manager):
    from campaigns.tests.factories import CampaignFactory
    from serviceorders.tests.factories import ServiceOrderFactory

    campaign = CampaignFactory(owner=manager, name="Verano")
    url = reverse("campaigns:edit", args=[campaign.pk])
    stale = _loaded_form(manager_client, url)
    fresh = {**stale, "name": "Verano 2027"}
    assert manager_client.post(url, fresh).status_code == 302
    assert manager_client.post(url, {**stale, "name": "Invierno"}).status_code == 200
    campaign.refresh_from_db()
    assert campaign.name == "Verano 2027"

    order = ServiceOrderFactory(assignee=alice, company=CompanyFactory(owner=alice))
    url = reverse("serviceorders:edit", args=[order.number])
    stale = _loaded_form(alice_client, url)
    assert alice_client.post(url, {**stale, "equipment_received": "Laptop"}).status_code == 302
    response = alice_client.post(url, {**stale, "equipment_received": "Impresora"})
    assert response.status_code == 200
    assert response.context["form"].conflict
    order.refresh_from_db()
    assert order.equipment_received == "Laptop"


def test_a_form_opened_before_a_revert_cannot_undo_it(alice_client, admin_client, alice):
    person = PersonFactory(owner=alice, city="Lima", first_name="Ana")
    first = person.history.get()
    person.city = "Trujillo"
    person.save()
    url = reverse("people:edit", args=[person.pk])
    stale = _loaded_form(alice_client, url)  # shows Trujillo
    revert = reverse("crm:history_revert", args=["person", person.pk, first.pgh_id])
    assert admin_client.post(revert).status_code == 302
    stale["first_name"] = "Ana María"
    response = alice_client.post(url, stale)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    person.refresh_from_db()
    assert (person.city, person.first_name) == ("Lima", "Ana")


def test_a_form_opened_before_a_bulk_change_cannot_undo_it(alice_client, manager_client, manager, alice, bob):
    person = PersonFactory(owner=alice, city="Lima")
    url = reverse("people:edit", args=[person.pk])
    stale = _loaded_form(manager_client, url)
    manager_client.post(
        reverse("crm:bulk", kwargs={"kind": "people"}),
        {"action": "reassign", "ids": [person.pk], "user": bob.pk},
    )
    stale["city"] = "Cusco"
    response = manager_client.post(url, stale)
    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.owner, person.city) == (bob, "Lima")


@pytest.mark.parametrize("microsecond", [0, 120_000, 7])
def test_the_version_written_by_postgresql_is_the_one_the_services_compare(alice, microsecond):
    """Feeds read thousands of records' versions as SQL values (versioning.version_sql): each
    must equal what check_version compares, with or without a fraction of a second."""
    import datetime

    from crm.versioning import version_of, version_sql
    from people.models import Person

    at = datetime.datetime(2026, 3, 1, 8, 30, 15, microsecond, tzinfo=datetime.UTC)
    person = PersonFactory(owner=alice)
    Person.objects.filter(pk=person.pk).update(updated_at=at)
    person.refresh_from_db()
    written = Person.objects.filter(pk=person.pk).values_list(version_sql(), flat=True).get()
    assert written == version_of(person)
