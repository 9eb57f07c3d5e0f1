import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from campaigns import services
from campaigns.models import Campaign, CampaignMember
from campaigns.tests.factories import CampaignFactory, CampaignMemberFactory
from crm.tests.factories import ActivityFactory, UserFactory
from people.models import Person, PersonEvent
from people.tests.factories import PersonFactory, TagFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today


def _data(**overrides):
    data = {
        "name": "Campaña Verano",
        "product_name": "Curso de ventas",
        "price": "1200.50",
        "currency": "PEN",
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-31",
        "description": "",
    }
    data.update(overrides)
    return data


def test_create_a_campaign(alice_client, alice):
    response = alice_client.post(reverse("campaigns:create"), _data())
    campaign = Campaign.objects.get()
    assert response["Location"] == campaign.get_absolute_url()
    assert (campaign.owner, str(campaign.price)) == (alice, "1200.50")


def test_end_before_start_and_negative_price_are_refused(alice_client):
    response = alice_client.post(reverse("campaigns:create"), _data(ends_on="2026-11-01", price="-5"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "ends_on" in errors
    assert "price" in errors or "__all__" in errors
    assert 'value="Campaña Verano"' in response.content.decode()
    assert not Campaign.objects.exists()


def test_status_follows_the_dates():
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    assert CampaignFactory.build(starts_on=today + day, ends_on=today + 2 * day).status == "planned"
    assert CampaignFactory.build(starts_on=today, ends_on=today).status == "running"
    assert CampaignFactory.build(starts_on=today - 2 * day, ends_on=today - day).status == "finished"


def test_list_newest_first_numbered_with_member_counts(manager_client, alice):
    old = CampaignFactory(name="Old")
    new = CampaignFactory(name="New")
    CampaignMemberFactory(campaign=new, status="converted")
    CampaignMemberFactory(campaign=new)
    response = manager_client.get(reverse("campaigns:list"))
    rows = list(response.context["page"])
    assert rows == [new, old]
    assert (rows[0].member_count, rows[0].converted_count) == (2, 1)
    assert '<td class="text-body-secondary">1</td>' in response.content.decode()


def test_list_counts_the_members_each_user_sees(alice_client, alice, bob, manager_client):
    # The counts are those of the members the viewer may see: an agent's own, the team's for
    # a manager; never a discarded person's membership, even after their status changed.
    campaign = CampaignFactory(owner=bob)
    CampaignMemberFactory(
        campaign=campaign, person=PersonFactory(owner=alice), agent=alice, status="converted"
    )
    CampaignMemberFactory(campaign=campaign, person=PersonFactory(owner=alice), agent=alice)
    CampaignMemberFactory(campaign=campaign, person=PersonFactory(owner=bob), agent=bob, status="converted")
    gone = CampaignMemberFactory(campaign=campaign, person=PersonFactory(owner=alice), agent=alice)
    Person.objects.filter(pk=gone.person_id).update(discarded_at=timezone.now())
    CampaignMember.objects.filter(pk=gone.pk).update(status="converted")

    def counts(client):
        row = client.get(reverse("campaigns:list")).context["page"][0]
        return row.member_count, row.converted_count

    assert counts(alice_client) == (2, 1)
    assert counts(manager_client) == (3, 2)
    Person.objects.filter(pk=gone.person_id).update(discarded_at=None)
    assert counts(alice_client) == (3, 2)


def test_list_filters(manager_client):
    today = timezone.localdate()
    running = CampaignFactory(product_name="Software contable")
    CampaignFactory(starts_on=today + datetime.timedelta(days=3), ends_on=today + datetime.timedelta(days=9))
    response = manager_client.get(reverse("campaigns:list"), {"status": "running", "product": "contable"})
    assert list(response.context["page"]) == [running]


def test_agents_see_campaigns_they_own_or_work_in(alice_client, alice, bob):
    own = CampaignFactory(owner=alice, name="Own")
    works_in = CampaignFactory(owner=bob, name="Works in")
    CampaignMemberFactory(campaign=works_in, person=PersonFactory(owner=alice), agent=alice)
    CampaignFactory(owner=bob, name="Not mine")
    names = {c.name for c in alice_client.get(reverse("campaigns:list")).context["page"]}
    assert names == {"Own", "Works in"}
    assert alice_client.get(own.get_absolute_url()).status_code == 200
    hidden = Campaign.objects.get(name="Not mine")
    assert alice_client.get(hidden.get_absolute_url()).status_code == 404


def test_agents_see_only_their_assigned_members(alice_client, alice, bob, manager_client):
    campaign = CampaignFactory(owner=alice)
    mine = CampaignMemberFactory(campaign=campaign, person=PersonFactory(owner=alice))
    theirs = CampaignMemberFactory(campaign=campaign, person=PersonFactory(owner=bob))
    assert list(alice_client.get(campaign.get_absolute_url()).context["page"]) == [mine]
    assert alice_client.get(theirs.get_absolute_url()).status_code == 404
    assert len(manager_client.get(campaign.get_absolute_url()).context["page"]) == 2


def test_an_agent_working_in_anothers_campaign_may_not_change_it(alice_client, alice, bob):
    campaign = CampaignFactory(owner=bob)
    member = CampaignMemberFactory(campaign=campaign, person=PersonFactory(owner=alice), agent=alice)
    assert alice_client.get(reverse("campaigns:edit", args=[campaign.pk])).status_code == 403
    person = PersonFactory(owner=alice)
    assert (
        alice_client.post(
            reverse("campaigns:member_add", args=[campaign.pk]), {"person": person.pk}
        ).status_code
        == 403
    )
    # ... but works the member assigned to her.
    assert alice_client.get(member.get_absolute_url()).status_code == 200


def test_add_one_person_and_refuse_a_second_time(alice_client, alice):
    campaign = CampaignFactory(owner=alice)
    person = PersonFactory(owner=alice)
    alice_client.post(reverse("campaigns:member_add", args=[campaign.pk]), {"person": person.pk})
    member = CampaignMember.objects.get()
    assert (member.person, member.agent, member.status) == (person, alice, "new")
    response = alice_client.post(
        reverse("campaigns:member_add", args=[campaign.pk]), {"person": person.pk}, follow=True
    )
    assert "already in this campaign" in response.content.decode()
    assert CampaignMember.objects.count() == 1
    assert person.events.filter(kind=PersonEvent.Kind.CAMPAIGN).exists()


def test_cannot_add_another_agents_person(alice_client, alice, bob):
    campaign = CampaignFactory(owner=alice)
    alice_client.post(
        reverse("campaigns:member_add", args=[campaign.pk]), {"person": PersonFactory(owner=bob).pk}
    )
    assert not CampaignMember.objects.exists()


def test_add_everyone_with_a_tag(alice_client, alice, bob):
    tag = TagFactory()
    campaign = CampaignFactory(owner=alice)
    already = PersonFactory(owner=alice, tags=[tag])
    CampaignMemberFactory(campaign=campaign, person=already)
    PersonFactory.create_batch(3, owner=alice, tags=[tag])
    PersonFactory(owner=bob, tags=[tag])
    alice_client.post(reverse("campaigns:members_add_tag", args=[campaign.pk]), {"tag": tag.pk})
    assert campaign.members.count() == 4
    assert set(campaign.members.values_list("person__owner", flat=True)) == {alice.pk}


def test_add_the_people_a_filter_shows(manager_client, alice):
    campaign = CampaignFactory()
    PersonFactory.create_batch(2, owner=alice, city="Cusco", stage="interested")
    PersonFactory(owner=alice, stage="client")
    page = manager_client.get(reverse("campaigns:add_people"), {"stage": "interested"})
    assert page.context["count"] == 2
    manager_client.post(reverse("campaigns:add_people") + "?stage=interested", {"campaign": campaign.pk})
    assert campaign.members.count() == 2


def test_a_list_is_added_only_to_campaigns_the_agent_may_add_to(alice_client, alice, manager):
    """An agent who works members of a manager's campaign is not offered it; forcing it is a
    message next to the choice, with the list's filters kept (not a bare 403)."""
    theirs = CampaignFactory(owner=manager, name="Campaña del gerente")
    CampaignMemberFactory(campaign=theirs, person=PersonFactory(owner=alice), agent=alice)
    own = CampaignFactory(owner=alice, name="Mi campaña")
    PersonFactory(owner=alice, stage="interested")
    url = reverse("campaigns:add_people") + "?stage=interested"
    page = alice_client.get(url)
    assert list(page.context["form"].fields["campaign"].queryset) == [own]
    refused = alice_client.post(url, {"campaign": theirs.pk})
    assert refused.status_code == 200
    assert "campaign" in refused.context["form"].errors
    assert refused.context["query"] == "stage=interested"
    assert theirs.members.count() == 1


def test_import_a_file_into_the_campaign(alice_client, alice, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    campaign = CampaignFactory(owner=alice)
    existing = PersonFactory(owner=alice, email="old@example.com")
    content = b"Nombre,Correo\nNueva,nueva@example.com\nOld,old@example.com\n"
    alice_client.post(
        reverse("campaigns:import", args=[campaign.pk]),
        {"file": SimpleUploadedFile("c.csv", content), "stage": "prospect"},
    )
    from people.models import ImportJob

    job = ImportJob.objects.get()
    assert job.options["campaign"] == campaign.pk
    alice_client.post(
        reverse("people:import_preview", args=[job.pk]), {"col_0": "full_name", "col_1": "email"}
    )
    alice_client.post(reverse("people:import_confirm", args=[job.pk]))
    assert set(campaign.members.values_list("person__email", flat=True)) == {
        "nueva@example.com",
        existing.email,
    }


def test_remove_a_member_is_recorded(alice_client, alice):
    campaign = CampaignFactory(owner=alice)
    member = CampaignMemberFactory(campaign=campaign, person=PersonFactory(owner=alice))
    alice_client.post(reverse("campaigns:member_remove", args=[campaign.pk, member.pk]))
    assert not CampaignMember.objects.exists()
    assert Person.objects.filter(pk=member.person_id).exists()
    assert member.person.events.filter(
        kind=PersonEvent.Kind.CAMPAIGN, new_value__startswith="Removed"
    ).exists()


def test_managers_assign_members_to_agents(manager_client, alice, bob):
    campaign = CampaignFactory()
    members = [CampaignMemberFactory(campaign=campaign, person=PersonFactory(owner=alice)) for _ in range(2)]
    manager_client.post(
        reverse("campaigns:members_assign", args=[campaign.pk]),
        {"members": [m.pk for m in members], "agent": bob.pk},
    )
    assert set(campaign.members.values_list("agent", flat=True)) == {bob.pk}


def test_an_agent_owner_assigns_only_to_themself(alice_client, alice, bob):
    campaign = CampaignFactory(owner=alice)
    member = CampaignMemberFactory(campaign=campaign, person=PersonFactory(owner=alice))
    alice_client.post(
        reverse("campaigns:members_assign", args=[campaign.pk]), {"members": [member.pk], "agent": bob.pk}
    )
    member.refresh_from_db()
    assert member.agent == alice


@pytest.mark.parametrize(
    ("status", "before", "after"),
    [
        ("contacted", "prospect", "prospect"),
        ("interested", "prospect", "interested"),
        ("converted", "interested", "client"),
        ("interested", "client", "client"),  # never moved back
        ("not_interested", "interested", "interested"),
    ],
)
def test_member_status_moves_the_persons_stage(alice_client, alice, status, before, after):
    campaign = CampaignFactory(owner=alice)
    member = CampaignMemberFactory(campaign=campaign, person=PersonFactory(owner=alice, stage=before))
    alice_client.post(reverse("campaigns:member_status", args=[campaign.pk, member.pk]), {"status": status})
    member.refresh_from_db()
    member.person.refresh_from_db()
    assert member.status == status
    assert member.person.stage == after
    assert member.person.events.filter(kind=PersonEvent.Kind.CAMPAIGN).exists()


def test_working_a_member_records_activities_in_the_campaign(alice_client, alice, bob):
    campaign = CampaignFactory(owner=bob)
    person = PersonFactory(owner=bob)
    member = CampaignMemberFactory(campaign=campaign, person=person, agent=alice)
    response = alice_client.post(
        reverse("activities:activity_create"),
        {
            "person": person.pk,
            "campaign": campaign.pk,
            "kind": "visit",
            "subject": "Visited",
            "done": "on",
            "next": member.get_absolute_url(),
        },
    )
    assert response["Location"] == member.get_absolute_url()
    activity = Activity.objects.get()
    assert (activity.campaign, activity.person, activity.owner) == (campaign, person, alice)
    timeline = alice_client.get(member.get_absolute_url()).context["timeline"]
    assert [e.activity.subject for _d, items in timeline.days for e in items] == ["Visited"]


def test_funnel_counts_statuses_conversion_and_activities(manager_client):
    campaign = CampaignFactory()
    for status in ["new", "contacted", "converted", "converted"]:
        member = CampaignMemberFactory(campaign=campaign, status=status)
        ActivityFactory(person=member.person, owner=member.agent, campaign=campaign, kind="call")
    funnel = manager_client.get(campaign.get_absolute_url()).context["funnel"]
    counts = {value: count for value, _label, count in funnel["statuses"]}
    assert counts == {"new": 1, "contacted": 1, "interested": 0, "not_interested": 0, "converted": 2}
    assert (funnel["total"], funnel["converted"], funnel["rate"]) == (4, 2, 50.0)
    assert dict((v, c) for v, _l, c in funnel["activities"])["call"] == 4


def test_an_agents_funnel_counts_their_members_and_no_discarded_person(alice_client, alice, bob):
    campaign = CampaignFactory(owner=alice)
    CampaignMemberFactory(
        campaign=campaign, person=PersonFactory(owner=alice), agent=alice, status="converted"
    )
    CampaignMemberFactory(campaign=campaign, person=PersonFactory(owner=alice), agent=alice)
    CampaignMemberFactory(campaign=campaign, person=PersonFactory(owner=bob), agent=bob, status="converted")
    gone = CampaignMemberFactory(campaign=campaign, person=PersonFactory(owner=alice), agent=alice)
    Person.objects.filter(pk=gone.person_id).update(discarded_at=timezone.now())
    response = alice_client.get(campaign.get_absolute_url())
    funnel = response.context["funnel"]
    assert (funnel["total"], funnel["converted"], funnel["rate"]) == (2, 1, 50.0)
    assert response.context["page"].paginator.count == 2  # the list counted as the funnel


def test_members_export_is_scoped(alice_client, alice, bob):
    campaign = CampaignFactory(owner=alice)
    CampaignMemberFactory(campaign=campaign, person=PersonFactory(owner=alice, first_name="Mine"))
    CampaignMemberFactory(campaign=campaign, person=PersonFactory(owner=bob, first_name="Theirs"))
    content = b"".join(alice_client.get(reverse("campaigns:export", args=[campaign.pk])).streaming_content)
    assert b"Mine" in content
    assert b"Theirs" not in content


@pytest.mark.parametrize("count", [2, 2000])
def test_campaign_page_query_count_with_thousands_of_members(
    manager_client, manager, django_assert_max_num_queries, count
):
    campaign = CampaignFactory()
    agent = UserFactory()
    people = Person.objects.bulk_create(
        [Person(first_name=f"P{n}", owner=agent, email=f"p{n}@x.example") for n in range(count)]
    )
    CampaignMember.objects.bulk_create(
        [CampaignMember(campaign=campaign, person=p, agent=agent) for p in people]
    )
    with django_assert_max_num_queries(14):
        response = manager_client.get(campaign.get_absolute_url())
    assert response.status_code == 200
    assert response.context["funnel"]["total"] == count
    with django_assert_max_num_queries(8):
        assert manager_client.get(reverse("campaigns:list")).status_code == 200


def test_campaign_service_refuses_bad_dates(alice):
    with pytest.raises(Exception, match="end date"):
        services.campaign_create(
            by=alice,
            name="x",
            product_name="y",
            starts_on=TODAY(),
            ends_on=TODAY() - datetime.timedelta(days=1),
            owner=alice,
        )


def test_the_member_list_counts_what_it_shows_with_or_without_filters(manager_client):
    campaign = CampaignFactory()
    for status in ("new", "new", "interested"):
        CampaignMemberFactory(campaign=campaign, status=status)
    page = manager_client.get(campaign.get_absolute_url()).context["page"]
    assert (page.paginator.count, len(page)) == (3, 3)
    filtered = manager_client.get(campaign.get_absolute_url(), {"status": "interested"}).context["page"]
    assert (filtered.paginator.count, len(filtered)) == (1, 1)
