"""Fixtures shared by the crm tests: the world the access walks, the write walk and
the bad-input sweep run over."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from activities.models import Mailbox
from api.models import ApiToken, Webhook
from campaigns.models import LeadForm
from campaigns.tests.factories import CampaignFactory, CampaignMemberFactory
from companies.tests.factories import CompanyFactory, MembershipFactory
from crm import access, attachments, importing, services
from crm.models import BulkOperation, CustomField, ExchangeRate, ExportJob
from crm.tests.factories import ActivityFactory, CategoryFactory
from opportunities import sales
from opportunities.models import SavedFilter
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.models import SavedList
from people.tests.factories import PersonFactory, TagFactory
from serviceorders.tests.factories import ProjectFactory, ServiceOrderFactory

# What the world's pages need switched on: WhatsApp Business.
WORLD_SETTINGS = {"WHATSAPP_PHONE_NUMBER_ID": "1055", "WHATSAPP_TOKEN": "token"}


@pytest.fixture
def world(admin_user, manager, alice, bob, settings):
    """Real objects for the URL patterns that need an id; alice owns the records."""
    for name, value in WORLD_SETTINGS.items():
        setattr(settings, name, value)
    return build_world(admin_user, manager, alice, bob)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for a whole module, built once in a transaction that is rolled back at the
    module's end; each test's own writes (sessions included) roll back with the test."""
    from django.db import transaction
    from django.test import override_settings

    from crm.models import User
    from crm.tests.factories import UserFactory

    media = tmp_path_factory.mktemp("world-media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast, **WORLD_SETTINGS),
        transaction.atomic(),
    ):
        world = build_world(
            UserFactory(username="admin", name="Ada Admin", role=User.Role.ADMIN),
            UserFactory(username="manager", name="Mara Manager", role=User.Role.MANAGER),
            UserFactory(username="alice", name="Alice Agent", role=User.Role.AGENT),
            UserFactory(username="bob", name="Bob Agent", role=User.Role.AGENT),
        )
        world.media = media
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def read_mostly_world(shared_world, settings):
    """The module's one world, for a module whose tests each roll back what they write (no
    transaction=True test in it): ``world = read_mostly_world`` there."""
    settings.MEDIA_ROOT = shared_world.media
    for name, value in WORLD_SETTINGS.items():
        setattr(settings, name, value)
    return shared_world


