"""Campaign emails (issue 5/9): one template to every member of a campaign, or to People as
filtered, written and sent by the task worker at EMAIL_RATE_PER_MINUTE through a real SMTP
server, each with a one-click unsubscribe link; the unsubscribed and those without an address
are skipped and counted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from activities.models import Activity
from campaigns.mailings import mailing_send_step
from campaigns.models import Mailing, MailingRecipient
from campaigns.tests.factories import CampaignFactory, CampaignMemberFactory
from people.tests.factories import PersonFactory, TagFactory

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def worker_queue(smtp, settings):
    """The real task queue (the database's), so the mailing's next steps wait their turn."""
    settings.TASKS = DB_TASKS
    return smtp


def may_email(*people) -> None:
    """These people consented to marketing email (crm.consent): campaign emails reach them."""
    from crm import consent

    consent.record(
        people=[p.pk for p in people],
        channels=["email"],
        purposes=["marketing"],
        given=True,
        source="agent",
    )


def _run(mailing: Mailing) -> None:
    """What the task worker does, step after step, until the mailing is done."""
    for _step in range(20):
        mailing_send_step(mailing_id=mailing.pk)
        mailing.refresh_from_db()
        if mailing.status == Mailing.Status.DONE:
            return
    raise AssertionError("the mailing never finished")


def test_a_campaign_email_reaches_each_member_once_and_skips_the_unsubscribed(
    alice, bob, alice_client, worker_queue, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(owner=alice, name="Feria Lima")
    rosa = PersonFactory(owner=alice, first_name="Rosa", email="rosa@andes.pe")
    luis = PersonFactory(owner=alice, first_name="Luis", email="luis@andes.pe")
    ana = PersonFactory(owner=alice, first_name="Ana", email="ana@andes.pe", unsubscribed_at=timezone.now())
    eva = PersonFactory(owner=alice, first_name="Eva", email="")
    pedro = PersonFactory(owner=alice, first_name="Pedro", email="pedro@andes.pe")  # no consent
    may_email(rosa, luis, ana, eva)
    for person in (rosa, luis, ana, eva, pedro):
        CampaignMemberFactory(campaign=campaign, person=person, agent=alice)
    CampaignMemberFactory(campaign=campaign, person=PersonFactory(owner=bob, email="b@x.pe"), agent=bob)

    url = reverse("campaigns:mailing_create") + f"?campaign={campaign.pk}"
    page = alice_client.get(url).content.decode()
    # Who it goes to before it goes: bob's member is not alice's to write to.
    assert "5 people you may write to" in page
    assert "1 unsubscribed person will be skipped" in page
    assert "1 person without an email address will be skipped" in page
    assert "1 person without consent (or another lawful basis) to marketing email will be skipped" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(url, {"subject": "Hola {first_name}", "body": "Le esperamos, {name}."})
    mailing = Mailing.objects.get()
    assert response.url == mailing.get_absolute_url()
    assert (mailing.total, mailing.campaign, mailing.status) == (5, campaign, "sending")
    assert DBTaskResult.objects.filter(task_path="campaigns.tasks.send_mailing").count() == 1

    _run(mailing)
    arrived = {message.recipients[0]: message for message in worker_queue.handler.messages}
    assert sorted(arrived) == ["luis@andes.pe", "rosa@andes.pe"]
    to_rosa = arrived["rosa@andes.pe"]
    assert str(to_rosa["Subject"]) == "Hola Rosa"
    link = str(to_rosa["List-Unsubscribe"]).strip().strip("<>")
    assert link.startswith("http://testserver/u/")
    assert str(to_rosa["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert link in to_rosa.get_content()
    # Each on the person's timeline as part of the campaign, sent.
    (activity,) = Activity.objects.filter(person=rosa)
    assert (activity.campaign, activity.email.status) == (campaign, "sent")
    page = alice_client.get(mailing.get_absolute_url()).content.decode()
    assert 'data-count="sent">2<' in page
    assert 'data-count="unsubscribed">1<' in page
    assert 'data-count="no_address">1<' in page
    assert 'data-count="no_consent">1<' in page
    assert "100%" in page
    assert "Feria Lima" in page
    assert mailing.subject in alice_client.get(campaign.get_absolute_url()).content.decode()
    # Another agent sees none of it.
    assert Client().get(mailing.get_absolute_url()).status_code == 302
    bob_client = Client()
    bob_client.force_login(bob)
    assert bob_client.get(mailing.get_absolute_url()).status_code == 404


def test_the_rate_is_kept_in_steps_of_ten_seconds(alice, alice_client, worker_queue, settings):
    settings.EMAIL_RATE_PER_MINUTE = 12  # two every ten seconds
    tag = TagFactory(name="VIP")
    for n in range(5):
        person = PersonFactory(owner=alice, email=f"p{n}@andes.pe")
        person.tags.add(tag)
        may_email(person)
    response = alice_client.post(
        reverse("campaigns:mailing_create") + f"?tag={tag.pk}", {"subject": "Oferta", "body": "Hola"}
    )
    mailing = Mailing.objects.get()
    assert response.status_code == 302
    assert mailing.total == 5
    before = timezone.now()
    assert mailing_send_step(mailing_id=mailing.pk) == 2
    assert len(worker_queue.handler.messages) == 2
    following = DBTaskResult.objects.filter(task_path="campaigns.tasks.send_mailing").latest("enqueued_at")
    assert following.run_after >= before + timedelta(seconds=8)
    page = alice_client.get(mailing.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert "2 of 5 handled" in page
    assert "every 1s" in page


def test_the_unsubscribe_link_works_in_one_click_and_later_mailings_skip_the_person(
    alice, alice_client, worker_queue
):
    person = PersonFactory(owner=alice, first_name="Rosa", email="rosa@andes.pe")
    may_email(person)
    alice_client.post(
        reverse("campaigns:mailing_create") + f"?q={person.email}", {"subject": "Uno", "body": "Hola"}
    )
    _run(Mailing.objects.get())
    (message,) = worker_queue.handler.messages
    link = str(message["List-Unsubscribe"]).strip().strip("<>").removeprefix("http://testserver")
    visitor = Client(enforce_csrf_checks=True)  # a mail client's one-click POST has no session
    assert "Do you want to receive no more" in visitor.get(link).content.decode()
    person.refresh_from_db()
    assert person.unsubscribed_at is None  # a GET (a link scanner) changes nothing
    response = visitor.post(link, {"List-Unsubscribe": "One-Click"})
    assert "you will receive no more" in response.content.decode()
    person.refresh_from_db()
    assert person.unsubscribed_at is not None
    page = alice_client.get(person.get_absolute_url()).content.decode()
    assert "No campaign emails since" in page
    # Unsubscribing withdrew the consent to marketing email, on record.
    assert 'data-consent="email-marketing" data-given="no"' in page
    assert person.consents.latest("at").source == "unsubscribe"
    assert visitor.post(link[:-3] + "xyz/").status_code == 404  # a forged token

    alice_client.post(
        reverse("campaigns:mailing_create") + f"?q={person.email}", {"subject": "Dos", "body": "Hola"}
    )
    second = Mailing.objects.get(subject="Dos")
    _run(second)
    assert len(worker_queue.handler.messages) == 1
    assert second.recipients.get().status == MailingRecipient.Status.UNSUBSCRIBED


def test_a_mailing_without_subject_or_anyone_says_so(alice, alice_client):
    url = reverse("campaigns:mailing_create") + "?q=nobody-at-all"
    response = alice_client.post(url, {"subject": "Hola", "body": "x"})
    assert response.status_code == 200
    assert "Nobody to write to" in response.content.decode()
    response = alice_client.post(url, {"subject": "", "body": "x"})
    assert "This field is required" in response.content.decode()
    assert not Mailing.objects.exists()


def test_the_mailing_page_reads_in_a_fixed_number_of_queries(
    alice, alice_client, django_assert_max_num_queries
):
    from campaigns.mailings import mailing_start
    from crm import access

    def mailing_of(size: int) -> Mailing:
        for n in range(size):
            PersonFactory(owner=alice, email=f"q{size}-{n}@andes.pe", last_name=f"L{size}")
        people = access.workable_people(alice).filter(last_name=f"L{size}")
        return mailing_start(
            by=alice, people=people, subject="Hola", body="x", audience="t", base_url="http://t"
        )

    for mailing in (mailing_of(2), mailing_of(25)):
        with django_assert_max_num_queries(9):
            assert alice_client.get(mailing.get_absolute_url()).status_code == 200
        with django_assert_max_num_queries(9):
            assert alice_client.get(reverse("campaigns:mailings")).status_code == 200
