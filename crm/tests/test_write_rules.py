"""Seeing is not changing: a record an agent sees through a relation (a person of
theirs works at the company, they follow the card, an order of theirs is in the
project, they work members of the campaign) is read, never taken."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import CampaignMember
from campaigns.tests.factories import CampaignFactory, CampaignMemberFactory
from companies.models import Company, Membership
from companies.tests.factories import CompanyFactory, MembershipFactory
from crm import attachments
from crm.forms import current_values
from crm.tests.helpers import api_client
from opportunities.models import Opportunity
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.tests.factories import PersonFactory
from serviceorders.forms import ProjectForm
from serviceorders.models import Project
from serviceorders.tests.factories import ProjectFactory, ServiceOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def company_of_alice(alice, bob):
    """alice's company, where one of bob's people works: bob sees it."""
    company = CompanyFactory(owner=alice)
    MembershipFactory(person=PersonFactory(owner=bob), company=company)
    MembershipFactory(person=PersonFactory(owner=alice), company=company)
    return company


def test_an_agent_cannot_merge_away_a_company_seen_through_a_person(
    bob_client, alice_client, bob, alice, company_of_alice
):
    mine = CompanyFactory(owner=bob)
    attachment = attachments.attach(
        record=company_of_alice,
        field="company",
        uploads=[SimpleUploadedFile("contract.pdf", b"%PDF-1.4 contract")],
        by=alice,
    )[0]
    url = reverse("crm:merge", kwargs={"kind": "companies", "pk": mine.pk}) + f"?b={company_of_alice.pk}"
    assert bob_client.get(url).status_code == 403
    assert bob_client.post(url, {"survivor": "a"}).status_code == 403
    # Nor from the other side.
    url = reverse("crm:merge", kwargs={"kind": "companies", "pk": company_of_alice.pk}) + f"?b={mine.pk}"
    assert bob_client.post(url, {"survivor": "b"}).status_code == 403
    company_of_alice.refresh_from_db()
    assert company_of_alice.discarded_at is None
    assert Membership.objects.filter(company=company_of_alice).count() == 2
    assert alice_client.get(company_of_alice.get_absolute_url()).status_code == 200
    attachment.refresh_from_db()
    assert (attachment.company_id, attachment.uploaded_by) == (company_of_alice.pk, alice)


def test_saving_a_company_seen_through_a_person_is_refused_and_keeps_its_owner(
    bob_client, bob, alice, company_of_alice
):
    url = reverse("companies:edit", args=[company_of_alice.pk])
    assert bob_client.get(company_of_alice.get_absolute_url()).status_code == 200
    assert bob_client.get(url).status_code == 403
    assert bob_client.post(url, {"name": "Taken", "country": "BR"}).status_code == 403
    response = api_client(bob).patch(
        f"/api/v1/companies/{company_of_alice.pk}/", {"name": "Taken"}, content_type="application/json"
    )
    assert response.status_code == 403
    company_of_alice.refresh_from_db()
    assert (company_of_alice.owner, company_of_alice.name) == (alice, company_of_alice.name)
    assert company_of_alice.name != "Taken"


def test_a_save_without_an_owner_field_keeps_the_owner(manager_client, alice, company_of_alice):
    """A manager's form left blank (or an API call without ``owner``) keeps whoever owns it."""
    url = reverse("companies:edit", args=[company_of_alice.pk])
    data = current_values(manager_client.get(url).context["form"])
    data["owner"] = ""
    data["name"] = "Renamed"
    assert manager_client.post(url, data).status_code == 302
    company_of_alice.refresh_from_db()
    assert (company_of_alice.name, company_of_alice.owner) == ("Renamed", alice)


def test_the_owner_of_a_company_edits_it_and_stays_its_owner(alice_client, alice, company_of_alice):
    response = api_client(alice).patch(
        f"/api/v1/companies/{company_of_alice.pk}/", {"name": "Nueva"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert Company.objects.get(pk=company_of_alice.pk).owner == alice


def test_an_assignee_reads_the_project_but_does_not_take_it(bob_client, bob, alice):
    project = ProjectFactory(owner=alice)
    ServiceOrderFactory(project=project, company=project.company, assignee=bob)
    assert bob_client.get(reverse("serviceorders:project", args=[project.key])).status_code == 200
    url = reverse("serviceorders:project_edit", args=[project.key])
    assert bob_client.get(url).status_code == 403
    data = current_values(ProjectForm(instance=project, user=alice))
    assert bob_client.post(url, data).status_code == 403
    assert Project.objects.get(pk=project.pk).owner == alice


def test_a_follower_of_a_card_cannot_take_or_change_it(bob_client, bob, alice):
    board = PipelineFactory(members=[alice, bob])
    card = OpportunityFactory(pipeline=board, agent=alice)
    card.members.add(bob)
    api = api_client(bob)
    assert api.get(f"/api/v1/opportunities/{card.pk}/").status_code == 200
    response = api.patch(
        f"/api/v1/opportunities/{card.pk}/",
        json.dumps({"agent": bob.pk, "members": []}),
        content_type="application/json",
    )
    assert response.status_code == 403
    for name in ("edit", "archive", "status", "move"):
        assert bob_client.post(reverse(f"opportunities:{name}", args=[card.pk])).status_code == 403, name
    card.refresh_from_db()
    assert (card.agent, list(card.members.all()), card.archived) == (alice, [bob], False)
    # What following is for: comments.
    response = bob_client.post(reverse("opportunities:comment", args=[card.pk]), {"comment": "Visto"})
    assert response.status_code == 302
    assert card.events.filter(kind="comment", by=bob).exists()


def test_the_api_adds_members_only_to_campaigns_the_user_manages(bob, alice):
    campaign = CampaignFactory(owner=alice)
    CampaignMemberFactory(campaign=campaign, agent=bob, person=PersonFactory(owner=bob))
    stranger = PersonFactory(owner=bob)
    response = api_client(bob).post(
        f"/api/v1/campaigns/{campaign.pk}/members/", {"person": stranger.pk}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not CampaignMember.objects.filter(campaign=campaign, person=stranger).exists()


def test_bulk_actions_leave_out_what_the_agent_only_sees(bob_client, bob, alice, company_of_alice):
    mine = CompanyFactory(owner=bob)
    response = bob_client.post(
        reverse("crm:bulk", kwargs={"kind": "companies"}),
        {"action": "reassign", "ids": [company_of_alice.pk, mine.pk], "user": bob.pk},
    )
    assert response.status_code in (200, 302)
    assert Company.objects.get(pk=company_of_alice.pk).owner == alice


def test_followed_cards_are_not_archived_in_bulk(bob_client, bob, alice):
    board = PipelineFactory(members=[alice, bob])
    card = OpportunityFactory(pipeline=board, agent=alice)
    card.members.add(bob)
    bob_client.post(
        reverse("crm:bulk", kwargs={"kind": "opportunities"}), {"action": "archive", "ids": [card.pk]}
    )
    assert Opportunity.objects.get(pk=card.pk).archived is False


def test_bulk_adds_people_only_to_campaigns_the_agent_manages(bob_client, bob, alice):
    campaign = CampaignFactory(owner=alice)
    CampaignMemberFactory(campaign=campaign, agent=bob, person=PersonFactory(owner=bob))
    mine = PersonFactory(owner=bob)
    bob_client.post(
        reverse("crm:bulk", kwargs={"kind": "people"}),
        {"action": "add_to_campaign", "ids": [mine.pk], "campaign": campaign.pk},
    )
    assert not CampaignMember.objects.filter(campaign=campaign, person=mine).exists()
