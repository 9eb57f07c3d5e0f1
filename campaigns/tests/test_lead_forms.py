import pytest
from django.test import Client
from django.urls import reverse

from activities.models import Activity
from campaigns.models import CampaignMember, LeadForm, LeadSubmission
from campaigns.tests.factories import CampaignFactory
from companies.tests.factories import CompanyFactory
from people.models import Person
from people.tests.factories import PersonFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_form(alice, bob, manager):
    form = LeadForm.objects.create(name="Contacto web", default_owner=manager, fields=["phone", "message"])
    form.owners.set([alice, bob])
    form.tags.set([TagFactory(name="Web")])
    form.campaign = CampaignFactory(owner=manager)
    form.save()
    return form


def _post(form, **data):
    payload = {
        "first_name": "Lucía",
        "email": "lucia@cliente.pe",
        "phone": "987 111 222",
        "message": "Quiero una demo",
    }
    payload.update(data)
    return Client(REMOTE_ADDR="203.0.113.7").post(reverse("public_lead_form", args=[form.token]), payload)


def test_a_submission_creates_a_prospect_in_the_campaign_with_a_reminder(lead_form, alice):
    response = _post(lead_form)
    assert response.status_code == 200
    assert str(lead_form.thank_you) in response.content.decode()
    person = Person.objects.get(email="lucia@cliente.pe")
    assert (person.stage, person.source, person.phone) == ("prospect", "web_form", "+51987111222")
    assert person.owner == alice  # first in turn
    assert [t.name for t in person.tags.all()] == ["Web"]
    assert CampaignMember.objects.filter(campaign=lead_form.campaign, person=person, agent=alice).exists()
    reminder = Activity.objects.get(person=person)
    assert (reminder.owner, reminder.is_reminder) == (alice, True)
    assert "Quiero una demo" in reminder.detail
    # Her bell says so, and links to the new prospect.
    from activities.models import Notification

    told = Notification.objects.get(user=alice)
    assert (told.kind, told.url) == ("lead", person.get_absolute_url())
    assert told.text == f"New lead from {lead_form}: {person}"


def test_the_company_answer_links_the_prospect_to_the_company(lead_form, alice):
    """An existing company of the agent's, matched by name (any case) or tax id, else a new one."""
    lead_form.fields = ["phone", "message", "company"]
    lead_form.save()
    lead_form.owners.set([alice])  # every lead is hers: her companies are the scope
    andes = CompanyFactory(owner=alice, name="Andes SAC", country="PE", tax_id="20100070970")
    _post(lead_form, company="andes sac")
    lucia = Person.objects.get(email="lucia@cliente.pe")
    assert list(lucia.memberships.values_list("company", flat=True)) == [andes.pk]
    _post(lead_form, first_name="Luis", email="luis@cliente.pe", company="20100070970")
    assert Person.objects.get(email="luis@cliente.pe").memberships.get().company == andes
    _post(lead_form, first_name="Ana", email="ana@nueva.pe", company="Nueva Empresa SRL")
    ana = Person.objects.get(email="ana@nueva.pe")
    created = ana.memberships.get().company
    assert (created.name, created.owner) == ("Nueva Empresa SRL", ana.owner)


def test_a_discarded_person_writing_again_is_offered_back_not_duplicated(lead_form, alice, admin_client):
    from people import services as people_services

    old = PersonFactory(owner=alice, first_name="Lucía", email="lucia@cliente.pe")
    people_services.person_discard(person=old, by=alice, reason="Sin interés")
    response = _post(lead_form)
    assert response.status_code == 200
    assert Person.objects.filter(email__iexact="lucia@cliente.pe").count() == 1
    assert LeadSubmission.objects.get(accepted=True).person == old
    page = admin_client.get(reverse("people:discarded")).content.decode()
    row = page[page.index("Lucía") :][:2500]
    assert "Wrote again" in row


def test_owners_take_turns(lead_form, alice, bob):
    _post(lead_form, email="a@x.pe")
    _post(lead_form, email="b@x.pe")
    _post(lead_form, email="c@x.pe")
    owners = [Person.objects.get(email=e).owner for e in ("a@x.pe", "b@x.pe", "c@x.pe")]
    assert owners == [alice, bob, alice]


def test_an_existing_email_is_updated_not_duplicated_and_the_answer_is_the_same(lead_form, bob):
    existing = PersonFactory(owner=bob, email="lucia@cliente.pe", phone="", city="")
    first = _post(lead_form, email="LUCIA@cliente.pe")
    assert Person.objects.filter(email__iexact="lucia@cliente.pe").count() == 1
    existing.refresh_from_db()
    assert existing.phone == "+51987111222"
    new = _post(lead_form, email="nuevo@cliente.pe")
    assert first.content == new.content  # never says whether an email was known


def test_the_honeypot_catches_bots_quietly(lead_form):
    response = _post(lead_form, website="http://spam.example")
    assert response.status_code == 200
    assert str(lead_form.thank_you) in response.content.decode()
    assert not Person.objects.exists()
    assert LeadSubmission.objects.get().accepted is False


def test_rate_limit_per_address(lead_form, settings):
    settings.LEAD_FORM_RATE_PER_HOUR = 2
    assert _post(lead_form, email="1@x.pe").status_code == 200
    assert _post(lead_form, email="2@x.pe").status_code == 200
    assert _post(lead_form, email="3@x.pe").status_code == 429
    assert Person.objects.count() == 2


