"""Refused forms as a person sees them, in a real browser (crm/tests/browser.py): the error
next to a search-as-you-type picker and in the summary at the top, and what was typed kept."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from companies.tests.factories import CompanyFactory
from crm.models import User
from crm.tests.browser import VARIANTS
from crm.tests.factories import PASSWORD, UserFactory
from opportunities.models import Opportunity
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.tests.factories import PersonFactory
from serviceorders.models import ServiceOrder

pytestmark = pytest.mark.django_db(transaction=True)
DESKTOP = pytest.mark.parametrize("variant", VARIANTS[:1], ids=[VARIANTS[0].name])


@DESKTOP
def test_errors_of_pickers_are_shown_and_typing_is_kept(journey):
    agent = UserFactory(username="carla", name="Carla Vendedora", role=User.Role.AGENT, language="")
    board = PipelineFactory(name="Ventas")
    board.members.add(agent)
    company = CompanyFactory(name="Andes SAC", owner=agent)
    stranger = PersonFactory(first_name="Rosa", last_name="Quispe", owner=agent)
    taken = OpportunityFactory(
        pipeline=board, agent=agent, contact=PersonFactory(first_name="Luis", owner=agent)
    )
    journey.sign_in("carla", PASSWORD)
    page = journey.page

    # A contact who is not a person of the chosen company: the error under the picker.
    journey.go(f"/opportunities/new/?pipeline={board.pk}&company={company.pk}&contact={stranger.pk}")
    page.fill("#id_subject", "ERP para 20 usuarios")
    page.get_by_role("button", name=journey.t("Save"), exact=True).click()
    message = journey.t("The contact must be a person of that company.")
    expect(page.locator("#div_id_contact").get_by_text(message)).to_be_visible()
    summary = page.locator("[data-form-errors]")
    expect(summary.get_by_role("link", name=journey.t("Contact"))).to_be_visible()
    expect(page.locator("#id_subject")).to_have_value("ERP para 20 usuarios")
    journey.shot("contact-not-of-the-company")

    # A second open card for the same person on the board.
    journey.go(f"/opportunities/new/?pipeline={board.pk}&contact={taken.contact_id}")
    page.fill("#id_subject", "Otra vez")
    page.get_by_role("button", name=journey.t("Save"), exact=True).click()
    expect(page.locator("#div_id_contact .invalid-feedback")).to_be_visible()
    expect(page.locator("[data-form-errors]")).to_be_visible()
    assert Opportunity.objects.count() == 1

    # A service order without its client.
    journey.go("/serviceorders/new/")
    page.fill("#id_detail", "No enciende")
    page.get_by_role("button", name=journey.t("Save"), exact=True).click()
    expect(page.locator("#div_id_company .invalid-feedback")).to_be_visible()
    expect(page.locator("#id_detail")).to_have_value("No enciende")
    assert ServiceOrder.objects.count() == 0
    journey.shot("order-without-client")


@DESKTOP
def test_whatsapp_opens_the_chat_in_a_new_tab_with_the_message_filled(journey):
    agent = UserFactory(username="carla", name="Carla Vendedora", role=User.Role.AGENT, language="")
    rosa = PersonFactory(first_name="Rosa", last_name="Pérez", owner=agent, mobile="+51987654321", phone="")
    journey.sign_in("carla", PASSWORD)
    page = journey.page
    # The outside address is answered here: the journey follows the navigation, not the internet.
    page.context.route(
        "https://wa.me/**", lambda route: route.fulfill(body="WhatsApp", content_type="text/plain")
    )
    journey.go(f"/people/{rosa.pk}/whatsapp/")
    page.fill("#id_message", "Hola {first_name}, soy {agent}")
    with page.context.expect_page() as opened:
        page.get_by_role("button", name=journey.t("Open WhatsApp")).click()
    chat = opened.value
    chat.wait_for_url("https://wa.me/**")
    assert chat.url == "https://wa.me/51987654321?text=Hola%20Rosa%2C%20soy%20Carla%20Vendedora"
    # This tab is back on the person, whose timeline shows the conversation once.
    page.wait_for_url(f"**/people/{rosa.pk}/")
    expect(
        page.get_by_text(journey.t("WhatsApp opened; the conversation is on the timeline."))
    ).to_be_visible()
    expect(page.get_by_text("Hola Rosa, soy Carla Vendedora")).to_have_count(1)
    journey.shot("whatsapp-recorded")
    chat.close()


@DESKTOP
def test_choices_fill_the_fields_they_decide(journey):
    """A company limits the contact picker and a contact fills its company (card form); a
    project fills its client and contact (order form, and "New order" from the project); a
    catalog product fills the campaign's name and price."""
    from companies.tests.factories import MembershipFactory
    from opportunities import sales
    from serviceorders.tests.factories import ProjectFactory

    agent = UserFactory(username="carla", name="Carla Vendedora", role=User.Role.AGENT, language="")
    board = PipelineFactory(name="Ventas")
    board.members.add(agent)
    andes = CompanyFactory(name="Andes SAC", owner=agent)
    rosa = PersonFactory(first_name="Rosa", last_name="Quispe", owner=agent)
    MembershipFactory(person=rosa, company=andes)
    PersonFactory(first_name="Rolando", last_name="Ruiz", owner=agent)  # of no company
    project = ProjectFactory(company=andes, contact=rosa, owner=agent, name="Soporte anual")
    product = sales.product_save(code="ERP-1", name="ERP Nube", unit_price=1500, currency="USD")
    journey.sign_in("carla", PASSWORD)
    page = journey.page

    # The contact picker of a card with a company offers only that company's people.
    journey.go(f"/opportunities/new/?pipeline={board.pk}&company={andes.pk}")
    page.fill("#id_contact", "Ro")
    results = page.locator("#div_id_contact .autocomplete-results [data-value]")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Rosa Quispe")
    # Without a company, choosing Rosa fills hers.
    journey.go(f"/opportunities/new/?pipeline={board.pk}")
    page.fill("#id_contact", "Rosa")
    page.locator("#div_id_contact [data-value]", has_text="Rosa Quispe").click()
    expect(page.locator("#id_company")).to_have_value("Andes SAC")
    journey.shot("contact-fills-company")

    # A project fills the order's client and contact.
    journey.go("/serviceorders/new/")
    page.select_option("#id_project", str(project.pk))
    expect(page.locator("#id_company")).to_have_value("Andes SAC")
    expect(page.locator("#id_contact")).to_have_value("Rosa Quispe")
    journey.go(project.get_absolute_url())
    page.get_by_role("link", name=journey.t("New order")).click()
    expect(page.locator("#id_project")).to_have_value(str(project.pk))
    expect(page.locator("#id_company")).to_have_value("Andes SAC")

    # A catalog product fills the campaign's promoted name and price.
    journey.go("/campaigns/new/")
    page.select_option("#id_product", str(product.pk))
    expect(page.locator("#id_product_name")).to_have_value("ERP Nube")
    expect(page.locator("#id_price")).to_have_value("1500.00")
    expect(page.locator("#id_currency")).to_have_value("USD")
    journey.shot("product-fills-campaign")


