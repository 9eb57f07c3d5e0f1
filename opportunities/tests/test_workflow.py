import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from companies.tests.factories import CompanyFactory, MembershipFactory
from crm.tests.factories import ActivityFactory
from opportunities import services
from opportunities.models import Opportunity, OpportunityEvent
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.tests.factories import PersonFactory, TagFactory

pytestmark = pytest.mark.django_db
TOMORROW = lambda: timezone.localdate() + datetime.timedelta(days=1)  # noqa: E731


@pytest.fixture
def card(alice):
    pipeline = PipelineFactory(members=[alice])
    return OpportunityFactory(pipeline=pipeline, agent=alice)


def test_new_opportunities_start_new_on_the_first_stage(alice_client, alice):
    pipeline = PipelineFactory(members=[alice])
    company = CompanyFactory(owner=alice)
    contact = PersonFactory(owner=alice)
    MembershipFactory(person=contact, company=company)
    response = alice_client.post(
        reverse("opportunities:create") + f"?pipeline={pipeline.pk}",
        {
            "pipeline": pipeline.pk,
            "subject": "ERP para 20 usuarios",
            "company": company.pk,
            "contact": contact.pk,
            "type": "new_sale",
            "agent": alice.pk,
            "amount": "15000",
            "currency": "PEN",
            "source": "referral",
        },
    )
    opportunity = Opportunity.objects.get()
    assert response["Location"] == opportunity.get_absolute_url()
    assert opportunity.status == "new"
    assert opportunity.stage == pipeline.stages.order_by("position").first()
    assert opportunity.events.get().kind == OpportunityEvent.Kind.CREATED


def test_the_contact_must_belong_to_the_company(alice_client, alice):
    pipeline = PipelineFactory(members=[alice])
    response = alice_client.post(
        reverse("opportunities:create"),
        {
            "pipeline": pipeline.pk,
            "subject": "X",
            "company": CompanyFactory(owner=alice).pk,
            "contact": PersonFactory(owner=alice).pk,
            "type": "new_sale",
            "agent": alice.pk,
            "currency": "PEN",
        },
    )
    assert response.status_code == 200
    assert "contact" in response.context["form"].errors
    assert not Opportunity.objects.exists()


def test_one_open_card_per_person_per_board(alice_client, alice, card):
    response = alice_client.post(
        reverse("opportunities:create"),
        {
            "pipeline": card.pipeline_id,
            "subject": "Again",
            "contact": card.contact_id,
            "type": "new_sale",
            "agent": alice.pk,
            "currency": "PEN",
        },
    )
    assert "already has an open card" in response.content.decode()
    assert Opportunity.objects.count() == 1
    # Once the first is lost, a new card for the person is fine.
    services.opportunity_set_status(
        opportunity=card, by=alice, status="lost", lost_reason="Price", improvement="Offer"
    )
    services.opportunity_create(
        by=alice, pipeline=card.pipeline, subject="Again", contact=card.contact, agent=alice
    )
    assert Opportunity.objects.count() == 2


def test_wait_needs_comments_and_next_contact_which_plans_a_reminder(alice_client, alice, card):
    url = reverse("opportunities:status", args=[card.pk])
    response = alice_client.post(url, {"status": "waiting"}, follow=True)
    assert "Write the follow-up comment" in response.content.decode()
    card.refresh_from_db()
    assert card.status == "new"
    alice_client.post(
        url, {"status": "waiting", "comment": "Budget in March", "next_contact_on": TOMORROW().isoformat()}
    )
    card.refresh_from_db()
    assert (card.status, card.next_contact_on) == ("waiting", TOMORROW())
    reminder = Activity.objects.get(opportunity=card)
    assert reminder.is_reminder
    assert timezone.localtime(reminder.due_at).date() == TOMORROW()
    assert reminder.owner == alice
    event = card.events.get(kind=OpportunityEvent.Kind.STATUS)
    assert (event.old_value, event.new_value, event.comment, event.by) == (
        "New",
        "Waiting",
        "Budget in March",
        alice,
    )


def test_wait_refuses_a_past_date(alice, card):
    with pytest.raises(ValidationError):
        services.opportunity_set_status(
            opportunity=card,
            by=alice,
            status="waiting",
            comment="x",
            next_contact_on=timezone.localdate() - datetime.timedelta(days=1),
        )


def test_working_needs_the_follow_up_comment(alice, card):
    with pytest.raises(ValidationError, match="follow-up comment"):
        services.opportunity_set_status(opportunity=card, by=alice, status="working")
    services.opportunity_set_status(opportunity=card, by=alice, status="working", comment="Demo done")
    card.refresh_from_db()
    assert card.status == "working"


