import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from companies.models import Company
from companies.tests.factories import CompanyFactory
from crm import importing
from people.models import ImportJob

pytestmark = pytest.mark.django_db

HEADERS = ["Razón social", "RUC", "País", "Dirección", "Ciudad", "Teléfono", "Web", "Rubro"]


def _csv(rows, headers=HEADERS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("cp1252")


def _job(user, content, country="PE"):
    return importing.start_job(
        user=user,
        upload=SimpleUploadedFile("empresas.csv", content),
        owner=None,
        kind="companies",
        country=country,
    )


def test_columns_are_guessed():
    job_mapping = importing.IMPORTERS["companies"].guess_mapping(HEADERS)
    assert job_mapping == ["name", "tax_id", "country", "address", "city", "phone", "website", "industry"]


def test_companies_import_with_every_outcome(alice, bob):
    CompanyFactory(owner=alice, name="Andina S.A.C.", country="PE", tax_id="20131312955", city="Lima")
    CompanyFactory(owner=bob, name="Ajena S.A.", country="PE", tax_id="20100070970")
    rows = [
        ["Nueva Empresa S.A.", "", "Perú", "Av. Sol 1", "Cusco", "084 233 444", "nueva.pe", "Turismo"],  # new
        ["ANDINA S.A.C.", "20131312955", "", "", "Arequipa", "", "", ""],  # update by tax id
        ["Ajena S.A.", "20100070970", "", "", "Quito", "", "", ""],  # another owner's
        ["Nueva Empresa S.A.", "", "", "", "", "", "", ""],  # repeated in the file
        ["Mala", "20131312954", "", "", "", "", "", ""],  # bad RUC
        ["", "", "", "", "", "", "", ""],  # blank: not a row
        ["Sin RUC", "", "Narnia", "", "", "", "", ""],  # unknown country
    ]
    job = _job(alice, _csv(rows))
    counts = importing.run(job)
    assert counts.as_dict() == {"rows": 6, "created": 1, "updated": 1, "skipped": 2, "errors": 2}
    new = Company.objects.get(name="Nueva Empresa S.A.")
    assert (new.owner, new.phone, new.website, new.country) == (
        alice,
        "+5184233444",
        "https://nueva.pe",
        "PE",
    )
    assert Company.objects.get(tax_id="20131312955").city == "Arequipa"
    assert Company.objects.get(tax_id="20100070970").city != "Quito"
    report = job.error_report.open("rb").read().decode("utf-8-sig")
    assert "not a valid RUC" in report
    assert "Unknown country: Narnia" in report
    # Again: nothing new.
    again = importing.run(_job(alice, _csv(rows)))
    assert again.created == 0


def test_company_import_pages(alice_client, alice, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    upload = SimpleUploadedFile(
        "empresas.csv", _csv([["Café del Valle", "", "Colombia", "", "", "", "", ""]])
    )
    response = alice_client.post(reverse("companies:import"), {"file": upload, "country": "CO"})
    job = ImportJob.objects.get()
    assert job.kind == "companies"
    assert response["Location"] == job.get_absolute_url()
    mapping = {f"col_{i}": name for i, name in enumerate(job.mapping)}
    response = alice_client.post(reverse("people:import_preview", args=[job.pk]), {"col_1": "tax_id"})
    assert "company name" in response.content.decode()
    alice_client.post(reverse("people:import_preview", args=[job.pk]), mapping)
    alice_client.post(reverse("people:import_confirm", args=[job.pk]))
    assert Company.objects.get().country == "CO"


def test_an_import_does_not_change_a_company_its_agent_only_sees(alice, bob):
    from companies.tests.factories import MembershipFactory
    from people.tests.factories import PersonFactory

    company = CompanyFactory(owner=alice, name="Andina SAC", country="PE", tax_id="", city="Lima")
    MembershipFactory(person=PersonFactory(owner=bob), company=company)
    job = _job(bob, _csv([["Andina SAC", "", "PE", "", "Cusco", "", "", ""]]))
    importing.run(job)
    company.refresh_from_db()
    assert (company.city, company.owner) == ("Lima", alice)
