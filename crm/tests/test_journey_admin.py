"""An admin's day, in a real browser (see crm/tests/browser.py)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.models import User
from crm.tests.browser import variants
from crm.tests.factories import PASSWORD, UserFactory
from opportunities.models import Opportunity
from opportunities.sales import quote_create
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.models import Person
from people.services import person_discard
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)

ORANGE = "rgb(253, 126, 20)"


@pytest.fixture
def office(db):
    UserFactory(username="ana", name="Ana Admin", role=User.Role.ADMIN, language="")
    agent = UserFactory(username="carla", name="Carla Vendedora", role=User.Role.AGENT, language="")
    discarded = PersonFactory(first_name="Jorge", last_name="Salas", owner=agent)
    person_discard(person=discarded, by=agent, reason="No contesta")
    # Rosa came in twice: from a fair and from the website.
    PersonFactory(first_name="Rosa", last_name="Quispe", email="rosa@andes.pe", owner=agent, city="")
    PersonFactory(
        first_name="Rosa María", last_name="Quispe", email="ROSA@andes.pe", owner=agent, city="Cusco"
    )
    board = PipelineFactory(name="Ventas", members=[agent])
    stages = list(board.stages.order_by("position"))
    stages[1].stagnant_days = None
    stages[1].save()
    idle = OpportunityFactory(pipeline=board, stage=stages[1], subject="Renovación Inca SRL", agent=agent)
    fresh = OpportunityFactory(pipeline=board, stage=stages[1], subject="Ampliación Sol SAC", agent=agent)
    # Nobody has touched the renewal for ten days.
    Opportunity.objects.filter(pk=idle.pk).update(updated_at=timezone.now() - datetime.timedelta(days=10))
    return {"discarded": discarded, "board": board, "stage": stages[1], "idle": idle, "fresh": fresh}


def card(page, opportunity):
    return page.locator(f"li.kanban-card[data-card='{opportunity.pk}']")


# Spanish on a desktop and on a phone: the administrator's screens in Portuguese are walked by
# the agent's and the manager's journeys and the catalog tests (the suite's 5-minute budget).
# Administrators work at a desk; every module's fit on a phone has its own test
# (test_journey_forms), and the agent's day is walked on a phone.
@variants("es-desktop")
def test_an_admins_day(journey, office):
    page = journey.page
    journey.sign_in("ana", PASSWORD)
    journey.shot("home")

    # A new agent joins the team.
    journey.menu("Administration")
    page.get_by_role("link", name=journey.t("New user")).click()
    page.fill("#id_username", "diego")
    page.fill("#id_name", "Diego Torres")
    page.fill("#id_email", "diego@example.pe")
    page.locator("#id_role").select_option("agent")
    page.fill("#id_password1", "Cusco-2026-ventas")
    page.fill("#id_password2", "Cusco-2026-ventas")
    journey.shot("new-user")
    page.get_by_role("button", name=journey.t("Save")).click()
    page.locator("#user-rows tr", has_text="Diego Torres").wait_for()
    journey.shot("users")
    diego = User.objects.get(username="diego")
    assert diego.role == User.Role.AGENT
    assert diego.check_password("Cusco-2026-ventas")

    # A prospect an agent discarded by mistake comes back.
    journey.menu("Discarded")
    row = page.locator("#discarded-rows tr", has_text="Jorge Salas")
    assert "No contesta" in row.inner_text()
    journey.shot("discarded")
    row.get_by_role("button", name=journey.t("Restore")).click()
    page.locator(".alert-success", has_text="Jorge Salas").wait_for()
    journey.shot("restored")
    expect(page.locator("#discarded-rows tr", has_text="Jorge Salas")).to_have_count(0)
    assert Person.objects.get(pk=office["discarded"].pk).discarded_at is None

    # The board: a demo stage, and cards idle for more than 3 days in "proposal" turn orange.
    journey.menu("Opportunities")
    page.get_by_role("link", name="Ventas").first.click()
    idle, fresh = card(page, office["idle"]), card(page, office["fresh"])
    assert "stagnant" not in idle.get_attribute("class")
    page.get_by_role("link", name=journey.t("Settings"), exact=True).click()
    stage = office["stage"]
    # A stage's name has room to be read and typed (it was two characters wide).
    name_box = page.locator(f"#stage-name-{stage.pk}").bounding_box()
    assert name_box["width"] >= (140 if journey.variant.phone else 200), name_box
    page.fill(f"#stage-days-{stage.pk}", "3")
    journey.confirm(page.locator(f"#stage-days-{stage.pk}").locator("xpath=..").get_by_role("button"))
    page.fill("#new-stage-name", "Demostración")
    page.fill("#new-stage-days", "5")
    journey.shot("board-settings")
    journey.confirm(page.get_by_role("button", name=journey.t("Add"), exact=True))
    stage.refresh_from_db()
    assert stage.stagnant_days == 3
    assert office["board"].stages.filter(name="Demostración", stagnant_days=5).exists()

    # Diego joins the board and follows every new card from the start (the base card).
    page.get_by_label("Diego Torres").check()
    journey.confirm(
        page.locator("form", has=page.locator("#id_name")).get_by_role("button", name=journey.t("Save"))
    )
    page.get_by_role("link", name=journey.t("Edit the base card")).click()
    page.fill("#id_description", "Pedir el plano de la sede.")
    page.get_by_label("Diego Torres").check()
    journey.shot("base-card")
    page.get_by_role("button", name=journey.t("Save")).click()
    page.locator("#base-card", has_text="Pedir el plano de la sede.").wait_for()
    base = office["board"].base_card
    assert base.description == "Pedir el plano de la sede."
    assert list(base.members.all()) == [diego]

    page.get_by_role("link", name="Ventas").first.click()
    page.get_by_role("heading", name="Demostración").wait_for()
    idle.scroll_into_view_if_needed()
    journey.shot("stagnant-card")
    assert "stagnant" in idle.get_attribute("class")
    assert idle.evaluate("card => getComputedStyle(card).borderTopColor") == ORANGE
    assert idle.get_by_text(journey.t("Stagnant"), exact=True).is_visible()
    assert "stagnant" not in fresh.get_attribute("class")
    assert fresh.evaluate("card => getComputedStyle(card).borderTopColor") != ORANGE

    # The two Rosas become one: the duplicates page pairs them by email.
    journey.menu("People")
    page.get_by_role("link", name=journey.t("Possible duplicates")).click()
    group = page.locator("section.card", has_text="ROSA@ANDES.PE")
    journey.shot("duplicates")
    group.get_by_role("link", name=journey.t("Merge")).click()
    # The first record stays; her full first name and the city win from the other.
    page.locator("input[name=first_name][value=b]").check()
    assert page.locator("input[name=city][value=b]").is_checked()  # a blank value never wins by default
    journey.shot("merge")
    page.once("dialog", lambda dialog: dialog.accept())
    journey.confirm(page.get_by_role("button", name=journey.t("Merge")))
    rosas = Person.objects.filter(last_name="Quispe")
    assert rosas.filter(discarded_at=None).count() == 1
    kept = rosas.get(discarded_at=None)
    assert (kept.first_name, kept.city) == ("Rosa María", "Cusco")

    # Every person on the page goes to Diego at once, then back with Undo.
    journey.menu("People")
    page.locator("[data-bulk-all='bulk-people']").check()
    selected = page.locator("#bulk-people [data-bulk-count]")
    assert int(selected.inner_text()) == page.locator("input[name=ids][form=bulk-people]").count() > 1
    page.locator("#bulk-people-action").select_option("reassign")
    page.locator("#bulk-people-user").select_option(label="Diego Torres")
    journey.shot("bulk")
    page.get_by_role("button", name=journey.t("Apply to selected")).click()
    undo = page.get_by_role("button", name=journey.t("Undo"))
    undo.wait_for()
    assert Person.objects.filter(discarded_at=None).exclude(owner=diego).count() == 0
    undo.click()
    # The page after the undo has no Undo button (the one before it did: wait for the new page).
    expect(undo).to_have_count(0)
    journey.shot("bulk-undone")
    assert not Person.objects.filter(owner=diego).exists()

    # The team's legal data: a wrong RUC is refused next to its field, with what was typed
    # kept; saved, it heads the quote on its next view, without a restart.
    quote = quote_create(opportunity=office["idle"], by=office["idle"].agent)
    journey.menu("Team settings")
    page.fill("#id_legal_name", "Andes Digital S.A.C.")
    page.fill("#id_tax_id", "20100070971")
    page.get_by_role("button", name=journey.t("Save"), exact=True).click()
    expect(page.locator("#div_id_tax_id .invalid-feedback")).to_be_visible()
    expect(page.locator("#id_legal_name")).to_have_value("Andes Digital S.A.C.")
    journey.shot("team-settings-refused")
    page.fill("#id_tax_id", "20100070970")
    page.get_by_role("button", name=journey.t("Save"), exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text(journey.t("Team settings saved."))
    journey.go(quote.get_absolute_url())
    expect(page.locator(".quote-issuer")).to_contain_text("Andes Digital S.A.C.")
    expect(page.locator(".quote-issuer")).to_contain_text("RUC 20100070970")
    # The quote speaks as the (Peruvian) team writes, whoever reads it.
    expect(page.locator("tfoot")).to_contain_text("IGV 18 %S/\xa0180.00")
    journey.shot("quote")
