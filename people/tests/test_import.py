"""Importing people: files as real users have them, every row outcome, the
error report, re-import idempotence, the pages and the command."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from companies.models import Membership
from companies.tests.factories import CompanyFactory
from crm import importing as engine
from crm.tests.factories import UserFactory
from people import importing
from people.models import ImportJob, Person, PersonEvent
from people.tests.factories import PersonFactory, TagFactory, import_job

pytestmark = pytest.mark.django_db

HEADERS_ES = ["Nombre", "Apellido", "Correo", "Teléfono", "Ciudad", "País", "Etiquetas", "Empresa", "Cargo"]


def _csv(rows, headers=HEADERS_ES, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def _xlsx(rows, headers=HEADERS_ES) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _import(user, content, **kwargs):
    job = import_job(user, content, **kwargs)
    return job, engine.run(job)


ROW = ["José", "Peña", "jose.pena@example.com", "987 654 321", "Lima", "Perú", "", "", ""]


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ","),
        ("utf-8-sig", ";"),
        ("cp1252", ";"),
        ("latin-1", "\t"),
        ("utf-8", "\t"),
        ("cp1252", ","),
    ],
)
def test_encodings_and_delimiters_as_excel_saves_them(manager, encoding, delimiter):
    job, counts = _import(manager, _csv([ROW], delimiter=delimiter, encoding=encoding))
    assert (job.delimiter, counts.created) == (delimiter, 1)
    person = Person.objects.get()
    assert (person.first_name, person.last_name, person.city) == ("José", "Peña", "Lima")
    assert person.phone == "+51987654321"
    assert person.country == "PE"


def test_xlsx_files(manager):
    job, counts = _import(
        manager,
        _xlsx([["Ana", "Souza", "ana@example.com", 11987654321, "São Paulo", "Brasil", "", "", ""]]),
        name="gente.xlsx",
    )
    assert job.format == "xlsx"
    assert counts.created == 1
    assert Person.objects.get().phone == "+5511987654321"


def test_a_csv_named_xlsx_is_refused(manager):
    with pytest.raises(Exception, match="not a valid XLSX"):
        import_job(manager, b"Nombre\nAna\n", name="trap.xlsx")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Nombre", "Apellido", "Correo electrónico", "Teléfono"],
            ["first_name", "last_name", "email", "phone"],
        ),
        (
            ["Nome", "Sobrenome", "E-mail", "Telefone", "Celular"],
            ["first_name", "last_name", "email", "phone", "mobile"],
        ),
        (
            ["First name", "Last name", "Email", "Mobile", "Company", "Job title"],
            ["first_name", "last_name", "email", "mobile", "company", "position"],
        ),
        (["Nombre", "Correo", "Móvil"], ["full_name", "email", "mobile"]),
        (["Nome completo", "Cidade", "Observações", "Whatever"], ["full_name", "city", "notes", ""]),
    ],
)
def test_headers_in_spanish_portuguese_and_english_are_mapped(headers, expected):
    assert importing.guess_mapping(headers) == expected


def test_every_row_outcome_in_the_preview(alice, bob):
    TagFactory(name="VIP")
    PersonFactory(owner=alice, first_name="Old", email="update@example.com", city="Lima")
    PersonFactory(
        owner=alice,
        email="same@example.com",
        first_name="Same",
        last_name="",
        city="Lima",
        phone="",
        country="PE",
    )
    PersonFactory(owner=bob, email="bob@example.com")
    PersonFactory(owner=alice, email="", phone="+51999888777", first_name="ByPhone")
    rows = [
        ["Nueva", "Persona", "new@example.com", "", "", "", "VIP", "", ""],  # 2 new
        ["Old", "", "update@example.com", "", "Cusco", "", "", "", ""],  # 3 update (email)
        ["Same", "", "same@example.com", "", "Lima", "", "", "", ""],  # 4 skip: unchanged
        ["Otra", "", "new@example.com", "", "", "", "", "", ""],  # 5 skip: same as line 2
        ["Bob's", "", "bob@example.com", "", "Quito", "", "", "", ""],  # 6 skip: another owner
        ["ByPhone", "", "", "+51 999 888 777", "Piura", "", "", "", ""],  # 7 update (phone)
        ["", "Sin nombre", "x@example.com", "", "", "", "", "", ""],  # 8 error: no name
        ["Mal", "Correo", "not-an-email", "", "", "", "", "", ""],  # 9 error: email
        ["Mal", "Tag", "t@example.com", "", "", "", "Nope", "", ""],  # 10 error: tag
        ["Mal", "Fono", "f@example.com", "12", "", "", "", "", ""],  # 11 error: phone
    ]
    job = import_job(alice, _csv(rows))
    counts = engine.preview(job)
    assert counts.as_dict() == {"rows": 10, "created": 1, "updated": 2, "skipped": 3, "errors": 4}
    outcome = {item["line"]: (item["action"], item["reason"]) for item in job.preview}
    assert outcome[2][0] == "new"
    assert outcome[3][0] == "update"
    assert outcome[4] == ("skip", "Already in the CRM, unchanged.")
    assert outcome[5] == ("skip", "Same person as line 2 of the file.")
    assert outcome[6] == ("skip", "Already in the CRM, owned by another user.")
    assert outcome[7][0] == "update"
    assert outcome[8] == ("error", "The name is missing.")
    assert outcome[9] == ("error", "Invalid email: not-an-email")
    assert outcome[10] == ("error", "Unknown tag: Nope")
    assert outcome[11] == ("error", "Invalid phone: 12")
    # A preview writes nothing.
    assert Person.objects.count() == 4
    assert not Person.objects.filter(email="new@example.com").exists()


def test_import_writes_whole_rows_with_history_and_options(manager, alice):
    vip = TagFactory(name="VIP")
    fair = TagFactory(name="Feria")
    company = CompanyFactory(owner=alice, name="Andina S.A.C.")
    existing = PersonFactory(owner=alice, email="old@example.com", city="Lima")
    rows = [
        [
            "Rosa",
            "Quispe",
            "rosa@example.com",
            "987 111 222",
            "Cusco",
            "Perú",
            "VIP",
            "andina s.a.c.",
            "Gerente",
        ],
        ["Old", "", "old@example.com", "", "Arequipa", "", "", "Nueva Empresa", "Jefe"],
        ["Bad", "", "nope", "", "", "", "", "", ""],
    ]
    job, counts = _import(manager, _csv(rows), tags=[fair], owner=alice, stage="interested")
    assert counts.as_dict() == {"rows": 3, "created": 1, "updated": 1, "skipped": 0, "errors": 1}
    rosa = Person.objects.get(email="rosa@example.com")
    assert (rosa.owner, rosa.stage, rosa.phone, rosa.country) == (alice, "interested", "+51987111222", "PE")
    assert set(rosa.tags.all()) == {vip, fair}
    assert Membership.objects.get(person=rosa).company == company
    assert rosa.events.get().kind == PersonEvent.Kind.CREATED
    assert list(Person.objects.filter(search=importing_search("quispe"))) == [rosa]
    existing.refresh_from_db()
    assert existing.city == "Arequipa"
    assert set(existing.tags.all()) == {fair}
    assert existing.memberships.get().company.name == "Nueva Empresa"
    assert existing.events.filter(kind=PersonEvent.Kind.UPDATED).exists()
    # The error report: the failed rows with a reason column, ready to fix.
    report = job.error_report.open("rb").read().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(report)))
    assert lines[0] == [*HEADERS_ES, "Error"]
    assert lines[1][0] == "Bad"
    assert lines[1][-1] == "Invalid email: nope"


def importing_search(word):
    from people.filters import text_query

    return text_query(word)


def test_reimporting_the_same_file_creates_nothing_twice(manager):
    content = _csv([ROW, ["Ana", "Lima", "ana@example.com", "", "", "", "", "", ""]])
    _import(manager, content)
    _job2, counts = _import(manager, content)
    assert counts.created == 0
    assert counts.skipped == 2
    assert Person.objects.count() == 2


def test_an_agent_imports_for_themself(alice, bob):
    _import(alice, _csv([ROW]), owner=bob)
    assert Person.objects.get().owner == alice


def test_discarded_people_are_not_matched(manager, alice):
    from people import services

    gone = PersonFactory(owner=alice, email="jose.pena@example.com")
    services.person_discard(person=gone, by=alice)
    _job, counts = _import(manager, _csv([ROW]))
    assert counts.created == 1


def test_large_files_are_imported_in_chunks(manager, monkeypatch):
    monkeypatch.setattr(engine, "CHUNK", 7)
    rows = [[f"P{n}", "Test", f"p{n}@example.com", "", "", "", "", "", ""] for n in range(30)]
    rows.append(["Dup", "", "p3@example.com", "", "", "", "", "", ""])
    _job, counts = _import(manager, _csv(rows))
    assert counts.as_dict() == {"rows": 31, "created": 30, "updated": 0, "skipped": 1, "errors": 0}
    assert Person.objects.count() == 30


def test_hostile_cells_are_stored_as_text(manager):
    rows = [["<script>x</script>", '=HYPERLINK("http://x")', "h@example.com", "", "", "", "", "", ""]]
    _import(manager, _csv(rows))
    person = Person.objects.get()
    assert person.first_name == "<script>x</script>"


# The pages ---------------------------------------------------------------------


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_upload_check_columns_preview_confirm(alice_client, alice, immediate_tasks):
    upload = SimpleUploadedFile("gente.csv", _csv([ROW, ["", "", "bad", "", "", "", "", "", ""]]))
    response = alice_client.post(reverse("people:import"), {"file": upload, "stage": "prospect"})
    job = ImportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    page = alice_client.get(job.get_absolute_url())
    assert page.context["mapping_form"] is not None
    mapping = {f"col_{i}": name for i, name in enumerate(job.mapping)}
    alice_client.post(reverse("people:import_preview", args=[job.pk]), mapping)
    job.refresh_from_db()
    assert job.status == "previewed"
    assert (job.created, job.errors) == (1, 1)
    assert not Person.objects.exists()
    content = alice_client.get(job.get_absolute_url()).content.decode()
    assert "Confirm the import" in content
    alice_client.post(reverse("people:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done"
    assert job.progress == 100
    assert Person.objects.get().owner == alice
    # Confirming twice does nothing more.
    alice_client.post(reverse("people:import_confirm", args=[job.pk]))
    assert Person.objects.count() == 1
    report = alice_client.get(reverse("people:import_errors", args=[job.pk]))
    assert b"The name is missing." in b"".join(report.streaming_content)
    history = alice_client.get(reverse("people:imports"))
    assert list(history.context["page"]) == [job]


def test_the_user_adjusts_the_mapping(alice_client, alice, immediate_tasks):
    job = import_job(alice, _csv([["Ana", "Rojas", "ana@example.com"]], headers=["Col A", "Col B", "Col C"]))
    assert job.mapping == ["", "", ""]
    response = alice_client.post(reverse("people:import_preview", args=[job.pk]), {"col_0": "email"})
    assert response.status_code == 200
    assert "first name or the full name" in response.content.decode()
    response = alice_client.post(
        reverse("people:import_preview", args=[job.pk]), {"col_0": "first_name", "col_1": "first_name"}
    )
    assert "one column only" in response.content.decode()
    alice_client.post(
        reverse("people:import_preview", args=[job.pk]),
        {"col_0": "first_name", "col_1": "last_name", "col_2": "email"},
    )
    job.refresh_from_db()
    assert job.created == 1


def test_progress_is_shown_while_running(alice_client, alice):
    job = import_job(alice, _csv([ROW]))
    ImportJob.objects.filter(pk=job.pk).update(status="importing", progress=42)
    response = alice_client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    content = response.content.decode()
    assert 'hx-trigger="every 1s"' in content
    assert "42%" in content
    assert "<html" not in content


def test_bad_files_get_a_clear_message(alice_client):
    zip_not_workbook = io.BytesIO()
    with zipfile.ZipFile(zip_not_workbook, "w") as archive:
        archive.writestr("evil.sh", "rm -rf /")
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
    for name, content in [
        ("x.csv", b""),
        ("x.xlsx", b"not a zip"),
        ("x.bin", b"\x00\x01\x02" * 10),
        ("picture.csv", png),
        ("book.xlsx", zip_not_workbook.getvalue()),
    ]:
        response = alice_client.post(
            reverse("people:import"), {"file": SimpleUploadedFile(name, content), "stage": "prospect"}
        )
        assert response.status_code == 200
        assert "file" in response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_files_are_too_big_or_stored_under_our_own_name(alice_client, alice, settings):
    settings.IMPORT_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.csv", b"nombre,email\n" + b"Ana,ana@x.pe\n" * 200)
    response = alice_client.post(reverse("people:import"), {"file": big, "stage": "prospect"})
    assert "file" in response.context["form"].errors
    assert not ImportJob.objects.exists()
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    script = SimpleUploadedFile("shell.php", _csv([ROW]))
    alice_client.post(reverse("people:import"), {"file": script, "stage": "prospect"})
    job = ImportJob.objects.get()
    assert job.original_name == "shell.php"
    assert job.file.name.endswith(".csv")
    assert "shell" not in job.file.name
    # Uploads are never served as files: only the import pages read them.
    for prefix in ("/", "/media/", settings.STATIC_URL):
        assert alice_client.get(f"{prefix}{job.file.name}").status_code == 404


def test_import_needs_the_permission(db):
    from django.test import Client

    user = UserFactory(username="noimport", can_import=False)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("people:import")).status_code == 403
    assert client.get(reverse("people:imports")).status_code == 403


def test_other_agent_cannot_see_an_import(bob_client, alice):
    job = import_job(alice, _csv([ROW]))
    assert bob_client.get(job.get_absolute_url()).status_code == 404
    assert bob_client.post(reverse("people:import_confirm", args=[job.pk])).status_code == 404


def test_managers_see_the_team_history(manager_client, alice):
    job = import_job(alice, _csv([ROW]))
    assert list(manager_client.get(reverse("people:imports")).context["page"]) == [job]


@pytest.mark.parametrize("count", [1, 30])
def test_history_query_count(alice_client, alice, django_assert_max_num_queries, count):
    for _ in range(count):
        import_job(alice, _csv([ROW]))
    with django_assert_max_num_queries(7):
        assert alice_client.get(reverse("people:imports")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_import(alice):
    """The real task backend and worker: enqueue, then one pass of db_worker."""
    from people import tasks

    job = import_job(alice, _csv([ROW]))
    job.status = "importing"
    job.save()
    tasks.run_import.enqueue(job.pk)
    assert not Person.objects.exists()
    call_command("db_worker", batch=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == "done"
    assert Person.objects.count() == 1


# The command -----------------------------------------------------------------


def test_import_people_command(tmp_path, admin_user, alice, capsys):
    vip = TagFactory(name="VIP")
    path = tmp_path / "gente.csv"
    path.write_bytes(_csv([ROW, ["", "", "bad", "", "", "", "", "", ""]], delimiter=";", encoding="cp1252"))
    call_command("import_people", str(path), "--dry-run")
    assert capsys.readouterr().out.strip().splitlines()[-1] == "rows=2 created=1 updated=0 skipped=0 errors=1"
    assert not Person.objects.exists()
    call_command("import_people", str(path), "--owner", "alice", "--tag", "vip")
    assert capsys.readouterr().out.strip().splitlines()[-1] == "rows=2 created=1 updated=0 skipped=0 errors=1"
    person = Person.objects.get()
    assert person.owner == alice
    assert list(person.tags.all()) == [vip]
    call_command("import_people", str(path))
    assert capsys.readouterr().out.strip().splitlines()[-1] == "rows=2 created=0 updated=0 skipped=1 errors=1"


def test_the_error_report_neutralises_formulas_as_exports_do(manager):
    rows = [
        ['=HYPERLINK("http://x")', "", "bad-email", "", "", "", "", "", ""],
        ["+cmd|' /C calc'!A0", "Ruiz", "bad-email", "", "", "", "", "", ""],
        ["@SUM(1+1)", "Díaz", "bad-email", "-2+3", "", "", "", "", ""],
    ]
    job, counts = _import(manager, _csv(rows))
    job.save()
    assert counts.errors == 3
    text = job.error_report.read().decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")], cells
    assert '\'=HYPERLINK("http://x")' in cells


def test_the_admin_site_reads_and_exports_people_but_neither_imports_nor_edits_them(admin_client, alice):
    from django.urls import NoReverseMatch

    person = PersonFactory(owner=alice)
    with pytest.raises(NoReverseMatch):
        reverse("admin:people_person_import")
    assert admin_client.get(reverse("admin:people_person_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:people_person_export")).status_code == 200
    change = reverse("admin:people_person_change", args=[person.pk])
    admin_client.post(change, {"first_name": "Changed", "last_name": "x", "stage": "client"})
    person.refresh_from_db()
    assert person.first_name != "Changed"


BRAZILIAN_FILE = (
    "Nome;Sobrenome;E-mail;Celular;Telefone;Cidade\n"
    "João;Silva;joao@exemplo.com.br;(21) 99876-5432;(21) 3456-7890;Rio de Janeiro\n"
    "Maria;Souza;maria@exemplo.com.br;11 98765-4321;;São Paulo\n"
    "Ana;Lima;ana@exemplo.com.br;+51 987 654 321;;Lima\n"
    "Pedro;Costa;pedro@exemplo.com.br;12;;Niterói\n"
)


def test_a_brazilian_agent_imports_a_portuguese_file_with_local_numbers(alice, alice_client, immediate_tasks):
    """A Brazilian agent in a Peruvian team: the import page offers Brazil, and the file's
    local numbers are read as Brazilian; a number with its code keeps its country."""
    alice.language, alice.country = "pt-br", "BR"
    alice.save()
    page = alice_client.get(reverse("people:import"))
    assert page.context["form"]["country"].value() == "BR"
    upload = SimpleUploadedFile("clientes.csv", BRAZILIAN_FILE.encode())
    alice_client.post(reverse("people:import"), {"file": upload, "stage": "prospect", "country": "BR"})
    job = ImportJob.objects.get()
    alice_client.post(
        reverse("people:import_preview", args=[job.pk]), {f"col_{i}": n for i, n in enumerate(job.mapping)}
    )
    alice_client.post(reverse("people:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert (job.created, job.errors) == (3, 1)
    people = {p.first_name: (p.mobile, p.phone, p.country) for p in Person.objects.all()}
    assert people == {
        "João": ("+5521998765432", "+552134567890", "BR"),
        "Maria": ("+5511987654321", "", "BR"),
        "Ana": ("+51987654321", "", "BR"),
    }
    report = b"".join(alice_client.get(reverse("people:import_errors", args=[job.pk])).streaming_content)
    assert "Telefone inválido: 12".encode() in report


def test_the_command_reads_the_files_country(alice, tmp_path):
    path = tmp_path / "clientes.csv"
    path.write_text(BRAZILIAN_FILE)
    out = io.StringIO()
    call_command("import_people", str(path), "--owner", "alice", "--country", "br", stdout=out)
    assert "created=3" in out.getvalue()
    assert Person.objects.get(first_name="João").mobile == "+5521998765432"


def test_what_the_files_people_consented_to_is_recorded_with_the_file(alice_client, alice, immediate_tasks):
    from crm import consent

    upload = SimpleUploadedFile("feria-2026.csv", _csv([ROW]))
    alice_client.post(
        reverse("people:import"), {"file": upload, "stage": "prospect", "consent": ["sales", "marketing"]}
    )
    job = ImportJob.objects.get()
    mapping = {f"col_{i}": name for i, name in enumerate(job.mapping)}
    alice_client.post(reverse("people:import_preview", args=[job.pk]), mapping)
    alice_client.post(reverse("people:import_confirm", args=[job.pk]))
    person = Person.objects.get()
    rows = set(person.consents.values_list("channel", "purpose", "source", "text"))
    note = "Import file: feria-2026.csv"
    assert rows == {
        ("email", "sales", "import", note),
        ("phone", "sales", "import", note),
        ("whatsapp", "sales", "import", note),
        ("email", "marketing", "import", note),
    }
    assert consent.may_contact(person, "email", "marketing")


def test_an_importer_that_queries_while_cleaning_fails_loudly(manager, monkeypatch):
    """Rows are cleaned ahead, in another thread, outside the chunk's transaction: an importer
    whose clean() reads the database would read outside it, so that query is refused."""

    def clean(chunk, state):
        Person.objects.exists()

    monkeypatch.setattr(engine.IMPORTERS["people"], "clean", clean)
    job = import_job(manager, _csv([ROW]))
    with pytest.raises(RuntimeError, match="clean"):
        engine.run(job)
    assert not Person.objects.exists()
