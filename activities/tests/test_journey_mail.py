"""Writing an email from the CRM in a real browser (issue 5/9): from a template, sent by the
task worker to the CRM's own mail server, read on the Outbox page as its recipient would,
answered as the customer (the answer under the email on the timeline); then a campaign email
to a campaign's members, followed to its end."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone, translation
from django.utils.translation import pgettext
from playwright.sync_api import expect

from activities.models import Email, EmailTemplate
from campaigns.tests.factories import CampaignFactory, CampaignMemberFactory
from crm.models import User
from crm.tests.browser import VARIANTS
from crm.tests.factories import PASSWORD, UserFactory
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)
DESKTOP = VARIANTS[0]


@pytest.mark.parametrize("variant", [DESKTOP], ids=[DESKTOP.name])
def test_an_agent_writes_from_a_template_and_reads_it_in_the_outbox(
    journey, task_worker, smtp_outbox, settings
):
    settings.EMAIL_OUTBOX = True
    # The real queue, drained by the worker the journey starts (the fixture's runs tasks at once).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    agent = UserFactory(username="carla", name="Carla Vendedora", role=User.Role.AGENT, language="")
    rosa = PersonFactory(owner=agent, first_name="Rosa", last_name="Quispe", email="rosa@andes.pe")
    EmailTemplate.objects.create(
        name="Bienvenida",
        language="es",
        subject="Bienvenida, {first_name}",
        body="Hola {first_name}, soy {agent}.",
    )
    journey.sign_in("carla", PASSWORD)
    page = journey.page
    journey.go(rosa.get_absolute_url())
    page.get_by_role("link", name=journey.t("Send email")).click()
    page.get_by_label(journey.t("Start from a template")).select_option(
        label="Bienvenida (Español) · " + journey.t("Team")
    )
    page.get_by_role("button", name=journey.t("Use"), exact=True).click()
    expect(page.locator("#id_subject")).to_have_value("Bienvenida, Rosa")
    expect(page.locator("#id_body")).to_have_value("Hola Rosa, soy Carla Vendedora.")
    page.fill("#id_cc", "no es un correo")
    page.get_by_role("button", name=journey.t("Send"), exact=True).click()
    expect(page.locator("#div_id_cc .invalid-feedback")).to_be_visible()  # refused next to the field
    expect(page.locator("#id_subject")).to_have_value("Bienvenida, Rosa")  # what was typed is kept
    page.fill("#id_cc", "")
    journey.shot("composer")
    page.get_by_role("button", name=journey.t("Send"), exact=True).click()
    # On the timeline at once, queued: the task worker has not run yet.
    expect(page.locator(".badge.email-queued")).to_be_visible()
    task_worker.start()
    deadline = time.monotonic() + 30
    while not Email.objects.filter(status="sent").exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # a condition waited for, not a time
    page.reload()
    expect(page.locator(".badge.email-sent")).to_be_visible()
    journey.shot("timeline")
    journey.menu("Outbox")
    page.get_by_role("link", name="Bienvenida, Rosa").click()
    expect(page.locator(".outbox-body")).to_contain_text("Hola Rosa, soy Carla Vendedora.")
    expect(page.locator("article dl")).to_contain_text("rosa@andes.pe")
    journey.shot("outbox")

    # The way back, without a real mailbox: Rosa's answer lands under the email.
    page.fill("#reply-body", "¿Incluye soporte?")
    page.get_by_role("button", name=journey.t("Send the answer")).click()
    expect(page).to_have_url(journey.url(rosa.get_absolute_url()))
    expect(page.locator(".timeline-replies")).to_contain_text("¿Incluye soporte?")
    expect(page.locator(".timeline-replies .activity-received")).to_have_text(journey.t("Answer"))
    journey.shot("answer")

    # A campaign email to the members: progress, then the counts, the unsubscribed skipped.
    campaign = CampaignFactory(owner=agent, name="Feria Lima")
    members = (
        rosa,
        PersonFactory(owner=agent, first_name="Luis", email="luis@andes.pe"),
        PersonFactory(owner=agent, first_name="Ana", email="ana@andes.pe", unsubscribed_at=timezone.now()),
    )
    from crm import consent

    consent.record(
        people=[p.pk for p in members], channels=["email"], purposes=["marketing"], given=True, source="agent"
    )
    for person in members:
        CampaignMemberFactory(campaign=campaign, person=person, agent=agent)
    journey.go(campaign.get_absolute_url())
    page.get_by_role("link", name=journey.t("Email the members")).click()
    expect(page.locator("#mailing-audience")).to_contain_text("3")
    page.fill("#id_subject", "Le esperamos, {first_name}")
    page.fill("#id_body", "Hola {first_name}, la feria empieza el lunes.")
    page.get_by_role("button", name=journey.t("Send to all")).click()
    expect(page.locator("#mailing-status")).to_contain_text(journey.t("Done."), timeout=30_000)
    expect(page.locator('[data-count="sent"]')).to_have_text("2")
    expect(page.locator('[data-count="unsubscribed"]')).to_have_text("1")
    # Each recipient's row says how it went, without reloading the page.
    with translation.override(DESKTOP.language):
        sent, skipped = (
            pgettext("email status", "Sent"),
            pgettext("mailing recipient", "Skipped: unsubscribed"),
        )
    expect(page.locator("#mailing-status tbody tr").filter(has_text="rosa@andes.pe")).to_contain_text(sent)
    expect(page.locator("#mailing-status tbody tr").filter(has_text="ana@andes.pe")).to_contain_text(skipped)
    journey.shot("campaign-email")
    task_worker.stop()
