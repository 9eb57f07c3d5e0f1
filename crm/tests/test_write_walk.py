"""Walk every write route of the project as an agent who sees alice's records
through a relation, and check that nothing was taken.

Carol is an agent: one of her people works at alice's company, she follows
alice's card on a board she belongs to, an order of hers is in alice's project,
and she works alice's person as a member of alice's campaign. Every URL of the
read walk's RULES (so every route, pages and API, as soon as it exists) is sent
POST, PUT, PATCH and DELETE as carol, with bodies that try to take the records
(owner, agent, assignee, members, merge, discard, archive, delete, bulk
actions). Afterwards the owner, agent, members, discard and archive state and
the existence of every record alice had must be as before. Reading and what a
relation is for (comments, activities, services on her own order) are allowed.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from activities.models import Activity
from campaigns.models import Campaign, CampaignMember
from companies.models import Company, Membership
from companies.tests.factories import CompanyFactory, MembershipFactory
from crm import attachments
from crm.bulk import KINDS as BULK_KINDS
from crm.models import Attachment
from crm.tests.factories import UserFactory
from crm.tests.test_access_walk import RULES
from opportunities.models import Opportunity
from people.models import Person
from people.tests.factories import PersonFactory
from serviceorders.models import Project, ServiceOrder
from serviceorders.tests.factories import ServiceOrderFactory

pytestmark = pytest.mark.django_db

METHODS = ("post", "put", "patch", "delete")


@pytest.fixture
def related(world):
    """The world of the read walk, plus carol, who sees alice's records through relations."""
    w = world
    w.carol = UserFactory(username="carol", name="Carol Agent", role="agent")
    w.carols_person = PersonFactory(owner=w.carol)
    MembershipFactory(person=w.carols_person, company=w.company)
    w.carols_company = CompanyFactory(owner=w.carol)
    w.pipeline.members.add(w.carol)
    w.opportunity.members.add(w.carol)
    w.carols_order = ServiceOrderFactory(assignee=w.carol, project=w.project, company=w.company)
    w.member.agent = w.carol  # she works alice's person in alice's campaign
    w.member.save()
    w.company_file = attachments.attach(
        record=w.company,
        field="company",
        uploads=[SimpleUploadedFile("c.pdf", b"%PDF-1.4")],
        by=w.alice,
    )[0]
    return w


def _snapshot(w) -> dict:
    """What must not change: who is responsible, who follows, discarded or archived, existence."""
    alice = w.alice
    return {
        "people": sorted(Person.objects.filter(owner=alice).values_list("pk", "owner_id", "discarded_at")),
        "companies": sorted(
            Company.objects.filter(owner=alice).values_list("pk", "owner_id", "discarded_at")
        ),
        "cards": sorted(
            # Carol may stop following (and follow again) herself: that is what following is.
            (
                card.pk,
                card.agent_id,
                card.archived,
                sorted(card.members.exclude(pk=w.carol.pk).values_list("pk", flat=True)),
            )
            for card in Opportunity.objects.filter(agent=alice)
        ),
        "projects": sorted(Project.objects.filter(owner=alice).values_list("pk", "owner_id")),
        "orders": sorted(ServiceOrder.objects.filter(assignee=alice).values_list("pk", "assignee_id")),
        "campaigns": sorted(Campaign.objects.filter(owner=alice).values_list("pk", "owner_id")),
        "members": sorted(CampaignMember.objects.values_list("pk", "agent_id")),
        "activities": sorted(Activity.objects.filter(owner=alice).values_list("pk", "owner_id")),
        "attachments": sorted(Attachment.objects.values_list("pk", flat=True)),
        "memberships": sorted(Membership.objects.values_list("pk", "company_id", "person_id")),
    }


def _takeover(w) -> dict:
    """Form fields that would take alice's records for carol if a route let them."""
    carol = w.carol
    return {
        "owner": carol.pk,
        "agent": carol.pk,
        "assignee": carol.pk,
        "user": carol.pk,
        "members": [],
        "name": "Taken",
        "first_name": "Taken",
        "subject": "Taken",
        "country": "BR",
        "stage": w.stage.pk,
        "status": "lost",
        "lost_reason": "taken",
        "improvement": "taken",
        "reason": "taken",
        "archived": "1",
        "contact": "discard",
        "follow": "0",
        "survivor": "b",
        "comment": "seen",
    }


def _variants(name: str, w) -> list[tuple[dict | None, dict]]:
    """(kwargs to use instead of the rule's, extra data) for the routes that take a kind."""
    if name == "crm:bulk":
        alices = {
            "people": [w.person.pk],
            "companies": [w.company.pk],
            "opportunities": [w.opportunity.pk],
            "orders": [w.order.pk],
            "activities": [w.reminder.pk],
            "reminders": [w.reminder.pk],
        }
        return [
            ({"kind": kind}, {"action": action.slug, "ids": alices[kind], "tag": w.tag.pk, "stage": "client"})
            for kind, spec in BULK_KINDS.items()
            for action in spec.actions
        ]
    if name == "crm:merge":
        return [
            ({"kind": "companies", "pk": w.carols_company.pk}, {"b": w.company.pk, "survivor": "a"}),
            ({"kind": "companies", "pk": w.company.pk}, {"b": w.carols_company.pk, "survivor": "b"}),
            ({"kind": "people", "pk": w.carols_person.pk}, {"b": w.person.pk, "survivor": "a"}),
        ]
    if name in ("crm:attachment_add", "crm:history", "crm:history_revert"):
        return [(None, {}), ({"kind": "company", "pk": w.company.pk}, {})]
    return [(None, {})]


def test_an_agent_who_sees_through_a_relation_takes_nothing(related):
    w = related
    client = Client()
    client.force_login(w.carol)
    before = _snapshot(w)
    answers: Counter = Counter()
    routes = 0
    for name in sorted(RULES):
        rule = RULES[name]
        if name in ("logout",):
            continue
        for kwargs, extra in _variants(name, w):
            try:
                url = reverse(
                    name, kwargs=kwargs if kwargs is not None else (rule.kwargs(w) if rule.kwargs else None)
                )
            except Exception:  # a kind this route does not take
                continue
            routes += 1
            data = {**_takeover(w), **extra}
            for method in METHODS:
                if name.startswith("api:"):
                    response = getattr(client, method)(url, json.dumps(data), content_type="application/json")
                else:
                    response = getattr(client, method)(url, data if method == "post" else "")
                answers[response.status_code] += 1
                assert response.status_code < 500, (method, url, response.status_code)
            # Compared once per route (its four methods): the message names the route.
            after = _snapshot(w)
            changed = {key for key in before if before[key] != after[key]}
            assert not changed, f"{url} as carol changed {changed}"
    # The walk reached the routes: refusals of writes (403), not only missing records.
    assert routes > 150
    assert answers[403] > 20, answers
