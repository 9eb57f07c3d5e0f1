"""At home in every country the teams work from (issue 4/9): money, numbers and dates as
each country writes them, phones read in the right country and shown as its people dial
them, and the team's settings read by every page without a restart."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import formats, translation
from PIL import Image

from crm import locales, services, team
from crm.countries import format_phone, normalize_phone, use_country
from crm.models import TeamSettings

pytestmark = pytest.mark.django_db

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("language", "country", "currency", "money", "number", "day"),
    [
        ("es", "PE", "PEN", "S/ 1,250.50", "1,250.5", "05/03/2026"),
        ("pt-br", "BR", "BRL", "R$ 1.250,50", "1.250,5", "05/03/2026"),
        ("es", "MX", "MXN", "$1,250.50", "1,250.5", "05/03/2026"),
        ("es", "CO", "COP", "$1.250,50", "1.250,5", "05/03/2026"),
        ("es", "CL", "CLP", "$1.250,50", "1.250,5", "05/03/2026"),
        ("es", "AR", "ARS", "$1.250,50", "1.250,5", "05/03/2026"),
        ("es", "EC", "USD", "$1.250,50", "1.250,5", "05/03/2026"),
        ("en", "PE", "PEN", "PEN 1,250.50", "1,250.5", "March 5, 2026"),
    ],
)
def test_money_numbers_and_dates_as_each_country_writes_them(language, country, currency, money, number, day):
    with translation.override(locales.django_language(language, country)):
        assert locales.money(Decimal("1250.50"), currency).replace(NBSP, " ") == money
        assert locales.number(Decimal("1250.50"), 2, trim=True) == number
        assert formats.date_format(datetime.date(2026, 3, 5)) == day
        if currency in ("CLP", "COP"):  # pesos without cents, as Chileans and Colombians write them
            assert locales.money(Decimal(1250), currency) == "$1.250"


def test_a_peruvian_types_dates_day_first_and_amounts_with_a_decimal_point():
    field = forms.DateField()
    amount = forms.DecimalField(localize=True)
    with translation.override("es-pe"):
        assert field.clean("05/03/2026") == datetime.date(2026, 3, 5)
        assert field.clean("2026-03-05") == datetime.date(2026, 3, 5)
        assert amount.clean("1250.50") == Decimal("1250.50")
    with translation.override("pt-br"):
        assert amount.clean("1250,50") == Decimal("1250.50")
        assert formats.date_format(datetime.date(2026, 3, 5), "YEAR_MONTH_FORMAT") == "março de 2026"


def test_the_locale_follows_the_language_and_the_country():
    assert locales.django_language("es", "PE") == "es-pe"
    assert locales.django_language("es", "OT") == "es"
    assert locales.django_language("pt-br", "PE") == "pt-br"
    assert locales.django_language("en", "MX") == "en"
    assert locales.team_language("BR") == "pt-br"
    assert locales.excel_money_format("PEN", locale=locales._babel("es-pe")) == '"S/" #,##0.00'


@pytest.mark.parametrize(
    ("typed", "country", "stored", "national"),
    [
        ("(21) 99876-5432", "BR", "+5521998765432", "(21) 99876-5432"),  # Brazilian mobile
        ("(11) 3456-7890", "BR", "+551134567890", "(11) 3456-7890"),  # Brazilian landline
        ("55 1234 5678", "MX", "+525512345678", "55 1234 5678"),
        ("300 123 4567", "CO", "+573001234567", "300 1234567"),
        ("9 6123 4567", "CL", "+56961234567", "9 6123 4567"),
        ("011 15-2345-6789", "AR", "+5491123456789", "011 15-2345-6789"),  # mobile, with 15
        ("+54 9 11 2345-6789", "PE", "+5491123456789", "+54 9 11 2345-6789"),  # with its code
        ("11 2345-6789", "AR", "+541123456789", "011 2345-6789"),  # Buenos Aires landline
        ("987 654 321", "PE", "+51987654321", "987 654 321"),
    ],
)
def test_phones_are_read_in_their_country_and_shown_as_its_people_dial_them(typed, country, stored, national):
    assert normalize_phone(typed, country) == stored
    token = use_country(country)
    try:
        assert format_phone(stored) == national
    finally:
        token.var.reset(token)
    # A viewer elsewhere sees the number with its country code.
    assert format_phone(stored, "OT").startswith("+")


def test_a_number_without_a_code_falls_back_to_the_viewers_country_and_explains_itself():
    token = use_country("BR")
    try:
        assert normalize_phone("(21) 99876-5432") == "+5521998765432"
        assert normalize_phone("(21) 99876-5432", "", "OT") == "+5521998765432"
        with pytest.raises(ValidationError) as refused:
            normalize_phone("12", "MX")
    finally:
        token.var.reset(token)
    assert "+52 " in refused.value.messages[0]  # the example is Mexican


def _logo(kind="PNG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), "navy").save(buffer, kind)
    return SimpleUploadedFile(f"logo.{kind.lower()}", buffer.getvalue())


def _settings_form(**changes) -> dict:
    current = team.load()
    data = {
        "legal_name": current.legal_name,
        "tax_id": current.tax_id,
        "address": current.address,
        "country": current.country,
        "base_currency": current.base_currency,
        "tax_name": current.tax_name,
        "tax_rate": str(current.tax_rate),
        "quote_terms": current.quote_terms,
        "quote_validity_days": current.quote_validity_days,
        "time_zone": current.time_zone,
        "week_start": current.week_start,
        "erase_discarded_after": current.erase_discarded_after,
        "flag_inactive_after": current.flag_inactive_after,
        "export_alert_rows": current.export_alert_rows,
    }
    data.update(changes)
    return data


def test_administrators_keep_the_team_settings_with_their_history(admin_client, alice_client):
    url = reverse("crm:team_settings")
    assert alice_client.get(url).status_code == 403
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        _settings_form(
            legal_name="  Andes   Digital S.A.C. ",
            tax_id="20100070970",
            address="Av. Larco 123, Miraflores\nLima",
            quote_terms="Pago a 30 días.",
            logo=_logo(),
        ),
    )
    assert response.status_code == 302
    saved = TeamSettings.objects.get()
    assert (saved.legal_name, saved.tax_id) == ("Andes Digital S.A.C.", "20100070970")
    assert saved.logo.name.startswith("team/")
    assert admin_client.get(reverse("crm:team_logo"))["Content-Type"] == "image/png"
    history = admin_client.get(reverse("crm:history", args=["team", saved.pk])).content.decode()
    assert "Andes Digital S.A.C." in history
    assert alice_client.get(reverse("crm:history", args=["team", saved.pk])).status_code == 404


def test_bad_settings_are_refused_next_to_their_field_and_nothing_is_stored(admin_client):
    before = team.load().legal_name
    response = admin_client.post(
        reverse("crm:team_settings"),
        _settings_form(
            legal_name="Otra S.A.",
            tax_id="20100070971",  # a wrong check digit
            tax_rate="250",
            time_zone="Mars/Olympus",
            logo=SimpleUploadedFile("logo.png", b"GIF89a not a png"),
        ),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"tax_id", "tax_rate", "time_zone", "logo"}
    assert form["legal_name"].value() == "Otra S.A."
    assert team.load().legal_name == before


def test_a_new_country_applies_on_the_next_page_without_a_restart(admin_client, alice, alice_client):
    page = alice_client.get(reverse("people:create"))
    assert page.context["form"]["country"].value() == "PE"
    admin_client.post(
        reverse("crm:team_settings"),
        _settings_form(
            country="BR", base_currency="BRL", tax_name="ISS", tax_rate="5", time_zone="America/Sao_Paulo"
        ),
    )
    page = alice_client.get(reverse("people:create"))
    assert page.context["form"]["country"].value() == "BR"
    # A user with a country of their own keeps it.
    alice.country = "MX"
    alice.save()
    assert alice_client.get(reverse("people:create")).context["form"]["country"].value() == "MX"


def test_work_done_for_a_user_outside_a_request_speaks_as_they_do(alice, admin_user):
    """Tasks (imports, exports, the morning digest) write as the user and keep the team's clock."""
    from django.utils import timezone

    services.team_settings_save(by=admin_user, time_zone="America/Mexico_City", country="MX")
    alice.language, alice.country = "pt-br", "BR"
    with team.speaking_as(alice):
        assert locales.money(Decimal("1250.5"), "BRL").replace(NBSP, " ") == "R$ 1.250,50"
        assert timezone.get_current_timezone_name() == "America/Mexico_City"
        assert normalize_phone("(21) 99876-5432") == "+5521998765432"
    alice.country = ""
    with team.speaking_as(alice, "es"):
        assert locales.money(Decimal("1250.5"), "MXN") == "$1,250.50"


