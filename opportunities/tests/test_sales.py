from decimal import Decimal

import pytest
from django.urls import reverse

from companies.models import Company
from companies.tests.factories import CompanyFactory
from opportunities import sales
from opportunities.models import Opportunity, OpportunityEvent, Product, Quote
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.models import SavedList
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(alice):
    return OpportunityFactory(pipeline=PipelineFactory(members=[alice]), agent=alice, amount=None)


@pytest.fixture
def product(db):
    return sales.product_save(
        code="erp-10", name="ERP 10 usuarios", unit_price=Decimal("1000.00"), currency="PEN", active=True
    )


def test_admin_keeps_the_catalog(admin_client, alice_client):
    admin_client.post(
        reverse("catalog:create"),
        {"code": " crm-1 ", "name": "CRM", "unit_price": "50", "currency": "PEN", "active": "on"},
    )
    product = Product.objects.get()
    assert product.code == "CRM-1"
    response = admin_client.post(
        reverse("catalog:create"), {"code": "CRM-1", "name": "Dup", "unit_price": "-1", "currency": "PEN"}
    )
    assert {"code", "unit_price"} <= set(response.context["form"].errors)
    assert (
        alice_client.post(
            reverse("catalog:create"), {"code": "X", "name": "X", "unit_price": "1"}
        ).status_code
        == 403
    )
    assert list(alice_client.get(reverse("catalog:list")).context["page"]) == [product]


def test_lines_make_the_amount(alice_client, alice, card, product):
    url = reverse("opportunities:line_add", args=[card.pk])
    alice_client.post(url, {"product": product.pk, "quantity": "2", "discount": "10"})
    alice_client.post(
        url, {"description": "Instalación", "quantity": "1", "unit_price": "300", "discount": "0"}
    )
    card.refresh_from_db()
    assert card.amount == Decimal("2100.00")  # 2 x 1000 - 10% + 300
    assert card.events.filter(kind=OpportunityEvent.Kind.LINES).count() == 2
    line = card.lines.get(description="Instalación")
    alice_client.post(reverse("opportunities:line_remove", args=[card.pk, line.pk]))
    card.refresh_from_db()
    assert card.amount == Decimal("1800.00")


def test_bad_lines_are_refused(alice_client, card):
    response = alice_client.post(
        reverse("opportunities:line_add", args=[card.pk]), {"quantity": "0", "discount": "150"}, follow=True
    )
    assert "not added" in response.content.decode()
    assert not card.lines.exists()


def test_a_quote_copies_the_lines_and_totals_with_tax(alice_client, alice, card, product):
    sales.line_add(opportunity=card, by=alice, product=product, quantity=Decimal(3))
    response = alice_client.post(
        reverse("opportunities:quote_create", args=[card.pk]), {"tax_rate": "18", "valid_days": "15"}
    )
    quote = Quote.objects.get()
    assert response["Location"] == quote.get_absolute_url()
    assert quote.totals() == {
        "subtotal": Decimal("3000.00"),
        "tax": Decimal("540.00"),
        "total": Decimal("3540.00"),
    }
    # Later changes to the opportunity do not change the quote.
    sales.line_add(opportunity=card, by=alice, product=product)
    assert quote.lines.count() == 1
    page = alice_client.get(quote.get_absolute_url())
    assert "3.540,00" in page.content.decode() or "3,540.00" in page.content.decode()
    pdf = alice_client.get(reverse("quotes:pdf", args=[quote.pk]))
    assert pdf.content.startswith(b"%PDF")
    alice_client.post(reverse("quotes:status", args=[quote.pk]), {"status": "sent"})
    quote.refresh_from_db()
    assert quote.status == "sent"
    assert card.events.filter(kind=OpportunityEvent.Kind.QUOTE).count() == 2


def test_quotes_are_scoped(bob_client, alice, card):
    card.amount = Decimal(10)
    card.save(update_fields=["amount"])
    quote = sales.quote_create(opportunity=card, by=alice)
    assert bob_client.get(quote.get_absolute_url()).status_code == 404
    assert bob_client.get(reverse("quotes:pdf", args=[quote.pk])).status_code == 404