def test_closed_needs_the_invoice_and_makes_the_contact_a_client(alice, card):
    with pytest.raises(ValidationError, match="invoice"):
        services.opportunity_set_status(opportunity=card, by=alice, status="closed")
    services.opportunity_set_status(opportunity=card, by=alice, status="closed", invoice_number="F001-000123")
    card.refresh_from_db()
    card.contact.refresh_from_db()
    assert (card.status, card.invoice_number) == ("closed", "F001-000123")
    assert card.contact.stage == "client"


def test_lost_needs_why_and_what_to_improve(alice, card):
    with pytest.raises(ValidationError) as error:
        services.opportunity_set_status(opportunity=card, by=alice, status="lost")
    assert set(error.value.message_dict) == {"lost_reason", "improvement"}
    services.opportunity_set_status(
        opportunity=card, by=alice, status="lost", lost_reason="Too expensive", improvement="Payment plans"
    )
    card.refresh_from_db()
    assert (card.status, card.lost_reason, card.improvement) == ("lost", "Too expensive", "Payment plans")


@pytest.mark.parametrize("final", ["closed", "lost"])
def test_finished_opportunities_only_reopen(alice, card, final):
    services.opportunity_set_status(
        opportunity=card, by=alice, status=final, invoice_number="F1", lost_reason="x", improvement="y"
    )
    with pytest.raises(ValidationError, match="cannot become"):
        services.opportunity_set_status(
            opportunity=card,
            by=alice,
            status="waiting",
            comment="again",
            next_contact_on=timezone.localdate(),
        )


