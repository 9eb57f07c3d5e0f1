"""Merging duplicate people and companies: the survivor takes the chosen values and
everything linked to the other record; the other is discarded, restorable."""

from __future__ import annotations

import pytest
from django.urls import reverse

from activities.models import Activity
from campaigns.models import CampaignMember
from campaigns.tests.factories import CampaignFactory, CampaignMemberFactory
from companies.models import Company, Membership
from companies.tests.factories import CompanyFactory, MembershipFactory
from crm.models import Attachment
from crm.tests.factories import ActivityFactory
from opportunities.models import Opportunity
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.models import Person
from people.tests.factories import PersonFactory, TagFactory
from serviceorders.models import ServiceOrder
from serviceorders.tests.factories import ServiceOrderFactory

pytestmark = pytest.mark.django_db


def _merge_url(kind: str, a, b) -> str:
    return reverse("crm:merge", args=[kind, a.pk]) + f"?b={b.pk}"


@pytest.fixture
def twins(alice):
    """Rosa, twice: once from a fair, once from an import."""
    rosa = PersonFactory(owner=alice, first_name="Rosa", last_name="Pérez", email="rosa@andes.pe", mobile="")
    copy = PersonFactory(
        owner=alice, first_name="Rosa María", last_name="Pérez", email="ROSA@andes.pe", mobile="+51987654321"
    )
    return rosa, copy


def test_merging_people_moves_everything_to_the_survivor(alice_client, alice, twins):
    rosa, copy = twins
    company, other_company = CompanyFactory(owner=alice), CompanyFactory(owner=alice)
    MembershipFactory(person=rosa, company=company)
    MembershipFactory(person=copy, company=company)  # the same company: the survivor's stays
    MembershipFactory(person=copy, company=other_company)
    campaign, other_campaign = CampaignFactory(owner=alice), CampaignFactory(owner=alice)
    CampaignMemberFactory(campaign=campaign, person=rosa)
    CampaignMemberFactory(campaign=campaign, person=copy)
    CampaignMemberFactory(campaign=other_campaign, person=copy)
    ActivityFactory(person=copy, owner=alice, subject="Llamada de la feria")
    card = OpportunityFactory(pipeline=PipelineFactory(members=[alice]), agent=alice, contact=copy)
    order = ServiceOrderFactory(assignee=alice, company=company, contact=copy)
    Attachment.objects.create(
        person=copy,
        file="attachments/x",
        name="dni.pdf",
        size=3,
        content_type="application/pdf",
        uploaded_by=alice,
    )
    copy.tags.add(TagFactory(name="Feria"))

    page = alice_client.get(_merge_url("people", rosa, copy))
    assert set(page.context["form"].fields) == {"survivor", "first_name", "email", "mobile", "phone"}
    response = alice_client.post(
        _merge_url("people", rosa, copy),
        {"survivor": "a", "first_name": "b", "email": "a", "mobile": "b", "phone": "a"},
    )
    assert response.url == rosa.get_absolute_url()
    rosa.refresh_from_db()
    copy.refresh_from_db()
    assert (rosa.first_name, rosa.email, rosa.mobile) == ("Rosa María", "rosa@andes.pe", "+51987654321")
    assert copy.discarded_at is not None
    assert f"Merged into Rosa María Pérez (#{rosa.pk})" in copy.discard_reason
    # Both timelines say so, as the services would (and webhooks announce it from there).
    assert copy.events.filter(kind="discarded", new_value=copy.discard_reason).exists()
    assert rosa.events.get(kind="updated").new_value == "first name, mobile"

    assert Activity.objects.filter(person=rosa, subject="Llamada de la feria").exists()
    assert set(Membership.objects.filter(person=rosa).values_list("company", flat=True)) == {
        company.pk,
        other_company.pk,
    }
    assert set(CampaignMember.objects.filter(person=rosa).values_list("campaign", flat=True)) == {
        campaign.pk,
        other_campaign.pk,
    }
    assert Opportunity.objects.get(pk=card.pk).contact == rosa
    assert ServiceOrder.objects.get(pk=order.pk).contact == rosa
    assert Attachment.objects.get().person == rosa
    assert list(rosa.tags.values_list("name", flat=True)) == ["Feria"]
    assert not Membership.objects.filter(person=copy).exists()
    # On both timelines.
    assert Activity.objects.filter(person=rosa, kind="note", subject__startswith="Merged with Rosa").exists()
    assert Activity.objects.filter(person=copy, kind="note", subject__startswith="Merged into Rosa").exists()
    assert "Merged with" in alice_client.get(rosa.get_absolute_url()).content.decode()


def test_the_discarded_one_comes_back_from_discarded(admin_client, alice_client, twins):
    rosa, copy = twins
    alice_client.post(_merge_url("people", rosa, copy), {"survivor": "b", "first_name": "a"})
    rosa.refresh_from_db()
    assert rosa.discarded_at is not None
    assert Person.objects.get(pk=copy.pk).first_name == "Rosa"
    admin_client.post(reverse("people:restore", args=[rosa.pk]))
    rosa.refresh_from_db()
    assert rosa.discarded_at is None


def test_a_merge_that_would_leave_two_open_cards_on_a_board_is_refused(alice_client, alice, twins):
    rosa, copy = twins
    board = PipelineFactory(name="Ventas", members=[alice])
    OpportunityFactory(pipeline=board, agent=alice, contact=rosa)
    OpportunityFactory(pipeline=board, agent=alice, contact=copy)
    response = alice_client.post(_merge_url("people", rosa, copy), {"survivor": "a"})
    assert response.status_code == 200
    assert "Both have an open card on Ventas" in response.content.decode()
    copy.refresh_from_db()
    assert copy.discarded_at is None
    assert Opportunity.objects.filter(contact=copy).count() == 1


