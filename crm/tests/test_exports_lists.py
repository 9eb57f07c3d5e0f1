"""Exports of the lists: filters, scoping, languages, formats, safety."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from companies.tests.factories import CompanyFactory
from crm import exports
from crm.models import ExportJob
from crm.tests.factories import ActivityFactory, UserFactory
from people import services
from people.models import Person
from people.tests.factories import PersonFactory, TagFactory

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def _xlsx(response) -> list[list]:
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_people_export_follows_the_filters_and_the_scope(alice_client, alice, bob):
    PersonFactory(owner=alice, first_name="Ana", stage="client")
    PersonFactory(owner=alice, first_name="Beto", stage="prospect")
    PersonFactory(owner=bob, first_name="Carla", stage="client")
    rows = _csv(alice_client.get(reverse("people:export"), {"stage": "client"}))
    assert rows[0][:3] == ["First name", "Last name", "Email"]
    assert [r[0] for r in rows[1:]] == ["Ana"]


def test_discarded_people_only_in_the_admins_discarded_export(admin_client, alice_client, alice):
    gone = PersonFactory(owner=alice, first_name="Gone")
    PersonFactory(owner=alice, first_name="Here")
    services.person_discard(person=gone, by=alice, reason="dup")
    assert [r[0] for r in _csv(alice_client.get(reverse("people:export")))[1:]] == ["Here"]
    assert [r[0] for r in _csv(admin_client.get(reverse("people:export")))[1:]] == ["Here"]
    discarded = _csv(admin_client.get(reverse("people:discarded_export")))
    assert [r[0] for r in discarded[1:]] == ["Gone"]
    assert discarded[1][-1] == "dup"
    assert alice_client.get(reverse("people:discarded_export")).status_code == 403


def test_headers_follow_the_users_language(alice_client, alice):
    alice.language = "pt-br"
    alice.save()
    PersonFactory(owner=alice, stage="interested")
    rows = _csv(alice_client.get(reverse("people:export")))
    assert rows[0][:2] == ["Nome", "Sobrenome"]
    assert "Interessado" in rows[1]


def test_tags_and_companies_are_listed_in_one_cell(alice_client, alice):
    person = PersonFactory(owner=alice, tags=[TagFactory(name="B"), TagFactory(name="A")])
    from companies.tests.factories import MembershipFactory

    MembershipFactory(person=person, company=CompanyFactory(owner=alice, name="Zeta"))
    MembershipFactory(person=person, company=CompanyFactory(owner=alice, name="Alfa"))
    header, row = _csv(alice_client.get(reverse("people:export")))
    assert row[header.index("Tags")] == "A, B"
    assert row[header.index("Companies")] == "Alfa, Zeta"


def test_csv_rows_keep_the_lists_order_with_their_lists_and_the_teams_clock(alice_client, alice, admin_user):
    """PostgreSQL writes the CSV: the rows in the list's sort, every person's tags and companies
    in their row, times on the team's clock, labels in the user's language."""
    from crm import services as crm_services

    crm_services.team_settings_save(by=admin_user, time_zone="America/Lima")
    moment = datetime.datetime(2026, 3, 1, 3, 30, tzinfo=datetime.UTC)
    people = [
        PersonFactory(owner=alice, first_name=name, last_name=last, stage="client")
        for name, last in (("Carla", "Zapata"), ("Ana", "Arias"), ("Beto", "Mora"))
    ]
    Person.objects.filter(pk__in=[p.pk for p in people]).update(created_at=moment)
    people[0].tags.set([TagFactory(name="VIP"), TagFactory(name="Lima")])
    people[2].tags.set([TagFactory(name="Norte")])
    from companies.tests.factories import MembershipFactory

    MembershipFactory(person=people[1], company=CompanyFactory(owner=alice, name="=Andes"))
    header, *rows = _csv(alice_client.get(reverse("people:export"), {"sort": "name"}))
    column = {name: header.index(name) for name in ("Tags", "Companies", "Created", "Stage")}
    assert [(r[0], r[column["Tags"]], r[column["Companies"]]) for r in rows] == [
        ("Ana", "", "'=Andes"),
        ("Beto", "Norte", ""),
        ("Carla", "Lima, VIP", ""),
    ]
    assert {(r[column["Created"]], r[column["Stage"]]) for r in rows} == {("2026-02-28 22:30", "Client")}


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"])
def test_formulas_are_neutralised_in_csv_and_are_text_in_xlsx(alice_client, alice, value):
    """CSV has no types: a leading apostrophe. XLSX cells are typed: the text as typed, as text."""
    PersonFactory(owner=alice, first_name=value)
    assert _csv(alice_client.get(reverse("people:export")))[1][0] == "'" + value
    content = b"".join(alice_client.get(reverse("people:export"), {"format": "xlsx"}).streaming_content)
    cell = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]["A2"]
    assert (cell.value, cell.data_type) == (value, "s")


def test_real_numbers_stay_numbers_and_phones_text_in_xlsx():
    """Phones keep their "+" without an apostrophe that mailing and SMS tools would keep."""
    buffer = io.BytesIO()
    exports.write_xlsx(buffer, "t", ["Amount", "Text"], [[-2, "-2"], [10.5, "x"], [1, "+51987111222"]])
    buffer.seek(0)
    sheet = openpyxl.load_workbook(buffer).worksheets[0]
    assert list(sheet.iter_rows(values_only=True))[1:] == [(-2, "-2"), (10.5, "x"), (1, "+51987111222")]
    assert {cell.data_type for row in sheet.iter_rows(min_col=2) for cell in row} == {"s"}


def test_small_xlsx_is_built_in_the_request(alice_client, alice):
    PersonFactory(owner=alice, first_name="Ana", created_at=timezone.now())
    response = alice_client.get(reverse("people:export"), {"format": "xlsx"})
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = _xlsx(response)
    assert rows[1][0] == "Ana"


def test_large_xlsx_is_written_by_the_worker_with_a_download_link(
    alice_client, alice, bob_client, settings, monkeypatch
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(exports, "XLSX_SYNC_LIMIT", 3)
    PersonFactory.create_batch(5, owner=alice)
    response = alice_client.get(reverse("people:export"), {"format": "xlsx"})
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("crm:export_detail", args=[job.pk])
    assert job.status == "done"
    assert job.rows == 5
    page = alice_client.get(reverse("crm:export_detail", args=[job.pk])).content.decode()
    assert reverse("crm:export_download", args=[job.pk]) in page
    rows = _xlsx(alice_client.get(reverse("crm:export_download", args=[job.pk])))
    assert len(rows) == 6
    assert bob_client.get(reverse("crm:export_download", args=[job.pk])).status_code == 404
    # Her bell says it is ready, and links to it.
    from activities.models import Notification

    told = Notification.objects.get(user=alice)
    assert (told.text, told.url) == (f"Finished: {job.filename}", reverse("crm:export_detail", args=[job.pk]))


def test_export_page_polls_while_the_worker_writes(alice_client, alice):
    job = ExportJob.objects.create(
        created_by=alice, source="people", format="xlsx", filename="x.xlsx", progress=30
    )
    content = alice_client.get(
        reverse("crm:export_detail", args=[job.pk]), headers={"HX-Request": "true"}
    ).content
    assert b'hx-trigger="every 1s"' in content
    assert b"30%" in content


def test_export_needs_the_permission(db):
    user = UserFactory(username="noexport", can_export=False)
    client = Client()
    client.force_login(user)
    for name in (
        "people:export",
        "companies:export",
        "activities:activities_export",
        "activities:reminders_export",
    ):
        assert client.get(reverse(name)).status_code == 403
    assert "people/export/" not in client.get(reverse("people:list")).content.decode()


def test_companies_activities_reminders_and_tag_exports(alice_client, alice, bob):
    CompanyFactory(owner=alice, name="Mía S.A.")
    CompanyFactory(owner=bob, name="Ajena S.A.")
    assert [r[0] for r in _csv(alice_client.get(reverse("companies:export")))[1:]] == ["Mía S.A."]
    person = PersonFactory(owner=alice, first_name="Rosa")
    ActivityFactory(person=person, owner=alice, subject="Call done", done_at=None)
    ActivityFactory(person=person, owner=alice, subject="Remind me", done_at=None, due_at=timezone.now())
    activities = _csv(alice_client.get(reverse("activities:activities_export")))
    assert {r[5] for r in activities[1:]} == {"Call done", "Remind me"}
    reminders = _csv(alice_client.get(reverse("activities:reminders_export")))
    assert [r[5] for r in reminders[1:]] == ["Remind me"]
    tag = TagFactory()
    PersonFactory(owner=alice, first_name="Tagged", tags=[tag])
    PersonFactory(owner=bob, first_name="Hidden", tags=[tag])
    rows = _xlsx(alice_client.get(reverse("people:tag_export", args=[tag.pk]), {"format": "xlsx"}))
    assert [r[0] for r in rows[1:]] == ["Tagged"]


def test_list_pages_offer_export_links_with_their_filters(alice_client, alice):
    content = alice_client.get(reverse("people:list"), {"stage": "client", "page": "2"}).content.decode()
    assert f"{reverse('people:export')}?stage=client&amp;format=csv" in content