def test_bad_input_is_answered_next_to_the_field(lead_form):
    response = _post(lead_form, email="not-an-email", first_name="")
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    assert not Person.objects.exists()


def test_a_lead_form_cannot_read_or_alter_records(lead_form, bob):
    victim = PersonFactory(
        owner=bob, email="victima@cliente.pe", first_name="Victima", stage="client", notes="secret"
    )
    page = Client().get(reverse("public_lead_form", args=[lead_form.token]))
    assert "Victima" not in page.content.decode()
    _post(
        lead_form,
        email="victima@cliente.pe",
        first_name="Hacker",
        owner=1,
        stage="prospect",
        id=victim.pk,
        notes="x",
    )
    victim.refresh_from_db()
    assert (victim.first_name, victim.stage, victim.owner, victim.notes) == (
        "Victima",
        "client",
        bob,
        "secret",
    )


def test_inactive_or_unknown_forms_answer_404(lead_form):
    assert Client().get(reverse("public_lead_form", args=["nope"])).status_code == 404
    lead_form.active = False
    lead_form.save()
    assert Client().get(reverse("public_lead_form", args=[lead_form.token])).status_code == 404


def test_the_form_works_from_another_website_without_csrf(lead_form):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.1")
    response = client.post(
        reverse("public_lead_form", args=[lead_form.token]), {"first_name": "Ana", "email": "ana@x.pe"}
    )
    assert response.status_code == 200
    assert Person.objects.filter(email="ana@x.pe").exists()


def test_admin_configures_a_form_and_gets_its_snippet(admin_client, admin_user, alice):
    response = admin_client.post(
        reverse("campaigns:leadform_create"),
        {
            "name": "Landing",
            "default_owner": alice.pk,
            "owners": [alice.pk],
            "fields_shown": ["phone", "city"],
            "thank_you": "Gracias",
            "active": "on",
        },
    )
    form = LeadForm.objects.get(name="Landing")
    assert form.fields == ["phone", "city"]
    page = admin_client.get(response["Location"]).content.decode()
    assert f"/f/{form.token}/" in page
    assert "&lt;form action=" in page


@pytest.mark.parametrize("count", [1, 30])
def test_lead_form_pages_query_count_is_fixed(admin_client, lead_form, django_assert_max_num_queries, count):
    for n in range(count):
        extra = LeadForm.objects.create(
            name=f"Form {n}", campaign=lead_form.campaign, default_owner=lead_form.default_owner
        )
        extra.tags.set(lead_form.tags.all())
        extra.owners.set(lead_form.owners.all())
    for url in (reverse("campaigns:leadforms"), reverse("campaigns:leadform_edit", args=[lead_form.pk])):
        with django_assert_max_num_queries(11):
            assert admin_client.get(url).status_code == 200
    with django_assert_max_num_queries(5):
        assert Client().get(reverse("public_lead_form", args=[lead_form.token])).status_code == 200


def _post_through(form, forwarded: str, **data):
    payload = {"first_name": "Lucía", "email": "lucia@cliente.pe", "phone": "987 111 222", "message": "Hola"}
    payload.update(data)
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded, HTTP_X_FORWARDED_PROTO="https")
    return client.post(reverse("public_lead_form", args=[form.token]), payload)


def test_a_forged_forwarded_for_does_not_defeat_the_limit(lead_form, settings):
    settings.LEAD_FORM_RATE_PER_HOUR = 2
    settings.BEHIND_PROXY = False
    codes = [_post_through(lead_form, f"198.51.100.{n}", email=f"{n}@x.pe").status_code for n in range(3)]
    assert codes == [200, 200, 429]
    assert set(LeadSubmission.objects.values_list("ip", flat=True)) == {"10.0.0.2"}


def test_behind_the_proxy_the_address_it_saw_counts_not_the_clients_claim(lead_form, settings):
    settings.LEAD_FORM_RATE_PER_HOUR = 2
    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = True, 1
    codes = [
        _post_through(lead_form, f"198.51.100.{n}, 203.0.113.9", email=f"{n}@x.pe").status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]
    assert set(LeadSubmission.objects.values_list("ip", flat=True)) == {"203.0.113.9"}


def test_a_consent_checkbox_must_be_ticked_and_its_text_is_kept_with_the_consent(lead_form):
    from crm import consent
    from crm.models import Consent

    lead_form.consent_text = "Acepto que me contacten por correo, teléfono o WhatsApp."
    lead_form.consent_marketing = True
    lead_form.save()
    page = Client().get(reverse("public_lead_form", args=[lead_form.token])).content.decode()
    assert lead_form.consent_text in page
    response = _post(lead_form)
    assert "Tick the box to send the form." in response.content.decode()
    assert 'value="lucia@cliente.pe"' in response.content.decode()  # what was typed is kept
    assert not Person.objects.exists()
    _post(lead_form, consent="on")
    person = Person.objects.get()
    rows = set(Consent.objects.filter(person=person).values_list("channel", "purpose", "basis", "source"))
    assert rows == {
        (channel, purpose, "consent", "web_form")
        for channel in ("email", "phone", "whatsapp")
        for purpose in ("sales", "marketing")
    }
    assert all(lead_form.consent_text in text for text in person.consents.values_list("text", flat=True))
    assert LeadSubmission.objects.get(person=person).consent_text == lead_form.consent_text
    assert consent.may_contact(person, "email", "marketing")
    assert not consent.may_contact(person, "sms", "marketing")
