"""Browser journey: an administrator builds "a lead from a web form → give it to the agents in
turn + a call in an hour"; a lead arrives through the public form, the task worker runs the
rule, and the call is on the right agent's agenda."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Activity
from automations.models import RuleRun
from campaigns.models import LeadForm
from crm.tests.browser import second_tab, speaking, variants
from crm.tests.factories import PASSWORD
from people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(condition, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the task worker did not get to it"
        time.sleep(0.1)


@variants("es-desktop")
def test_a_lead_goes_to_the_next_agent_with_a_call_in_an_hour(
    journey, chromium, live_server, task_worker, admin_user, manager, alice, bob
):
    speaking(journey, admin_user, alice)
    form = LeadForm.objects.create(name="Contacto web", default_owner=manager, fields=["phone", "message"])
    page = journey.page
    journey.sign_in("admin", PASSWORD)
    journey.menu("Automations")
    page.get_by_role("link", name=journey.t("New automation")).click()
    page.fill("#id_name", "Leads de la web")
    page.locator("#id_trigger").select_option("person.lead")
    page.locator("#id_then-0-type").select_option("give_in_turn")
    # Each action shows only the fields it uses.
    expect(page.locator("#id_then-1-subject")).to_be_hidden()
    expect(page.locator("#id_hours")).to_be_hidden()  # only for overdue reminders
    page.locator("#id_then-1-type").select_option("activity")
    expect(page.locator("#id_then-1-subject")).to_be_visible()
    expect(page.locator("#id_then-1-user")).to_be_hidden()
    expect(page.locator("#id_then-0-board")).to_be_visible()  # agents in turn: of a board, if chosen
    page.locator("#id_then-1-kind").select_option("call")
    page.fill("#id_then-1-subject", "Llamar al lead")
    page.fill("#id_then-1-hours", "1")
    journey.shot("rule")
    journey.confirm(page.get_by_role("button", name=journey.t("Save"), exact=True))
    expect(page.locator("h1")).to_have_text("Leads de la web")
    journey.shot("rule-saved")

    # A lead arrives through the public form; the worker runs the rule after it is saved.
    task_worker.start()
    Client(REMOTE_ADDR="203.0.113.9").post(
        reverse("public_lead_form", args=[form.token]),
        {
            "first_name": "Lucía",
            "email": "lucia@cliente.pe",
            "phone": "987 111 222",
            "message": "Quiero una demo",
        },
    )
    wait_for(lambda: RuleRun.objects.filter(matched=True).exists())
    lucia = Person.objects.get(email="lucia@cliente.pe")
    assert lucia.owner == alice  # the first agent in turn
    call = Activity.objects.get(person=lucia, kind="call")
    assert call.owner == alice
    assert call.due_at > timezone.now()

    # Alice sees it on her agenda, on its day.
    with second_tab(chromium, live_server, journey, "alice") as other:
        other.sign_in("alice", PASSWORD)
        day = timezone.localtime(call.due_at).date().isoformat()
        other.go(f"/calendar/?view=timeGridDay&date={day}")
        event = other.page.locator(f'[data-event="activity-{call.pk}"]')
        expect(event).to_contain_text(re.compile("Llamar al lead"))
        other.shot("agenda")
    # And the rule's page logs what it did.
    page.reload()
    expect(page.locator("#runs")).to_contain_text(str(lucia))
