"""An agent's companies: those they own and those where one of their people
works, found through the person's owner that PostgreSQL keeps on each
membership (migration 0008), whatever changed the person or the membership."""

from __future__ import annotations

import pytest
from django.urls import reverse

from companies.models import Company, Membership
from companies.tests.factories import CompanyFactory, MembershipFactory
from crm import access, importing, merge
from people import services
from people.models import Person
from people.tests.factories import PersonFactory, import_job

pytestmark = pytest.mark.django_db


def _sees(user, company) -> bool:
    return access.companies(user).filter(pk=company.pk).exists()


def test_a_company_follows_its_people_from_agent_to_agent(alice, bob, manager, manager_client):
    company = CompanyFactory(owner=manager)
    rosa = PersonFactory(owner=alice)
    MembershipFactory(person=rosa, company=company)
    assert (_sees(alice, company), _sees(bob, company)) == (True, False)

    # Given to Bob on her form (the service), then back to Alice in bulk (a queryset update).
    services.person_update(person=rosa, by=manager, owner=bob)
    assert (_sees(alice, company), _sees(bob, company)) == (False, True)
    manager_client.post(
        reverse("crm:bulk", args=["people"]), {"action": "reassign", "user": alice.pk, "ids": [rosa.pk]}
    )
    assert (_sees(alice, company), _sees(bob, company)) == (True, False)

    # Discarded, she takes the company out of Alice's; restored, she brings it back.
    services.person_discard(person=rosa, by=alice, reason="No contesta")
    assert not _sees(alice, company)
    services.person_restore(person=Person.objects.get(pk=rosa.pk), by=manager)
    assert _sees(alice, company)


def test_a_membership_moved_to_another_person_takes_their_owner(alice, bob, manager):
    company = CompanyFactory(owner=manager)
    hers, his = (
        PersonFactory(owner=alice, email="rosa@example.pe"),
        PersonFactory(owner=bob, email="rosa@example.pe"),
    )
    MembershipFactory(person=his, company=company)
    assert (_sees(alice, company), _sees(bob, company)) == (False, True)
    # Bob's duplicate merged into Alice's Rosa: the position moves to her.
    merge.merge(kind=merge.KINDS["people"], survivor=hers, duplicate=his, values={}, by=manager)
    assert Membership.objects.get().person_id == hers.pk
    assert (_sees(alice, company), _sees(bob, company)) == (True, False)


def test_people_imported_by_copy_bring_their_companies(alice, bob, manager):
    CompanyFactory(name="Textiles Andinos S.A.C.", owner=bob)
    content = (
        "Nombre,Apellido,Correo,Empresa,Cargo\nJosé,Peña,jose@example.pe,Textiles Andinos S.A.C.,Gerente\n"
    )
    job = import_job(manager, content, owner=alice)
    importing.run(job)
    # The manager sees Bob's company: José goes to work there, and so Alice sees it.
    company = Company.objects.get(name="Textiles Andinos S.A.C.")
    assert company.owner == bob
    assert Membership.objects.filter(company=company, person__owner=alice).exists()
    assert _sees(alice, company)


def test_the_agents_list_counts_only_their_people(alice, bob, alice_client):
    company = CompanyFactory(owner=alice, name="Ferretería Central")
    for owner in (alice, alice, bob):
        MembershipFactory(company=company, person=PersonFactory(owner=owner))
    page = alice_client.get(reverse("companies:list"))
    row = next(c for c in page.context["page"] if c.pk == company.pk)
    assert row.person_count == 2
