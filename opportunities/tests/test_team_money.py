"""A Peruvian team sees S/ 1,250.50 wherever an amount is shown (the card's page, the board,
the quote and its PDF, the dashboard's numbers, the XLSX), and its quotes carry the team's
legal data, read from Team settings when shown (issue 4/9)."""

from __future__ import annotations

import base64
import contextlib
import io
import re
import zlib

import openpyxl
import pytest
from django.urls import reverse

from companies.tests.factories import CompanyFactory
from crm import services
from opportunities.models import Quote
from opportunities.tests.factories import OpportunityFactory, PipelineFactory

pytestmark = pytest.mark.django_db

SOLES = "S/\xa01,250.50"  # as Peruvians write it, the symbol kept with its number


def pdf_text(content: bytes) -> str:
    """The text a PDF draws, from its (possibly compressed) content streams."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\n?endstream", content, re.S):
        if stream.rstrip().endswith(b"~>"):  # reportlab's ASCII85, then Flate
            stream = base64.a85decode(stream.rstrip()[:-2])
        with contextlib.suppress(zlib.error):  # an uncompressed stream
            stream = zlib.decompress(stream)
        chunks += re.findall(rb"\((.*?)\)\s*Tj", stream)
    text = b" ".join(chunks).decode("latin-1")
    return (
        re.sub(r"\\(\d{3})", lambda m: chr(int(m.group(1), 8)), text).replace("\\(", "(").replace("\\)", ")")
    )


@pytest.fixture
def peruvian_team(admin_user):
    return services.team_settings_save(
        by=admin_user,
        legal_name="Andes Digital S.A.C.",
        tax_id="20100070970",
        address="Av. Larco 123, Miraflores",
        country="PE",
        base_currency="PEN",
        tax_name="IGV",
        tax_rate=18,
        quote_terms="Pago a 30 días.",
    )


@pytest.fixture
def card(alice, peruvian_team):
    alice.language = "es"
    alice.save()
    client = CompanyFactory(
        owner=alice,
        name="Minera Sur S.A.",
        tax_id="20131312955",
        address="Jr. Puno 45",
        country="PE",
        city="Lima",
    )
    board = PipelineFactory(members=[alice])
    return OpportunityFactory(pipeline=board, agent=alice, company=client, amount="1250.50", currency="PEN")


def test_a_peruvian_team_sees_soles_as_it_writes_them(alice_client, manager_client, manager, card):
    assert SOLES in alice_client.get(card.get_absolute_url()).content.decode()
    board = alice_client.get(card.pipeline.get_absolute_url()).content.decode()
    assert board.count(SOLES) >= 2  # the card and its column's total
    manager.language = "es"
    manager.save()
    dashboard = manager_client.get(reverse("reports:dashboard")).content.decode()
    table = re.search(r'data-table="opportunities-by-stage".*?</table>', dashboard, re.S).group(0)
    assert SOLES in table

    export = alice_client.get(reverse("opportunities:export"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    amount = sheet.cell(row=2, column=header.index("Monto") + 1)
    assert (amount.value, amount.number_format) == (1250.5, '"S/" #,##0.00')


def test_a_quote_carries_the_team_and_the_client_and_follows_the_settings(
    alice_client, admin_user, card, peruvian_team
):
    alice_client.post(
        reverse("opportunities:quote_create", args=[card.pk]), {"tax_rate": "18", "valid_days": "15"}
    )
    quote = Quote.objects.get()
    assert (quote.tax_name, quote.terms) == ("IGV", "Pago a 30 días.")
    page = alice_client.get(quote.get_absolute_url()).content.decode()
    for shown in (
        "Andes Digital S.A.C.",
        "RUC 20100070970",
        "Minera Sur S.A.",
        "RUC 20131312955",
        "Jr. Puno 45",
    ):
        assert shown in page
    for shown in ("IGV 18 %", SOLES, "Pago a 30 días."):
        assert shown in page

    text = pdf_text(alice_client.get(reverse("quotes:pdf", args=[quote.pk])).content)
    for shown in (
        "Andes Digital S.A.C.",
        "RUC 20100070970",
        "Minera Sur S.A.",
        "RUC 20131312955",
        "Cotización",
    ):
        assert shown in text
    assert "S/ 1,250.50" in text
    assert "IGV 18 %" in text

    # A new legal name shows on the next view of the quote, without a restart.
    services.team_settings_save(by=admin_user, legal_name="Andes Digital Perú S.A.C.")
    assert "Andes Digital Perú S.A.C." in pdf_text(
        alice_client.get(reverse("quotes:pdf", args=[quote.pk])).content
    )
    assert "Andes Digital Perú S.A.C." in alice_client.get(quote.get_absolute_url()).content.decode()


def test_a_brazilian_team_quotes_in_reais_and_portuguese(alice_client, admin_user, card):
    services.team_settings_save(
        by=admin_user,
        legal_name="Vendas Rio Ltda.",
        tax_id="11222333000181",
        country="BR",
        tax_name="ISS",
        tax_rate=5,
    )
    card.currency = "BRL"
    card.save()
    alice_client.post(
        reverse("opportunities:quote_create", args=[card.pk]), {"tax_rate": "5", "valid_days": "15"}
    )
    text = pdf_text(alice_client.get(reverse("quotes:pdf", args=[Quote.objects.get().pk])).content)
    for shown in ("CNPJ 11.222.333/0001-81", "Orçamento", "R$ 1.250,50", "ISS 5 %"):
        assert shown in text