def test_convert_a_prospect_with_a_new_company_and_an_opportunity(alice_client, alice):
    board = PipelineFactory(members=[alice])
    person = PersonFactory(owner=alice, stage="prospect")
    response = alice_client.post(
        reverse("opportunities:convert", args=[person.pk]),
        {
            "stage": "client",
            "new_company_name": "Nueva S.A.C.",
            "new_company_country": "PE",
            "new_company_tax_id": "20131312955",
            "area": "Compras",
            "position": "Jefe",
            "pipeline": board.pk,
            "subject": "Primer pedido",
            "amount": "500",
        },
    )
    opportunity = Opportunity.objects.get()
    assert response["Location"] == opportunity.get_absolute_url()
    person.refresh_from_db()
    assert person.stage == "client"
    company = Company.objects.get(tax_id="20131312955")
    assert person.memberships.get().company == company
    assert (opportunity.company, opportunity.contact, opportunity.agent) == (company, person, alice)


def test_convert_refuses_a_bad_tax_id_and_keeps_everything(alice_client, alice):
    person = PersonFactory(owner=alice, stage="prospect")
    response = alice_client.post(
        reverse("opportunities:convert", args=[person.pk]),
        {
            "stage": "interested",
            "new_company_name": "Mala",
            "new_company_country": "PE",
            "new_company_tax_id": "123",
        },
    )
    assert response.status_code == 200
    assert "new_company_tax_id" in response.context["form"].errors
    person.refresh_from_db()
    assert person.stage == "prospect"
    assert not Company.objects.exists()


def test_convert_links_an_existing_company(alice_client, alice):
    company = CompanyFactory(owner=alice)
    person = PersonFactory(owner=alice)
    alice_client.post(
        reverse("opportunities:convert", args=[person.pk]), {"stage": "interested", "company": company.pk}
    )
    person.refresh_from_db()
    assert person.stage == "interested"
    assert person.memberships.get().company == company
    assert not Opportunity.objects.exists()


def test_saved_lists(alice_client, alice, bob_client):
    alice_client.post(reverse("people:list_save"), {"name": "Clientes VIP", "query": "stage=client&tag=1"})
    saved = SavedList.objects.get()
    assert (saved.user, saved.query) == (alice, "stage=client&tag=1")
    content = alice_client.get(reverse("people:lists")).content.decode()
    assert "stage=client&amp;tag=1&amp;format=xlsx" in content
    assert bob_client.post(reverse("people:list_delete", args=[saved.pk])).status_code == 404
    alice_client.post(reverse("people:list_delete", args=[saved.pk]))
    assert not SavedList.objects.exists()


@pytest.mark.parametrize("count", [1, 40])
def test_sales_pages_query_count_is_fixed(
    admin_client, alice_client, alice, card, django_assert_max_num_queries, count
):
    products = Product.objects.bulk_create(
        [Product(code=f"P{n}", name=f"Producto {n}", unit_price=Decimal(n + 1)) for n in range(count)]
    )
    for product in products:
        sales.line_add(opportunity=card, by=alice, product=product)
    for _ in range(count):
        quote = sales.quote_create(opportunity=card, by=alice)
    SavedList.objects.bulk_create(
        [SavedList(user=alice, name=f"L{n}", query="stage=client") for n in range(count)]
    )
    person = PersonFactory(owner=alice)
    pages = [
        (admin_client, reverse("catalog:list")),
        (alice_client, reverse("quotes:list")),
        (alice_client, quote.get_absolute_url()),
        (alice_client, card.get_absolute_url()),
        (alice_client, reverse("opportunities:convert", args=[person.pk])),
        (alice_client, reverse("people:lists")),
    ]
    for client, url in pages:
        with django_assert_max_num_queries(17):
            assert client.get(url).status_code == 200, url
