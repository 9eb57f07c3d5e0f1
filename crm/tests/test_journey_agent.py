"""A sales agent's day, in a real browser (see crm/tests/browser.py)."""

from __future__ import annotations

import datetime
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Activity
from campaigns.tests.factories import CampaignFactory
from companies.tests.factories import CompanyFactory
from crm.models import User
from crm.tests.browser import variants
from crm.tests.factories import PASSWORD, ActivityFactory, UserFactory
from opportunities.models import Opportunity
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.models import Person
from people.tests.factories import PersonFactory, TagFactory
from serviceorders.models import ServiceOrder
from serviceorders.tests.factories import ServiceOrderFactory

pytestmark = pytest.mark.django_db(transaction=True)

CSV = (
    "Nombre;Apellido;Correo;Teléfono;Ciudad\n"
    "Lucía;Quispe;lucia.quispe@example.pe;987 654 321;Cusco\n"
    "Mateo;Huamán;mateo.huaman@example.pe;912 345 678;Arequipa\n"
    "Valentina;Rojas;valentina.rojas@example.pe;934 567 890;Lima\n"
)


@pytest.fixture
def day(db):
    """What the agent finds in the CRM in the morning."""
    agent = UserFactory(username="carla", name="Carla Vendedora", role=User.Role.AGENT, language="")
    existing = PersonFactory(first_name="Rosa", last_name="Pérez", email="rosa.perez@example.pe", owner=agent)
    TagFactory(name="Feria 2026", color="green")
    campaign = CampaignFactory(name="Verano 2026", owner=agent)
    board = PipelineFactory(name="Ventas", members=[agent])
    stages = list(board.stages.order_by("position"))
    card = OpportunityFactory(
        pipeline=board, stage=stages[0], subject="Licencias para Andes SAC", agent=agent
    )
    order = ServiceOrderFactory(
        assignee=agent, company=CompanyFactory(name="Andes SAC"), detail="Instalar red"
    )
    # Yesterday's reminder she has not done yet: the overdue counter shows it.
    ActivityFactory(
        person=existing,
        owner=agent,
        subject="Llamar a Rosa por la propuesta",
        done_at=None,
        due_at=timezone.now() - datetime.timedelta(days=1),
    )
    return {
        "agent": agent,
        "existing": existing,
        "campaign": campaign,
        "board": board,
        "stages": stages,
        "card": card,
        "order": order,
    }


