"""Saving over a newer version is refused with both versions shown; never a silent overwrite."""

import pytest
from django.urls import reverse

from companies.tests.factories import CompanyFactory
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _loaded_form(client, url) -> dict:
    """What the browser would post back: the form's initial values, version included."""
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(getattr(value, "pk", value))
    return data


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
