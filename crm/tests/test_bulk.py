"""Bulk actions on the lists: ticked rows or every row matching the filters, one
transaction, only rows the user may change, a count, and an undo for a while."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import CampaignMember
from campaigns.tests.factories import CampaignFactory
from companies.tests.factories import CompanyFactory
from crm.models import BulkOperation
from opportunities.models import Opportunity
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.models import Person, PersonEvent
from people.tests.factories import PersonFactory, TagFactory
from serviceorders.tests.factories import ServiceOrderFactory

pytestmark = pytest.mark.django_db


def _bulk(client, kind: str, **data):
    return client.post(reverse("crm:bulk", args=[kind]), data, follow=True)


def _undo(client, operation):
    return client.post(reverse("crm:bulk_undo", args=[operation.pk]), follow=True)


def test_reassigning_ticked_people_and_undoing_it(manager_client, manager, alice, bob):
    mine = PersonFactory.create_batch(3, owner=alice)
    page = _bulk(manager_client, "people", action="reassign", user=bob.pk, ids=[p.pk for p in mine[:2]])
    assert "Give to Bob Agent: changes on 2 of 2 people." in page.content.decode()
    assert [p.owner_id for p in Person.objects.order_by("pk")] == [bob.pk, bob.pk, alice.pk]
    # The list offers the undo while it lasts.
    listing = manager_client.get(reverse("people:list")).content.decode()
    assert "Your last bulk change touched 2 people" in listing
    operation = BulkOperation.objects.get()
    assert "Undone: 2 people back as they were before." in _undo(manager_client, operation).content.decode()
    assert set(Person.objects.values_list("owner", flat=True)) == {alice.pk}
    assert "already undone" in _undo(manager_client, operation).content.decode()


def test_all_rows_matching_the_filters_and_only_those(manager_client, alice):
    lima = PersonFactory.create_batch(3, owner=alice, city="Lima", stage="prospect")
    cusco = PersonFactory(owner=alice, city="Cusco", stage="prospect")
    page = _bulk(manager_client, "people", action="set_stage", stage="interested", all="1", query="q=lima")
    assert "changes on 3 of 3 people." in page.content.decode()
    assert {p.stage for p in Person.objects.filter(pk__in=[p.pk for p in lima])} == {"interested"}
    cusco.refresh_from_db()
    assert cusco.stage == "prospect"
    assert PersonEvent.objects.filter(kind="stage", new_value="interested").count() == 3
    _undo(manager_client, BulkOperation.objects.get())
    assert set(Person.objects.values_list("stage", flat=True)) == {"prospect"}


def test_an_agent_never_touches_another_agents_rows(alice_client, alice, bob):
    hers, his = PersonFactory(owner=alice), PersonFactory(owner=bob)
    tag = TagFactory(name="VIP")
    page = _bulk(alice_client, "people", action="add_tag", tag=tag.pk, ids=[hers.pk, his.pk])
    assert "changes on 1 of 1 person." in page.content.decode()  # one person, not "1 people"
    assert list(tag.people.all()) == [hers]
    _bulk(alice_client, "people", action="discard", all="1", query="")
    his.refresh_from_db()
    assert his.discarded_at is None
    # An agent gives rows only to themself.
    _bulk(alice_client, "people", action="reassign", user=bob.pk, ids=[hers.pk])
    hers.refresh_from_db()
    assert hers.owner == alice
    # Nor undoes someone else's change.
    assert alice_client.post(reverse("crm:bulk_undo", args=[_bobs_operation(bob).pk])).status_code == 404


def _bobs_operation(bob):
    return BulkOperation.objects.create(user=bob, kind="people", action="discard", selected=0, changed=0)


def test_tags_campaign_and_discard_on_people(alice_client, alice, admin_client):
    people = PersonFactory.create_batch(3, owner=alice)
    ids = [p.pk for p in people]
    tag, campaign = TagFactory(name="Feria"), CampaignFactory(owner=alice, name="Verano")
    people[0].tags.add(tag)
    _bulk(alice_client, "people", action="remove_tag", tag=tag.pk, ids=ids)
    assert not tag.people.exists()
    _undo(alice_client, BulkOperation.objects.latest("pk"))
    assert list(tag.people.all()) == [people[0]]

    page = _bulk(alice_client, "people", action="add_to_campaign", campaign=campaign.pk, ids=ids)
    assert "Add to campaign Verano: changes on 3 of 3 people." in page.content.decode()
    assert CampaignMember.objects.filter(campaign=campaign).count() == 3
    _undo(alice_client, BulkOperation.objects.latest("pk"))
    assert not CampaignMember.objects.exists()

    _bulk(alice_client, "people", action="discard", ids=ids)
    assert Person.objects.filter(discarded_at=None).count() == 0
    assert "Discarded in bulk" in admin_client.get(reverse("people:discarded")).content.decode()
    _undo(alice_client, BulkOperation.objects.latest("pk"))
    assert Person.objects.filter(discarded_at=None).count() == 3


def test_opportunities_companies_and_orders(manager_client, alice, bob):
    board = PipelineFactory(members=[alice, bob])
    cards = [OpportunityFactory(pipeline=board, agent=alice) for _ in range(2)]
    _bulk(manager_client, "opportunities", action="archive", ids=[c.pk for c in cards])
    assert Opportunity.objects.filter(archived=True).count() == 2
    _bulk(manager_client, "opportunities", action="reassign", user=bob.pk, ids=[cards[0].pk])
    assert Opportunity.objects.get(pk=cards[0].pk).agent == bob
    company = CompanyFactory(owner=alice)
    _bulk(manager_client, "companies", action="reassign", user=bob.pk, ids=[company.pk])
    company.refresh_from_db()
    assert company.owner == bob
    order = ServiceOrderFactory(assignee=alice)
    _bulk(manager_client, "orders", action="reassign", user=bob.pk, ids=[order.pk])
    order.refresh_from_db()
    assert order.assignee == bob
    # An action of another list is refused.
    page = _bulk(manager_client, "companies", action="discard", ids=[company.pk])
    assert "Select a valid choice" in page.content.decode()


def test_bad_input_says_what_is_missing_and_changes_nothing(manager_client, alice):
    person = PersonFactory(owner=alice)
    assert "Select at least one row." in _bulk(manager_client, "people", action="discard").content.decode()
    page = _bulk(manager_client, "people", action="reassign", ids=[person.pk]).content.decode()
    assert "Choose one for “Give to”." in page
    person.refresh_from_db()
    assert person.discarded_at is None
    assert not BulkOperation.objects.exists()
    assert manager_client.post(reverse("crm:bulk", args=["planets"]), {"action": "x"}).status_code == 404


def test_the_undo_lasts_a_short_while(manager_client, alice, settings):
    person = PersonFactory(owner=alice)
    _bulk(manager_client, "people", action="discard", ids=[person.pk])
    operation = BulkOperation.objects.get()
    BulkOperation.objects.filter(pk=operation.pk).update(
        created_at=timezone.now() - timedelta(minutes=settings.BULK_UNDO_MINUTES + 1)
    )
    assert "can no longer be undone" in _undo(manager_client, operation).content.decode()
    assert "Your last bulk change" not in manager_client.get(reverse("people:list")).content.decode()
    person.refresh_from_db()
    assert person.discarded_at is not None


def test_activities_and_reminders_change_hands_in_bulk(manager_client, alice, bob):
    from activities.models import Activity
    from crm.tests.factories import ActivityFactory

    person = PersonFactory(owner=alice)
    done = ActivityFactory(person=person, owner=alice)
    due = ActivityFactory(person=person, owner=alice, done_at=None, due_at=timezone.now() + timedelta(days=1))
    _bulk(manager_client, "reminders", action="reassign", user=bob.pk, ids=[due.pk, done.pk])
    assert Activity.objects.get(pk=due.pk).owner == bob
    assert Activity.objects.get(pk=done.pk).owner == alice  # not a reminder: not in that list
    _bulk(manager_client, "activities", action="reassign", user=bob.pk, all="1", query="status=done&owner=")
    assert Activity.objects.get(pk=done.pk).owner == bob
    assert (
        'form="bulk-reminders"'
        in manager_client.get(reverse("activities:reminders"), {"owner": ""}).content.decode()
    )


def test_the_bar_offers_what_the_user_may_choose_escaped(alice_client, alice, bob):
    TagFactory(name="<b>VIP</b>")
    CampaignFactory(name="Verano & <i>Lima</i>", owner=alice)
    CampaignFactory(name="La campaña de Bob", owner=bob)
    page = alice_client.get(reverse("people:list")).content.decode()
    bar = page[page.index('id="bulk-people"') : page.index("</form>", page.index('id="bulk-people"'))]
    # The list's page names where the bar's choices come from; they come when it is first used.
    options_url = reverse("crm:bulk_options", args=["people"])
    assert f'hx-get="{options_url}"' in bar
    assert "VIP" not in bar
    options = alice_client.get(options_url).content.decode()
    assert "&lt;b&gt;VIP&lt;/b&gt;" in options
    assert "<b>VIP</b>" not in options
    assert "Verano &amp; &lt;i&gt;Lima&lt;/i&gt;" in options
    assert "La campaña de Bob" not in options
    # Each list of choices goes into its select of the bar (by id, out of band).
    assert 'id="bulk-people-tag" hx-swap-oob="beforeend"' in options
    # An agent gives rows only to themself.
    user_select = options[
        options.index('id="bulk-people-user"') : options.index(
            "</select>", options.index('id="bulk-people-user"')
        )
    ]
    assert f'value="{alice.pk}"' in user_select
    assert f'value="{bob.pk}"' not in user_select


def test_the_bar_lists_at_most_two_hundred_campaigns(manager_client, alice):
    CampaignFactory.create_batch(201, owner=alice)
    options = manager_client.get(reverse("crm:bulk_options", args=["people"])).content.decode()
    campaigns = options[
        options.index('id="bulk-people-campaign"') : options.index(
            "</select>", options.index('id="bulk-people-campaign"')
        )
    ]
    assert campaigns.count("<option") == 200


def test_a_list_without_such_a_bar_has_no_choices(alice_client):
    assert alice_client.get(reverse("crm:bulk_options", args=["nothing"])).status_code == 404
    assert alice_client.post(reverse("crm:bulk_options", args=["people"])).status_code == 405


def test_a_bulk_archive_is_on_each_cards_history(manager_client, manager, alice):
    board = PipelineFactory(members=[alice])
    cards = [OpportunityFactory(pipeline=board, agent=alice) for _ in range(2)]
    _bulk(manager_client, "opportunities", action="archive", ids=[c.pk for c in cards])
    for card in cards:
        assert card.events.filter(kind="archived", by=manager).count() == 1
    _undo(manager_client, BulkOperation.objects.get())
    for card in cards:
        assert card.events.filter(kind="unarchived", by=manager).count() == 1


def test_undoing_a_bulk_discard_records_the_restore(alice_client, alice):
    people = [PersonFactory(owner=alice) for _ in range(2)]
    _bulk(alice_client, "people", action="discard", ids=[p.pk for p in people])
    _undo(alice_client, BulkOperation.objects.get())
    for person in people:
        person.refresh_from_db()
        assert person.discarded_at is None
        assert PersonEvent.objects.filter(person=person, kind="restored", by=alice).count() == 1


def test_undoing_a_bulk_archive_keeps_one_open_card_per_prospect_and_board(manager_client, alice):
    board = PipelineFactory(members=[alice])
    prospect = PersonFactory(owner=alice)
    first = OpportunityFactory(pipeline=board, agent=alice, contact=prospect, company=None)
    _bulk(manager_client, "opportunities", action="archive", ids=[first.pk])
    second = OpportunityFactory(pipeline=board, agent=alice, contact=prospect, company=None)
    response = _undo(manager_client, BulkOperation.objects.get())
    assert response.status_code == 200
    assert "open card" in response.content.decode()
    first.refresh_from_db()
    assert first.archived is True  # the open card made since stays the only one
    assert Opportunity.objects.filter(pk=second.pk, archived=False).exists()