def build_world(admin_user, manager, alice, bob):
    class World:
        pass

    w = World()
    w.admin, w.manager, w.alice, w.bob = admin_user, manager, alice, bob
    w.tag = TagFactory()
    w.person = PersonFactory(owner=alice, tags=[w.tag])
    w.discarded = PersonFactory(owner=alice, discarded_at=timezone.now(), discarded_by=alice)
    w.company = CompanyFactory(owner=alice)
    w.membership = MembershipFactory(person=w.person, company=w.company)
    w.custom_field = CustomField.objects.create(model="people", name="Plan", key="plan")
    w.api_token, _text = ApiToken.issue(user=alice, name="script")
    w.webhook = Webhook.objects.create(
        url="https://example.com/hook", events=["person.created"], created_by=admin_user
    )
    w.exchange_rate = ExchangeRate.objects.create(
        currency="USD", on="2026-01-01", rate="3.7", created_by=admin_user
    )
    # An email alice wrote, as the embedded mail server received it.
    from activities.services import email_send, outbox_store

    w.person.email = "rosa@example.com"
    w.person.save(update_fields=["email"])
    w.email = email_send(by=alice, person=w.person, subject="Hola", body="x")
    w.outbox_message = outbox_store(
        mail_from="crm@localhost",
        recipients=["rosa@example.com"],
        raw=f"Message-ID: {w.email.message_id}\r\nSubject: Hola\r\n\r\nx\r\n".encode(),
    )
    from activities.services import email_template_save

    w.email_template = email_template_save(
        by=alice, team=False, name="Seguimiento", language="es", subject="Hola {first_name}", body="..."
    )
    w.bulk_operation = BulkOperation.objects.create(
        user=alice, kind="people", action="discard", selected=0, changed=0, undo={"pks": []}
    )
    w.campaign = CampaignFactory(owner=alice)
    w.member = CampaignMemberFactory(campaign=w.campaign, person=w.person, agent=alice)
    from campaigns.mailings import mailing_start, unsubscribe_token

    w.mailing = mailing_start(
        by=alice,
        people=access.workable_people(alice),
        subject="Oferta",
        body="Hola {first_name}",
        audience="Feria",
        base_url="http://testserver",
        campaign=w.campaign,
    )
    w.unsubscribe_token = unsubscribe_token(w.person.pk)
    from activities.filing import receive

    w.inbound = receive(
        raw=b"Message-ID: <w@x.pe>\r\nFrom: Nadie <nadie@x.pe>\r\nSubject: Hola\r\n\r\nx\r\n",
        mailbox=Mailbox.objects.create(
            user=alice, address="alice@crm.test", host="127.0.0.1", username="a", password_encrypted="x"
        ),
    )
    # alice's board and card; bob works on another board.
    w.pipeline = PipelineFactory(members=[alice])
    PipelineFactory(members=[bob])
    w.stage = w.pipeline.stages.first()
    w.opportunity = OpportunityFactory(pipeline=w.pipeline, agent=alice, contact=w.person, company=None)
    w.product = sales.product_save(code="ERP-1", name="ERP", unit_price=100, currency="PEN", active=True)
    w.line = sales.line_add(opportunity=w.opportunity, by=alice, product=w.product)
    w.quote = sales.quote_create(opportunity=w.opportunity, by=alice)
    w.lead_form = LeadForm.objects.create(name="Web", default_owner=alice)
    w.saved_list = SavedList.objects.create(user=alice, name="VIP", query="stage=client")
    w.saved_filter = SavedFilter.objects.create(
        user=alice, pipeline=w.pipeline, name="Mine", query="stagnant=yes"
    )
    w.project = ProjectFactory(owner=alice, company=w.company)
    w.order = ServiceOrderFactory(assignee=alice, company=w.company, project=w.project)
    w.category = CategoryFactory()
    w.reminder = ActivityFactory(person=w.person, owner=alice, due_at=timezone.now(), done_at=None)
    w.calendar_token = services.calendar_token(user=alice)
    from activities.notifications import notify

    [w.notification] = notify([alice], kind="given", text=lambda: "Hola", url=w.person.get_absolute_url())
    from automations.models import Rule

    w.rule = Rule.objects.create(
        name="Leads", trigger="person.lead", actions=[{"type": "give_in_turn"}], created_by=admin_user
    )
    from crm.models import PersonalDataRequest
    from goals.models import Goal

    w.access_request = PersonalDataRequest.objects.create(
        person=w.person, person_number=w.person.pk, requested_by=admin_user
    )

    w.goal = Goal.objects.create(
        agent=alice,
        metric="won_cards",
        starts_on=timezone.localdate().replace(day=1),
        target=5,
        created_by=admin_user,
    )
    w.import_job = importing.start_job(
        user=alice,
        upload=SimpleUploadedFile("walk.csv", b"Nombre,Correo\nAna,bad-email\n"),
        owner=None,
        stage="prospect",
        tags=[],
    )
    importing.run(w.import_job)
    w.import_job.save()
    # An export the worker finished for alice: only she may fetch it.
    w.attachment = attachments.attach(
        record=w.person,
        field="person",
        uploads=[SimpleUploadedFile("offer.pdf", b"%PDF-1.4 offer")],
        by=alice,
    )[0]
    w.export_job = ExportJob.objects.create(
        created_by=alice, source="people", format="xlsx", filename="people.xlsx", status="done"
    )
    w.export_job.file.save("people.xlsx", ContentFile(b"PK"), save=True)
    return w