def test_a_required_fields_mark_is_explained_in_the_users_language(alice, alice_client):
    from crm.models import CustomField

    CustomField.objects.create(model="people", name="Cargo", key="cargo", type="text", required=True)
    alice.language = "es"
    alice.save()
    page = alice_client.get(reverse("people:create")).content.decode()
    label = re.search(r"Cargo<span[^>]*>\*</span><span[^>]*>[^<]*</span>", page)
    assert label is not None
    assert "(obligatorio)" in label.group(0)


def test_spanish_agrees_with_what_it_speaks_of(alice, admin_user, admin_client):
    """A discarded person's timeline says "Descartado: reason", not the section's plural, and a
    campaign is "Programada"."""
    from campaigns.models import Campaign
    from people.services import person_discard, person_restore
    from people.tests.factories import PersonFactory

    rosa = PersonFactory(owner=alice, first_name="Rosa", last_name="Peña Quispe")
    person_discard(person=rosa, by=alice, reason="No contesta")
    person_restore(person=rosa, by=admin_user)
    admin_user.language = "es"
    admin_user.save()
    page = re.sub(r"<[^>]+>", "", admin_client.get(rosa.get_absolute_url()).content.decode())
    page = re.sub(r"\s+", " ", page)
    assert "Descartado: No contesta" in page
    assert "Restaurado" in page
    with translation.override("es"):
        assert str(Campaign.Status.PLANNED.label) == "Programada"


def test_a_streamed_export_writes_times_in_the_teams_clock(alice, alice_client, admin_user):
    """A CSV is written after the request's middleware is done: it keeps the team's time zone."""
    import datetime as dt

    from people.models import Person
    from people.tests.factories import PersonFactory

    services.team_settings_save(by=admin_user, time_zone="America/Mexico_City")
    rosa = PersonFactory(owner=alice, first_name="Rosa")
    Person.objects.filter(pk=rosa.pk).update(created_at=dt.datetime(2026, 3, 5, 12, 0, tzinfo=dt.UTC))
    response = alice_client.get(reverse("people:export"), {"format": "csv"})
    content = b"".join(response.streaming_content).decode()
    assert "2026-03-05 06:00" in content  # noon UTC is six in the morning in Mexico City
