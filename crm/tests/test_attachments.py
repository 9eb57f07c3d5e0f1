"""Files attached to people, companies, opportunities and service orders."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.models import Activity
from companies.tests.factories import CompanyFactory
from crm import attachments
from crm.attachments import safe_name
from crm.models import Attachment
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.tests.factories import PersonFactory
from serviceorders.tests.factories import ServiceOrderFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def attach(client, kind: str, pk: int, *files, follow=True):
    url = reverse("crm:attachment_add", args=[kind, pk])
    return client.post(url, {"files": list(files)}, follow=follow)


@pytest.fixture
def records(alice):
    return {
        "person": PersonFactory(owner=alice),
        "company": CompanyFactory(owner=alice),
        "opportunity": OpportunityFactory(agent=alice, pipeline=PipelineFactory(members=[alice])),
        "order": ServiceOrderFactory(assignee=alice),
    }


@pytest.mark.parametrize("kind", ["person", "company", "opportunity", "order"])
def test_several_files_at_once_listed_downloaded_and_on_the_timeline(alice_client, alice, records, kind):
    record = records[kind]
    page = attach(alice_client, kind, record.pk, upload("oferta.pdf", PDF), upload("equipo.png", PNG))
    assert "2 files attached." in page.content.decode()
    html = page.content.decode()
    assert "oferta.pdf" in html
    assert "equipo.png" in html
    attachment = Attachment.objects.get(name="oferta.pdf")
    assert (attachment.size, attachment.content_type, attachment.uploaded_by) == (
        len(PDF),
        "application/pdf",
        alice,
    )
    # Stored under a name of our own, in the private media root.
    assert "oferta" not in attachment.file.name
    assert attachment.file.name.startswith("attachments/")
    download = alice_client.get(reverse("crm:attachment_download", args=[attachment.pk]))
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith('attachment; filename="oferta.pdf"')
    assert download["Content-Type"] == "application/pdf"
    notes = Activity.objects.filter(kind="note", subject__startswith="Attached a file")
    assert notes.count() == 2
    assert "Attached a file: oferta.pdf" in alice_client.get(record.get_absolute_url()).content.decode()


def test_too_large_or_unknown_files_are_refused_and_nothing_is_kept(alice_client, records, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    person = records["person"]
    page = attach(
        alice_client,
        "person",
        person.pk,
        upload("bien.pdf", PDF),
        upload("grande.pdf", PDF + b"x" * 2000),
        upload("programa.exe", b"MZ\x90\x00"),
        upload("pagina.pdf", b"<html><script>alert(1)</script>"),  # a PDF by name only
    ).content.decode()
    assert "grande.pdf is too large (2.0\xa0KB; at most 1.0\xa0KB)." in page
    assert "programa.exe cannot be attached" in page
    assert "pagina.pdf cannot be attached" in page
    assert Attachment.objects.count() == 0  # not even the good one: all or nothing
    assert not Activity.objects.filter(kind="note").exists()
    empty = attach(alice_client, "person", person.pk).content.decode()
    assert "Choose one or more files to attach." in empty


def test_text_and_office_files_are_recognised_by_content(alice_client, records):
    person = records["person"]
    attach(
        alice_client,
        "person",
        person.pk,
        upload("lista.csv", "Nombre;Correo\nJosé;jose@example.pe\n".encode("cp1252")),
        upload("informe.docx", b"PK\x03\x04" + b"\x00" * 30),
    )
    kinds = dict(Attachment.objects.values_list("name", "content_type"))
    assert kinds["lista.csv"] == "text/csv"
    assert kinds["informe.docx"].endswith("wordprocessingml.document")


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ana\\Informe final.pdf", "Informe_final.pdf"),
        ("año\x00\x1f<b>.pdf", "añob.pdf"),
        ("..", "file"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_file_names_are_sanitised(raw, safe):
    assert safe_name(raw) == safe


def test_another_agents_attachments_are_404_and_managers_see_them(
    alice_client, bob_client, manager_client, records
):
    attach(alice_client, "person", records["person"].pk, upload("oferta.pdf", PDF))
    attachment = Attachment.objects.get()
    url = reverse("crm:attachment_download", args=[attachment.pk])
    assert bob_client.get(url).status_code == 404
    assert bob_client.post(reverse("crm:attachment_delete", args=[attachment.pk])).status_code == 404
    assert (
        attach(bob_client, "person", records["person"].pk, upload("x.pdf", PDF), follow=False).status_code
        == 404
    )
    assert manager_client.get(url).status_code == 200
    assert "oferta.pdf" not in bob_client.get(reverse("people:list")).content.decode()


def test_only_the_uploader_or_an_admin_deletes_and_the_timeline_says_so(
    alice_client, manager_client, admin_client, records, django_capture_on_commit_callbacks
):
    person = records["person"]
    attach(alice_client, "person", person.pk, upload("a.pdf", PDF), upload("b.pdf", PDF))
    first, second = Attachment.objects.order_by("name")
    assert manager_client.post(reverse("crm:attachment_delete", args=[first.pk])).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        page = alice_client.post(
            reverse("crm:attachment_delete", args=[first.pk]), follow=True
        ).content.decode()
    assert "a.pdf deleted." in page
    assert admin_client.post(reverse("crm:attachment_delete", args=[second.pk])).status_code == 302
    assert Attachment.objects.count() == 0
    subjects = set(Activity.objects.filter(person=person, kind="note").values_list("subject", flat=True))
    assert {"Deleted an attached file: a.pdf", "Deleted an attached file: b.pdf"} <= subjects
    assert not first.file.storage.exists(first.file.name)  # the file is gone too


@pytest.mark.parametrize("kind", ["person", "company", "opportunity", "order"])
def test_record_pages_keep_a_fixed_number_of_queries(
    alice_client, records, django_assert_max_num_queries, kind
):
    record = records[kind]
    url = record.get_absolute_url()
    with django_assert_max_num_queries(40) as few:
        alice_client.get(url)
    before = len(few.captured_queries)
    attach(alice_client, kind, record.pk, *[upload(f"f{n}.pdf", PDF) for n in range(6)])
    with django_assert_max_num_queries(before):
        alice_client.get(url)


@pytest.mark.parametrize(
    ("name", "content", "stored"),
    [
        ("ok.pdf\x00.html", b"%PDF-1.4 x", "ok.pdf.pdf"),
        ("poly.html", b"%PDF-1.4 <html><script>alert(1)</script>", "poly.pdf"),
        ("photo.JPEG", b"\xff\xd8\xff\xe0 jpeg", "photo.JPEG"),
        ("scan", b"\x89PNG\r\n\x1a\n png", "scan.png"),
    ],
)
def test_the_stored_name_takes_its_extension_from_the_content(alice, name, content, stored):
    person = PersonFactory(owner=alice)
    attachment = attachments.attach(
        record=person, field="person", uploads=[SimpleUploadedFile(name, content)], by=alice
    )[0]
    assert attachment.name == stored
