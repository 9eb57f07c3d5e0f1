"""Custom fields: administrators add them; forms, pages, list filters, import and
export carry them; values are stored by type and checked."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from companies.models import Company
from companies.tests.factories import CompanyFactory
from crm import importing
from crm.models import CustomField
from crm.tests.helpers import form_data
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.models import Person
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields(db):
    def make(model, name, key, type, **extra):
        return CustomField.objects.create(model=model, name=name, key=key, type=type, **extra)

    return {
        "plan": make("people", "Plan", "plan", "choice", choices="Básico\nPro\nEmpresa"),
        "lines": make("people", "Líneas", "lines", "number"),
        "renewal": make("people", "Renovación", "renewal", "date"),
        "vip": make("people", "VIP", "vip", "yesno"),
        "ref": make("people", "Referido por", "ref", "text"),
        "ruc_ok": make("companies", "RUC verificado", "ruc_ok", "yesno"),
        "sector": make("opportunities", "Sector", "sector", "text", required=True),
    }


def test_administrators_add_fields_and_bad_definitions_are_explained(admin_client, alice_client):
    url = reverse("crm:custom_field_create")
    data = {"model": "people", "name": "Plan", "key": "plan", "type": "choice", "choices": "", "position": 0}
    response = admin_client.post(url, {**data, "active": "on"})
    assert "Write the options, one per line." in response.content.decode()
    response = admin_client.post(url, {**data, "key": "Mi Plan", "choices": "A\nB", "active": "on"})
    assert "key" in response.context["form"].errors
    assert admin_client.post(url, {**data, "choices": "A\nB", "active": "on"}).status_code == 302
    again = admin_client.post(url, {**data, "choices": "A", "active": "on"})
    assert "Another field of these records already has this key." in again.content.decode()
    assert CustomField.objects.count() == 1
    assert "Plan" in admin_client.get(reverse("crm:custom_fields")).content.decode()
    assert alice_client.get(reverse("crm:custom_fields")).status_code == 403


def test_person_form_stores_values_by_type_and_the_page_shows_them(alice_client, alice, fields):
    person = PersonFactory(owner=alice)
    url = reverse("people:edit", args=[person.pk])
    data = form_data(alice_client.get(url).context["form"])
    data.update(cf_plan="Pro", cf_lines="12", cf_renewal="2027-03-01", cf_vip="true", cf_ref="Feria Lima")
    assert alice_client.post(url, data).status_code == 302
    person.refresh_from_db()
    assert person.custom == {
        "plan": "Pro",
        "lines": 12,
        "renewal": "2027-03-01",
        "vip": True,
        "ref": "Feria Lima",
    }
    page = alice_client.get(person.get_absolute_url()).content.decode()
    for text in ("Plan", "Pro", "Líneas", "12", "Renovación", "VIP", "Yes", "Feria Lima"):
        assert text in page
    # A bad value stays in the form with its message; nothing is stored.
    data.update(cf_lines="doce", cf_plan="Oro")
    response = alice_client.post(url, data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"cf_lines", "cf_plan"}
    person.refresh_from_db()
    assert person.custom["lines"] == 12
    # Emptied, a value goes away; a deactivated field's value stays.
    CustomField.objects.filter(key="ref").update(active=False)
    data = form_data(alice_client.get(url).context["form"])
    data.update(cf_plan="")
    alice_client.post(url, data)
    person.refresh_from_db()
    assert "plan" not in person.custom
    assert person.custom["ref"] == "Feria Lima"


def test_companies_and_opportunities_have_theirs(alice_client, alice, fields):
    company = CompanyFactory(owner=alice)
    url = reverse("companies:edit", args=[company.pk])
    data = form_data(alice_client.get(url).context["form"])
    data["cf_ruc_ok"] = "true"
    assert alice_client.post(url, data).status_code == 302
    company.refresh_from_db()
    assert company.custom == {"ruc_ok": True}
    card = OpportunityFactory(pipeline=PipelineFactory(members=[alice]), agent=alice)
    url = reverse("opportunities:edit", args=[card.pk])
    data = form_data(alice_client.get(url).context["form"])
    data["cf_sector"] = ""
    assert "cf_sector" in alice_client.post(url, data).context["form"].errors
    data["cf_sector"] = "Minería"
    alice_client.post(url, data)
    card.refresh_from_db()
    assert card.custom == {"sector": "Minería"}
    assert "Minería" in alice_client.get(card.get_absolute_url()).content.decode()


def test_lists_filter_by_custom_values(alice_client, alice, fields):
    pro = PersonFactory(owner=alice, custom={"plan": "Pro", "lines": 12, "vip": True})
    basic = PersonFactory(owner=alice, custom={"plan": "Básico", "lines": 3, "vip": False})
    PersonFactory(owner=alice)

    def listed(**params):
        return {p.pk for p in alice_client.get(reverse("people:list"), params).context["page"]}

    assert listed(cf_plan="Pro") == {pro.pk}
    assert listed(cf_vip="false") == {basic.pk}
    assert listed(cf_lines_min="5") == {pro.pk}
    assert listed(cf_lines_max="5") == {basic.pk}
    page = alice_client.get(reverse("people:list")).content.decode()
    assert 'name="cf_plan"' in page
    assert 'name="cf_lines_min"' in page


def test_export_has_a_column_per_field(alice_client, alice, fields):
    PersonFactory(
        owner=alice,
        first_name="Ana",
        custom={"plan": "Pro", "ref": "=HYPERLINK(1)", "lines": -5, "vip": True, "renewal": "2026-03-01"},
    )
    PersonFactory(owner=alice, first_name="Beto", custom={"vip": False})
    response = alice_client.get(reverse("people:export"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header = rows[0]
    row = next(r for r in rows[1:] if r[0] == "Ana")
    assert row[header.index("Plan")] == "Pro"
    # Spreadsheet formulas are neutralised here too; a negative number stays a number.
    assert row[header.index("Referido por")] == "'=HYPERLINK(1)"
    assert row[header.index("Líneas")] == "-5"
    assert (row[header.index("VIP")], row[header.index("Renovación")]) == ("Yes", "2026-03-01")
    beto = next(r for r in rows[1:] if r[0] == "Beto")
    assert (beto[header.index("VIP")], beto[header.index("Líneas")]) == ("No", "")


def test_import_maps_and_checks_custom_columns(manager, fields):
    content = (
        "Nombre,Correo,Plan,Líneas,VIP\nRosa,rosa@andes.pe,pro,10,sí\nLuis,luis@andes.pe,Oro,2,no\n"
    ).encode()
    job = importing.start_job(
        user=manager, upload=SimpleUploadedFile("gente.csv", content), owner=None, stage="prospect", tags=[]
    )
    assert job.mapping == ["full_name", "email", "cf:plan", "cf:lines", "cf:vip"]
    counts = importing.run(job)
    rosa = Person.objects.get(email="rosa@andes.pe")
    assert rosa.custom == {"plan": "Pro", "lines": 10, "vip": True}
    assert not Person.objects.filter(email="luis@andes.pe").exists()
    assert (counts.created, counts.errors) == (1, 1)
    # A second file updates the values it brings and keeps the others.
    job = importing.start_job(
        user=manager,
        upload=SimpleUploadedFile("gente.csv", b"Nombre,Correo,Plan\nRosa,rosa@andes.pe,Empresa\n"),
        owner=None,
        stage="prospect",
        tags=[],
    )
    importing.run(job)
    rosa.refresh_from_db()
    assert rosa.custom == {"plan": "Empresa", "lines": 10, "vip": True}


def test_company_import_brings_custom_values(manager, fields):
    content = "Razón social;RUC verificado\nAndes SAC;sí\nSur SAC;tal vez\n".encode()
    job = importing.start_job(
        user=manager,
        upload=SimpleUploadedFile("empresas.csv", content),
        owner=None,
        kind="companies",
        country="PE",
    )
    assert job.mapping == ["name", "cf:ruc_ok"]
    counts = importing.run(job)
    assert (counts.created, counts.errors) == (1, 1)
    assert Company.objects.get(name="Andes SAC").custom == {"ruc_ok": True}


def test_help_text_is_shown_as_text_not_markup(alice_client):
    CustomField.objects.create(
        model="people", name="Plan", key="plan", help_text="<img src=x onerror=alert(1)> <b>bold</b>"
    )
    page = alice_client.get(reverse("people:create")).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