def test_refused_transition_is_a_clear_message_on_the_page(alice_client, alice, card):
    services.opportunity_set_status(opportunity=card, by=alice, status="closed", invoice_number="F1")
    response = alice_client.post(
        reverse("opportunities:status", args=[card.pk]),
        {"status": "lost", "lost_reason": "x", "improvement": "y"},
        follow=True,
    )
    assert "cannot become" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "kept", "missing"),
    [
        (
            {"status": "lost", "lost_reason": "Eligió a la competencia"},
            "Eligió a la competencia",
            "improvement",
        ),
        (
            {"status": "waiting", "comment": "Llamar después de la feria"},
            "Llamar después de la feria",
            "next_contact_on",
        ),
    ],
    ids=["lost", "waiting"],
)
def test_a_refused_follow_up_keeps_its_panel_open_with_what_was_typed(
    alice_client, card, data, kept, missing
):
    """Lost with only "why", Wait without a date: the panel stays open, the text stays, the error is beside the field."""
    before = card.status
    response = alice_client.post(reverse("opportunities:status", args=[card.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    panel = html[html.index(f'<summary class="btn btn-sm status-{data["status"]}"') - 40 :]
    assert panel.lstrip().startswith('<details class="mb-2" open>')
    assert kept in panel[: panel.index("</details>")]
    assert 'aria-invalid="true"' in panel[: panel.index("</details>")]
    assert str(response.context["status_form"].errors[missing][0]) in html
    card.refresh_from_db()
    assert card.status == before


@pytest.mark.parametrize("final", ["closed", "lost"])
def test_won_and_lost_cards_reopen_with_the_reason_recorded(alice_client, alice, card, final):
    services.opportunity_set_status(
        opportunity=card, by=alice, status=final, invoice_number="F1", lost_reason="x", improvement="y"
    )
    assert "Reopen</summary>" in alice_client.get(card.get_absolute_url()).content.decode()
    url = reverse("opportunities:status", args=[card.pk])
    refused = alice_client.post(url, {"status": "working"})
    assert "comment" in refused.context["status_form"].errors  # the reason is asked for
    alice_client.post(url, {"status": "working", "comment": "El cliente volvió a llamar"})
    card.refresh_from_db()
    assert (card.status, card.decided_at) == ("working", None)
    event = card.events.filter(kind="status").latest("at")
    assert event.comment == "El cliente volvió a llamar"


def test_a_card_reopens_only_while_its_prospect_has_no_other_open_card(alice, card):
    services.opportunity_set_status(
        opportunity=card, by=alice, status="lost", lost_reason="x", improvement="y"
    )
    OpportunityFactory(pipeline=card.pipeline, agent=alice, contact=card.contact)
    with pytest.raises(ValidationError, match="already has an open card"):
        services.opportunity_set_status(opportunity=card, by=alice, status="working", comment="again")


@pytest.mark.parametrize(("choice", "still_pending"), [("close", 0), ("keep", 1)])
def test_winning_or_losing_asks_what_to_do_with_pending_reminders(
    alice_client, alice, card, choice, still_pending
):
    ActivityFactory(person=card.contact, owner=alice, opportunity=card, done_at=None, due_at=timezone.now())
    page = alice_client.get(card.get_absolute_url()).content.decode()
    assert 'name="pending_reminders"' in page
    alice_client.post(
        reverse("opportunities:status", args=[card.pk]),
        {"status": "lost", "lost_reason": "x", "improvement": "y", "pending_reminders": choice},
    )
    card.refresh_from_db()
    assert card.status == "lost"
    assert Activity.objects.filter(opportunity=card, done_at=None).count() == still_pending


def test_tag_changes_are_in_the_history(alice, card):
    vip, fair = TagFactory(name="VIP"), TagFactory(name="Feria Lima")
    services.opportunity_update(opportunity=card, by=alice, tags=[vip, fair])
    services.opportunity_update(opportunity=card, by=alice, tags=[fair])
    services.opportunity_update(opportunity=card, by=alice, tags=[fair])  # no change, no line
    services.opportunities_untag(ids=[card.pk], tag=fair, by=alice)
    services.opportunities_tag(ids=[card.pk], tag=vip, by=alice)
    lines = list(card.events.filter(kind="edited").order_by("at", "id").values_list("new_value", flat=True))
    assert lines == ["tags: +Feria Lima, +VIP", "tags: -VIP", "tags: -Feria Lima", "tags: +VIP"]


def test_comments_and_archive_are_in_the_history(alice_client, alice, card):
    alice_client.post(reverse("opportunities:comment", args=[card.pk]), {"comment": "Called the CFO"})
    alice_client.post(reverse("opportunities:archive", args=[card.pk]), {"archived": "1"})
    kinds = list(card.events.values_list("kind", flat=True))
    assert kinds[:2] == ["archived", "comment"]
    page = alice_client.get(card.get_absolute_url())
    assert "Called the CFO" in page.content.decode()
    assert "Called the CFO" in page.context["history_text"]


def test_history_exports_to_a_spreadsheet(alice_client, alice, card):
    services.opportunity_comment(opportunity=card, by=alice, comment="=cmd|x")
    content = b"".join(
        alice_client.get(reverse("opportunities:history_export", args=[card.pk])).streaming_content
    )
    assert b"'=cmd|x" in content


def test_agents_see_only_their_cards_on_boards_they_belong_to(alice_client, alice, bob, manager_client):
    pipeline = PipelineFactory(members=[alice, bob])
    mine = OpportunityFactory(pipeline=pipeline, agent=alice)
    theirs = OpportunityFactory(pipeline=pipeline, agent=bob)
    other_board = OpportunityFactory(agent=alice)  # alice is no member of its board
    assert list(alice_client.get(reverse("opportunities:list")).context["page"]) == [mine]
    assert alice_client.get(theirs.get_absolute_url()).status_code == 404
    assert alice_client.get(other_board.get_absolute_url()).status_code == 404
    assert len(manager_client.get(reverse("opportunities:list")).context["page"]) == 3


def test_list_filters(manager_client, alice):
    pipeline = PipelineFactory()
    big = OpportunityFactory(pipeline=pipeline, agent=alice, amount=50000)
    OpportunityFactory(pipeline=pipeline, agent=alice, amount=100)
    response = manager_client.get(
        reverse("opportunities:list"),
        {"pipeline": pipeline.pk, "amount_min": "1000", "status": "new", "agent": alice.pk},
    )
    assert list(response.context["page"]) == [big]


@pytest.mark.parametrize("count", [2, 40])
def test_list_query_count(manager_client, alice, django_assert_max_num_queries, count):
    pipeline = PipelineFactory()
    OpportunityFactory.create_batch(count, pipeline=pipeline, agent=alice)
    # 13: the page's keys, then its rows with their joins (crm.pagination keys_first).
    with django_assert_max_num_queries(14):
        response = manager_client.get(reverse("opportunities:list"))
    # The page keeps the list's order (newest first) and its rows' joined values.
    shown = list(response.context["page"])
    assert [o.pk for o in shown] == list(
        Opportunity.objects.order_by("-created_at", "-id").values_list("pk", flat=True)[:25]
    )
    assert all(o.agent == alice for o in shown)