PHONE = pytest.mark.parametrize("variant", VARIANTS[2:], ids=[VARIANTS[2].name])
PHONE_HEIGHT = VARIANTS[2].viewport["height"]


@PHONE
def test_every_module_fits_a_phone(journey):
    """At 390 px every page of the navigation is no wider than the screen (no sideways
    scrolling of the page; a wide table scrolls inside its own box)."""
    from django.core.management import call_command

    from crm.navigation import ITEMS
    from crm.tests.factories import UserFactory as Users

    call_command("seed_demo", verbosity=0)
    Users(username="root", name="Root", role=User.Role.ADMIN, language="")
    journey.sign_in("root", PASSWORD)
    page = journey.page
    too_wide = {}
    for item in ITEMS:
        journey.go(item.url)
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            too_wide[item.url] = width
    assert too_wide == {}
    # A list's first row is in the upper half of the first screen, under its toolbars (it
    # was 680 px down: the bulk bar now waits for a chosen row, saving a list is among the
    # filters, secondary actions are icons).
    journey.go("/people/")
    first = page.locator("main table tbody tr").first.bounding_box()
    assert first["y"] < PHONE_HEIGHT / 2, first
    journey.shot("people-on-a-phone")
    # Reminders and activities with their actions: stacked cards, every button on screen.
    for path in ("/reminders/?owner=", "/activities/?owner=&status="):
        journey.go(path)
        buttons = page.locator("main table tbody tr").first.locator("button")
        expect(buttons.first).to_be_visible()
        edges = [box["x"] + box["width"] for box in (b.bounding_box() for b in buttons.all()) if box]
        assert edges, path
        assert max(edges) <= page.viewport_size["width"], (path, edges)
    journey.shot("reminders-on-a-phone")


@DESKTOP
def test_a_card_opens_in_a_side_panel_over_the_board(journey):
    agent = UserFactory(username="carla", name="Carla Vendedora", role=User.Role.AGENT, language="")
    board = PipelineFactory(name="Ventas")
    board.members.add(agent)
    card = OpportunityFactory(pipeline=board, agent=agent, subject="Licencias para Andes SAC")
    journey.sign_in("carla", PASSWORD)
    page = journey.page
    journey.go(board.get_absolute_url())
    page.locator(f"li.kanban-card[data-card='{card.pk}']").get_by_role("link", name=card.subject).click()
    panel = page.locator("#card-panel")
    expect(panel.get_by_role("heading", name=card.subject)).to_be_visible()
    expect(panel.get_by_text(journey.t("Follow-up"), exact=True)).to_be_visible()
    assert page.url.endswith(board.get_absolute_url())  # still on the board
    expect(panel).to_have_class(re.compile(r"\bshow\b"))  # opened (its slide finished)
    journey.shot("card-side-panel")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()


@DESKTOP
def test_a_long_column_brings_its_cards_as_it_is_scrolled(journey):
    agent = UserFactory(username="carla", name="Carla Vendedora", role=User.Role.AGENT, language="")
    board = PipelineFactory(name="Ventas")
    board.members.add(agent)
    first = board.stages.order_by("position").first()
    Opportunity.objects.bulk_create(
        Opportunity(
            pipeline=board, stage=first, agent=agent, created_by=agent, subject=f"Tarjeta {n}", position=n
        )
        for n in range(120)
    )
    journey.sign_in("carla", PASSWORD)
    page = journey.page
    journey.go(f"{board.get_absolute_url()}?per_column=500")
    column = page.locator(f"ol.kanban-cards[data-stage='{first.pk}']")
    expect(column.locator("li.kanban-card")).to_have_count(50)  # what a person can see first
    column.locator("li.kanban-more").scroll_into_view_if_needed()
    expect(column.locator("li.kanban-card")).to_have_count(100)
    column.locator("li.kanban-more").scroll_into_view_if_needed()
    expect(column.locator("li.kanban-card")).to_have_count(120)
    expect(column.locator("li.kanban-more")).to_have_count(0)
    expect(column.locator("li.kanban-card").last).to_contain_text("Tarjeta 119")
    journey.shot("long-column")