# Both languages and the phone: Spanish on a desktop is walked by the admin's, the manager's
# and the agenda's journeys (the three variants cost this long journey a minute of the suite).
@variants("pt-desktop", "es-phone")
def test_an_agents_day(journey, task_worker, day, tmp_path):
    page = journey.page
    journey.sign_in("carla", PASSWORD)
    journey.shot("home")

    # A new prospect who is already in the CRM: the form warns before saving a duplicate.
    journey.go("/people/new/")
    page.fill("#id_first_name", "Rosa")
    page.fill("#id_last_name", "Pérez")
    page.fill("#id_email", "ROSA.PEREZ@example.pe")
    page.get_by_role("button", name=journey.t("Save"), exact=True).click()
    warning = page.get_by_role("alert").filter(has_text=journey.t("This person may already be in the CRM"))
    warning.wait_for()
    assert "Rosa Pérez" in warning.inner_text()
    journey.shot("duplicate-warning")
    assert Person.objects.filter(email__iexact="rosa.perez@example.pe").count() == 1
    # A different Rosa Pérez after all: she checks the box and saves with a new email.
    page.fill("#id_email", "rosa.perez.cusco@example.pe")
    page.check("#id_confirm_duplicate")
    page.get_by_role("button", name=journey.t("Save"), exact=True).click()
    page.wait_for_url(re.compile(r"/people/\d+/$"))
    journey.shot("person-saved")
    assert Person.objects.filter(first_name="Rosa", last_name="Pérez").count() == 2

    # An import: upload, check the columns, preview, confirm, and watch the progress bar.
    csv_file = tmp_path / "prospectos feria.csv"
    csv_file.write_text(CSV, encoding="utf-8")
    journey.go("/people/")
    page.get_by_role("link", name=journey.t("Import")).click()
    page.set_input_files("#id_file", str(csv_file))
    page.get_by_label("Feria 2026").check()
    journey.shot("import-upload")
    page.get_by_role("button", name=journey.t("Upload and check the columns")).click()
    page.get_by_role("heading", name=journey.t("1. Check the columns")).wait_for()
    journey.shot("import-columns")
    task_worker.start()
    page.get_by_role("button", name=journey.t("Preview the import")).click()
    page.get_by_role("heading", name=journey.t("2. Preview")).wait_for()
    journey.shot("import-preview")
    expect(page.locator("#import-status .badge").filter(has_text=journey.t("New"))).to_have_count(3)
    # The worker is busy elsewhere for a moment: the confirmed import waits with its progress bar.
    task_worker.stop()
    page.get_by_role("button", name=journey.t("Confirm the import")).click()
    page.get_by_role("progressbar").wait_for()
    journey.shot("import-progress")
    task_worker.start()
    page.locator("#import-status .alert-success").wait_for()
    journey.shot("import-done")
    imported = Person.objects.filter(email__endswith="@example.pe", tags__name="Feria 2026")
    assert imported.count() == 3
    assert set(imported.values_list("owner__username", flat=True)) == {"carla"}

    # Tags one more person by hand, from her page.
    journey.go(day["existing"].get_absolute_url())
    tags = page.locator("#person-tags")
    tags.locator("#add-tag").select_option(label="Feria 2026")
    tags.get_by_role("button", name=journey.t("Add"), exact=True).click()
    tags.locator(".tag-chip", has_text="Feria 2026").wait_for()
    journey.shot("tagged")
    assert day["existing"].tags.filter(name="Feria 2026").exists()

    # Everyone with the tag goes into the summer campaign, from the filtered People list.
    journey.go("/people/")
    journey.open_filters()
    with page.expect_response(lambda response: "tag=" in response.url):
        page.locator("#id_tag").select_option(label="Feria 2026")
    # htmx swaps the rows in after the response: wait for the filtered list, not the old one.
    expect(page.locator("#people-rows tbody tr")).to_have_count(4)
    page.locator("#people-rows tbody tr").filter(has_text="Valentina").wait_for()
    journey.shot("people-filtered")
    # Exports and "add to a campaign" follow the filters htmx applied without a reload.
    tag = day["existing"].tags.get().pk
    export = urlsplit(page.get_by_role("link", name="CSV").get_attribute("href"))
    assert (export.path, parse_qs(export.query)["tag"], parse_qs(export.query)["format"]) == (
        "/people/export/",
        [str(tag)],
        ["csv"],
    )
    page.get_by_role("link", name=journey.t("Add to a campaign")).click()
    page.locator("#id_campaign").select_option(label=day["campaign"].name)
    journey.shot("add-to-campaign")
    page.get_by_role("button", name=journey.t("Add them")).click()
    page.wait_for_url(re.compile(rf"/campaigns/{day['campaign'].pk}/"))
    journey.shot("campaign")
    assert day["campaign"].members.count() == 4

    # A call with Rosa, and a reminder to call again tomorrow morning.
    overdue = page.locator("nav.navbar a[href='/reminders/'] .badge.text-bg-danger")
    assert overdue.inner_text().split()[0] == "1"
    # She finds Rosa from the top bar's search ("/" goes to it), typing without accents;
    # on a phone, through the search page.
    if journey.variant.phone:
        page.get_by_role("link", name=journey.t("Search everything")).click()
        page.fill("#search-page-q", "rosa perez")
        results = page.locator("#search-page-results")
    else:
        page.locator("main h1").first.click()
        page.keyboard.press("/")
        page.keyboard.type("rosa perez")
        results = page.locator("#global-search-results")
    hit = results.get_by_role("link", name=re.compile(r"Rosa Pérez rosa\.perez@example\.pe"))
    hit.wait_for()
    assert results.get_by_text(journey.t("People"), exact=False).count() >= 1
    journey.shot("global-search")
    hit.click()
    page.wait_for_url(re.compile(rf"/people/{day['existing'].pk}/"))
    if not journey.variant.phone:
        # "?" lists the keyboard shortcuts.
        page.locator("main h1").first.click()
        page.keyboard.press("?")
        page.locator("#shortcuts-help.show").wait_for()
        journey.shot("shortcuts")
        page.wait_for_function(
            "() => document.getElementById('shortcuts-help').contains(document.activeElement)"
        )
        page.keyboard.press("Escape")
        page.locator("#shortcuts-help.show").wait_for(state="detached")
    page.locator("label[for=qa-kind-call]").click()
    page.fill("#qa-subject", "Le interesa la licencia anual")
    page.fill("#qa-detail", "Pide la propuesta por correo.")
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    page.fill("#qa-follow", tomorrow.replace(hour=9, minute=30).strftime("%Y-%m-%dT%H:%M"))
    journey.shot("log-call")
    journey.confirm(page.get_by_role("button", name=journey.t("Log activity")))
    journey.shot("call-logged")
    call = Activity.objects.get(subject="Le interesa la licencia anual")
    assert (call.kind, call.done_at is not None) == ("call", True)
    assert Activity.objects.filter(
        person=day["existing"], done_at=None, due_at__date=tomorrow.date()
    ).exists()
    # The overdue counter leads to yesterday's reminder; done, the counter goes away.
    page.locator("nav.navbar a[href='/reminders/']").click()
    row = page.locator("#reminders-rows tr", has_text="Llamar a Rosa por la propuesta")
    journey.shot("reminders")
    journey.confirm(row.get_by_role("button", name=journey.t("Done"), exact=True))
    expect(overdue).to_have_count(0)
    journey.shot("reminders-done")

    # The opportunity moves to the next stage by drag and drop on the board.
    card, stages = day["card"], day["stages"]
    journey.go(day["board"].get_absolute_url())
    source = page.locator(f"li.kanban-card[data-card='{card.pk}']")
    target = page.locator(f"ol.kanban-cards[data-stage='{stages[1].pk}']")
    counts = [page.locator(f"#column-head-{stage.pk} [data-count]") for stage in stages[:2]]
    before = [int(count.inner_text()) for count in counts]
    journey.shot("board")
    with page.expect_response(
        lambda response: response.url.endswith(f"/opportunities/{card.pk}/move/")
    ) as moved:
        # Grabbed by its title, as people do: the whole card drags.
        journey.drag(source.get_by_role("link", name=card.subject), target)
    assert moved.value.ok
    card.refresh_from_db()
    assert card.stage == stages[1]
    # Both columns' counts follow the drop at once.
    expect(counts[0]).to_have_text(str(before[0] - 1))
    expect(counts[1]).to_have_text(str(before[1] + 1))
    page.reload()
    expect(target.locator(f"li.kanban-card[data-card='{card.pk}']")).to_have_count(1)
    journey.shot("card-moved")

    # Wait (the client answers next week), then Closed with the invoice number.
    # The title opens the card over the board; its page is one click further.
    source.get_by_role("link", name=card.subject).click()
    panel = page.locator("#card-panel")
    expect(panel).to_have_class(re.compile(r"\bshow\b"))
    panel.get_by_role("link", name=journey.t("Open its page")).click()
    page.wait_for_url(re.compile(rf"/opportunities/{card.pk}/$"))
    page.locator("summary", has_text=journey.t("Wait")).click()
    page.fill("#comment-waiting", "Espera la aprobación del gerente.")
    page.fill("#next-waiting", (timezone.localdate() + datetime.timedelta(days=7)).isoformat())
    journey.shot("wait")
    page.locator("details[open]").get_by_role("button", name=journey.t("Save")).click()
    page.locator("h1 .badge", has_text=journey.t("Waiting")).wait_for()
    page.locator("summary", has_text=journey.t("Closed")).click()
    page.fill("#invoice", "F001-000123")
    journey.shot("close")
    page.locator("details[open]").get_by_role("button", name=journey.t("Save")).click()
    page.locator("h1 .badge", has_text=journey.t("Closed (won)")).wait_for()
    journey.shot("closed")
    card.refresh_from_db()
    assert (card.status, card.invoice_number) == (Opportunity.Status.CLOSED, "F001-000123")

    # A service on an order: first the visit, then the finished work.
    order = day["order"]
    journey.go(f"/serviceorders/{order.number}/")
    page.fill("#e-detail", "Cableado del segundo piso.")
    journey.confirm(page.get_by_role("button", name=journey.t("Register"), exact=True))
    page.fill("#e-detail", "Red instalada y probada con el cliente.")
    page.check("#e-finished")
    journey.shot("service")
    page.get_by_role("button", name=journey.t("Register"), exact=True).click()
    page.get_by_role("heading", name=journey.t("Verify with the customer")).wait_for()
    journey.shot("order-finished")
    order.refresh_from_db()
    assert order.status == ServiceOrder.Status.DONE
    assert order.entries.count() == 2

    # A photo of the installed equipment and the signed report, attached to the order at once.
    photo, report = tmp_path / "equipo.png", tmp_path / "acta firmada.pdf"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    report.write_bytes(b"%PDF-1.4 acta")
    page.set_input_files("#attach-files-order", [str(photo), str(report)])
    page.locator(".attachments a", has_text="acta_firmada.pdf").wait_for()
    journey.shot("attachments")
    assert sorted(order.attachments.values_list("name", flat=True)) == ["acta_firmada.pdf", "equipo.png"]