def test_only_records_the_user_may_see(bob_client, alice_client, bob, twins):
    rosa, copy = twins
    bobs = PersonFactory(owner=bob)
    assert bob_client.get(_merge_url("people", rosa, copy)).status_code == 404
    assert alice_client.get(_merge_url("people", rosa, bobs)).status_code == 404
    assert alice_client.post(_merge_url("people", rosa, bobs), {"survivor": "a"}).status_code == 404
    assert bob_client.get(reverse("crm:merge", args=["people", bobs.pk])).status_code == 200
    assert alice_client.get(reverse("crm:merge", args=["planets", rosa.pk])).status_code == 404
    bobs.refresh_from_db()
    assert bobs.discarded_at is None


def test_possible_duplicates_by_email_and_phone(alice_client, bob, twins):
    rosa, copy = twins
    PersonFactory(owner=bob, email="rosa@andes.pe")  # bob's: not alice's to see
    page = alice_client.get(reverse("crm:duplicates", args=["people"]))
    groups = page.context["groups"]
    assert [(g.value, [p.pk for p in g.records]) for g in groups] == [("ROSA@ANDES.PE", [rosa.pk, copy.pk])]
    assert _merge_url("people", rosa, copy).replace("&", "&amp;") in page.content.decode()
    same_phone = PersonFactory(owner=rosa.owner, phone=rosa.phone)
    by_phone = alice_client.get(reverse("crm:duplicates", args=["people"]), {"by": "phone"}).context["groups"]
    assert [[p.pk for p in g.records] for g in by_phone] == [[rosa.pk, same_phone.pk]]


def test_a_number_is_shared_whether_phone_or_mobile(alice_client, alice, bob):
    """A cellphone typed as the phone of one person and the mobile of another."""
    ana = PersonFactory(owner=alice, phone="+51987000111", mobile="+51987000222")
    ana_again = PersonFactory(owner=alice, phone="", mobile="+51987000111")
    lucho = PersonFactory(owner=alice, phone="+51987000222", mobile="")
    PersonFactory(owner=alice, phone="+51987000333", mobile="+51987000333")  # one person, one number
    PersonFactory(owner=bob, phone="+51987000111", mobile="")  # not alice's to see
    page = alice_client.get(reverse("crm:duplicates", args=["people"]), {"by": "phone"})
    groups = [(g.value, [p.pk for p in g.records]) for g in page.context["groups"]]
    assert groups == [("+51987000111", [ana.pk, ana_again.pk]), ("+51987000222", [ana.pk, lucho.pk])]
    assert "Same phone or mobile" in page.content.decode()


def test_merging_companies_and_restoring_the_merged_one(admin_client, admin_user):
    andes = CompanyFactory(owner=admin_user, name="Andes SAC", tax_id="20123456789", country="PE", phone="")
    copy = CompanyFactory(owner=admin_user, name="ANDES S.A.C.", tax_id="", country="PE", phone="+5114445555")
    MembershipFactory(company=copy)
    order = ServiceOrderFactory(assignee=admin_user, company=copy)
    response = admin_client.post(
        _merge_url("companies", andes, copy), {"survivor": "a", "name": "a", "tax_id": "a", "phone": "b"}
    )
    assert response.url == andes.get_absolute_url()
    andes.refresh_from_db()
    assert (andes.name, andes.phone) == ("Andes SAC", "+5114445555")
    assert ServiceOrder.objects.get(pk=order.pk).company == andes
    assert Membership.objects.filter(company=andes).count() == 1
    assert admin_client.get(copy.get_absolute_url()).status_code == 404
    assert "ANDES S.A.C." in admin_client.get(reverse("companies:discarded")).content.decode()
    admin_client.post(reverse("companies:restore", args=[copy.pk]))
    assert Company.objects.get(pk=copy.pk).discarded_at is None


def test_the_survivor_may_take_the_tax_id_of_the_merged_company(admin_client, admin_user):
    andes = CompanyFactory(owner=admin_user, name="Andes", tax_id="", country="PE")
    copy = CompanyFactory(owner=admin_user, name="Andes", tax_id="20123456789", country="PE")
    admin_client.post(_merge_url("companies", andes, copy), {"survivor": "a", "tax_id": "b"})
    andes.refresh_from_db()
    assert andes.tax_id == "20123456789"
    # Restoring the merged one while the survivor holds its tax id is refused, with a message.
    page = admin_client.post(reverse("companies:restore", args=[copy.pk]), follow=True).content.decode()
    assert "already" in page.lower()
    assert Company.objects.get(pk=copy.pk).discarded_at is not None


def test_duplicates_and_merge_pages_have_a_fixed_number_of_queries(
    alice_client, alice, django_assert_max_num_queries
):
    for n in range(30):
        PersonFactory(owner=alice, email=f"same{n % 10}@andes.pe")
    with django_assert_max_num_queries(8):
        page = alice_client.get(reverse("crm:duplicates", args=["people"]))
    assert len(page.context["groups"]) == 10
    a, b = Person.objects.filter(email="same1@andes.pe")[:2]
    with django_assert_max_num_queries(8):
        alice_client.get(_merge_url("people", a, b))


def test_shared_values_are_reused_until_looked_for_again(alice_client, alice, settings, twins):
    settings.DUPLICATES_CACHE_SECONDS = 600
    url = reverse("crm:duplicates", args=["people"])
    assert len(alice_client.get(url).context["groups"]) == 1
    PersonFactory(owner=alice, email="lucia@andes.pe")
    PersonFactory(owner=alice, email="LUCIA@andes.pe")
    assert len(alice_client.get(url).context["groups"]) == 1
    assert len(alice_client.get(url, {"refresh": "1"}).context["groups"]) == 2
