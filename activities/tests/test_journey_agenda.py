"""Browser journeys of the agenda and the bell: an agent drags a visit to the next day in the
week view and finds it moved on the person's page; a manager compares two agents' weeks side
by side; a comment naming @manager lights the manager's bell without a reload and leads to
the card."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from activities import services
from activities.models import Activity
from crm.tests.browser import second_tab, speaking, variants
from crm.tests.factories import PASSWORD
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)


def visit_day() -> datetime.datetime:
    """Today at 10:00, or yesterday when today ends the week (Monday-first): the next day
    must be in the same week view."""
    day = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    return day - datetime.timedelta(days=1) if day.weekday() == 6 else day


def plan(owner, at, subject: str) -> Activity:
    activity, _ = services.activity_log(
        by=owner,
        kind="visit",
        subject=subject,
        person=PersonFactory(owner=owner, first_name="Rosa", last_name="Quispe"),
        done=False,
        due_at=at,
        duration=60,
    )
    return activity


@variants("es-desktop")
def test_an_agent_drags_a_visit_to_the_next_day(journey, alice):
    page = journey.page
    at = visit_day()
    visit = plan(alice, at, "Visita técnica")
    late = plan(alice, at.replace(hour=22, minute=30), "Visita nocturna")
    speaking(journey, alice)
    journey.sign_in("alice", PASSWORD)
    journey.menu("Calendar")
    event = page.locator(f'[data-event="activity-{visit.pk}"]')
    expect(event).to_contain_text("Visita técnica")
    # The whole day is on the agenda: what is planned late at night too.
    expect(page.locator(f'[data-event="activity-{late.pk}"]')).to_contain_text("Visita nocturna")
    journey.shot("week")

    next_day = (at + datetime.timedelta(days=1)).date().isoformat()
    column = page.locator(f'td.fc-timegrid-col[data-date="{next_day}"]')
    source, target = event.bounding_box(), column.bounding_box()
    with page.expect_response(lambda r: r.url.endswith("/calendar/move/")) as answer:
        page.mouse.move(source["x"] + source["width"] / 2, source["y"] + 8)
        page.mouse.down()
        page.mouse.move(target["x"] + target["width"] / 2, source["y"] + 8, steps=15)
        page.mouse.up()
    assert answer.value.status == 200
    journey.shot("dropped")
    visit.refresh_from_db()
    assert visit.due_at == at + datetime.timedelta(days=1)

    # The person's page shows the visit on its new day.
    lang = page.locator("html").get_attribute("lang")
    page.goto(journey.url(visit.person.get_absolute_url()))
    with translation.override(lang), timezone.override(timezone.get_current_timezone()):
        shown = date_format(timezone.localtime(visit.due_at), "SHORT_DATETIME_FORMAT")
    expect(page.locator("#planned-title ~ ul li", has_text="Visita técnica")).to_contain_text(shown)
    journey.shot("person")


@variants("pt-desktop")
def test_a_manager_compares_two_weeks_and_hears_of_a_mention(
    journey, chromium, live_server, manager, alice, bob, settings
):
    settings.NOTIFICATIONS_POLL_SECONDS = 1
    page = journey.page
    at = visit_day()
    plan(alice, at, "Visita de Alice")
    plan(bob, at + datetime.timedelta(hours=2), "Visita de Bob")
    speaking(journey, manager, alice, bob)
    journey.sign_in("manager", PASSWORD)
    journey.go(f"/calendar/?agents={alice.pk}&agents={bob.pk}&layout=side")
    columns = page.locator(".agenda-column")
    expect(columns).to_have_count(2)
    expect(columns.nth(0).locator(".agenda-title")).to_have_text(str(alice))
    expect(columns.nth(0).locator(".fc-event")).to_contain_text("Visita de Alice")
    expect(columns.nth(1).locator(".agenda-title")).to_have_text(str(bob))
    expect(columns.nth(1).locator(".fc-event")).to_contain_text("Visita de Bob")
    left, right = columns.nth(0).bounding_box(), columns.nth(1).bounding_box()
    assert left["x"] + left["width"] <= right["x"]  # side by side, not one under the other
    # Both follow the first one's navigation.
    page.locator('[data-agenda-action="next"]').click()
    expect(columns.nth(1).locator(".fc-event")).to_have_count(0)
    journey.shot("side-by-side")

    bell = page.locator("#bell")
    expect(bell.locator("[data-unread]")).to_have_count(0)
    # Alice, elsewhere, asks the manager on her card.
    card = OpportunityFactory(
        pipeline=PipelineFactory(members=[alice]), agent=alice, subject="Licencias 2027"
    )
    with second_tab(chromium, live_server, journey, "alice") as other:
        other.sign_in("alice", PASSWORD)
        other.go(card.get_absolute_url())
        box = other.page.locator("#comment")
        box.fill("¿Aprobamos el descuento, @man")
        other.page.locator(".mention-suggestions [data-username='manager']").click()
        expect(box).to_have_value(re.compile(r"@manager $"))
        box.press_sequentially("?")
        other.page.get_by_role("button", name=other.t("Add comment")).click()
        other.page.wait_for_load_state()

    # Without a reload, the manager's bell counts it.
    expect(bell.locator("[data-unread]")).to_have_attribute("data-unread", "1", timeout=10_000)
    journey.shot("bell")
    bell.click()
    item = page.locator("[data-notification]").first
    expect(item).to_contain_text(str(alice))
    item.get_by_role("button").first.click()
    page.wait_for_url(re.compile(re.escape(card.get_absolute_url()) + "$"))
    expect(page.locator("body")).to_contain_text("Licencias 2027")
    expect(page.locator("#bell [data-unread]")).to_have_count(0)
    journey.shot("card")
