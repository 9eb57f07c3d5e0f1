"""Browser journey: an administrator answers a person's access request (the worker writes the
ZIP while the page shows its progress, then the download) and then erases the person: a wrong
name is refused next to the field with what was typed kept, the right one erases them, and the
Personal data page's log shows only their number."""

from __future__ import annotations

import zipfile

import pytest
from playwright.sync_api import expect

from crm.models import Erasure
from crm.tests.browser import speaking, variants
from crm.tests.factories import PASSWORD
from people.models import Person
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)


@variants("es-desktop")
def test_an_admin_answers_an_access_request_then_erases_the_person(
    journey, task_worker, admin_user, alice, tmp_path
):
    person = PersonFactory(owner=alice, first_name="Zoila", last_name="Mendoza", email="zoila@ejemplo.pe")
    speaking(journey, admin_user)
    page = journey.page
    journey.sign_in("admin", PASSWORD)
    journey.go(person.get_absolute_url())
    page.get_by_role("button", name=journey.t("Personal data")).click()
    page.get_by_role("button", name=journey.t("Download everything we hold (access request)")).click()
    expect(page.locator("h1")).to_have_text(journey.t("Access request"))
    task_worker.start()
    download_link = page.get_by_role("link", name=journey.t("Download"))
    expect(download_link).to_be_visible(timeout=30_000)  # the page polls until the worker is done
    journey.shot("access-request")
    with page.expect_download() as download:
        download_link.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert "zoila@ejemplo.pe" in archive.read("data.json").decode()
        assert "Zoila Mendoza" in archive.read("summary.html").decode()

    journey.go(person.get_absolute_url())
    page.get_by_role("button", name=journey.t("Personal data")).click()
    page.get_by_role("link", name=journey.t("Erase this person…")).click()
    page.fill("#id_name", "Zoila")
    page.get_by_role("button", name=journey.t("Erase for good")).click()
    error = page.locator("#id_name ~ .invalid-feedback, .invalid-feedback")
    expect(error.first).to_contain_text(journey.t("That is not the person's name: nothing was erased."))
    expect(page.locator("#id_name")).to_have_value("Zoila")
    assert Person.objects.get(pk=person.pk).erased_at is None
    journey.shot("erase-refused")
    page.fill("#id_name", "zoila mendoza")  # any case
    journey.confirm(page.get_by_role("button", name=journey.t("Erase for good")))
    expect(page.locator(".alert-success")).to_contain_text(str(person.pk))
    expect(page.locator("#privacy-erasures tbody tr").first).to_contain_text(str(person.pk))
    expect(page.locator("#privacy-erasures")).not_to_contain_text("Zoila")
    journey.shot("erasure-log")
    entry = Erasure.objects.get()
    assert (entry.person_number, entry.by) == (person.pk, admin_user)
    # The person is gone from the CRM's pages.
    assert page.request.get(journey.url(person.get_absolute_url())).status == 404
