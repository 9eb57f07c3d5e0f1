"""Amounts in several currencies totalled in the base currency at the rates
administrators keep, saying which rates were used."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from crm.currency import Rates
from crm.models import ExchangeRate
from opportunities.models import Opportunity
from opportunities.tests.factories import OpportunityFactory, PipelineFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 1)


def _rate(currency, on, rate, by):
    return ExchangeRate.objects.create(currency=currency, on=on, rate=Decimal(rate), created_by=by)


def test_the_latest_rate_on_or_before_the_day_is_used(admin_user):
    _rate("USD", DAY, "3.70", admin_user)
    _rate("USD", DAY + datetime.timedelta(days=10), "3.80", admin_user)
    _rate("BRL", DAY, "0.65", admin_user)
    rates = Rates.on_date(admin_user, DAY + datetime.timedelta(days=5))
    total = rates.total(
        [("PEN", Decimal("100")), ("USD", Decimal("10")), ("BRL", Decimal("100")), ("EUR", 5)]
    )
    assert total.amount == Decimal("100") + Decimal("37.00") + Decimal("65.00")
    assert [(u.currency, u.rate) for u in total.used] == [("BRL", Decimal("0.65")), ("USD", Decimal("3.70"))]
    assert total.missing == ["EUR"]
    later = Rates.on_date(admin_user, DAY + datetime.timedelta(days=10))
    assert later.convert(Decimal("10"), "USD") == Decimal("38.00")


def test_a_requests_rates_are_read_once_and_follow_a_rate_saved_in_it(
    admin_user, alice, django_assert_num_queries
):
    from crm import services, team

    with team.kept(team.load(), "PE"):  # as inside a request
        Rates.on_date(admin_user, DAY)
        with django_assert_num_queries(0):  # the dashboard's charts, goals and forecast ask again
            assert Rates.on_date(alice, DAY).table == {}
        services.exchange_rate_save(by=admin_user, currency="USD", on=DAY, rate=Decimal("3.70"))
        assert Rates.on_date(alice, DAY).convert(Decimal("10"), "USD") == Decimal("37.00")
        services.exchange_rate_delete(rate=ExchangeRate.objects.get(), by=admin_user)
        assert Rates.on_date(alice, DAY).table == {}
    assert Rates.on_date(alice, DAY).table == {}  # outside a request: read afresh


def test_administrators_keep_rates_with_clear_messages(admin_client, alice_client, admin_user):
    url = reverse("crm:exchange_rates")
    response = admin_client.post(url, {"currency": "USD", "on": "2026-11-01", "rate": "0"})
    assert "rate" in response.context["form"].errors
    response = admin_client.post(url, {"currency": "PEN", "on": "2026-11-01", "rate": "1"})
    assert "currency" in response.context["form"].errors  # the base currency has no rate
    admin_client.post(url, {"currency": "USD", "on": "2026-11-01", "rate": "3.7"})
    admin_client.post(url, {"currency": "USD", "on": "2026-11-01", "rate": "3.75"})  # corrects that day
    assert list(ExchangeRate.objects.values_list("currency", "rate")) == [("USD", Decimal("3.75"))]
    assert "1 USD = 3.75 PEN" in admin_client.get(url).content.decode()
    assert alice_client.get(url).status_code == 403
    rate = ExchangeRate.objects.get()
    admin_client.post(reverse("crm:exchange_rate_delete", args=[rate.pk]))
    assert not ExchangeRate.objects.exists()


def test_a_total_without_any_rate_shows_the_amounts_as_they_are(manager_client, alice):
    """No "≈ PEN 0.00": the amounts in their currencies, and which rate is missing."""
    board = PipelineFactory(members=[alice])
    OpportunityFactory(pipeline=board, agent=alice, amount=1000, currency="BRL")
    page = manager_client.get(board.get_absolute_url()).content.decode()
    assert "≈ PEN" not in page
    assert "R$1,000.00 (no exchange rate for BRL)" in re.sub(r"<[^>]+>", "", page)


def test_board_dashboard_and_report_total_in_the_base_currency(manager_client, alice, admin_user):
    _rate("USD", DAY, "3.75", admin_user)
    board = PipelineFactory(members=[alice])
    first = board.stages.order_by("position").first()
    OpportunityFactory(pipeline=board, stage=first, agent=alice, amount=1000, currency="PEN")
    OpportunityFactory(pipeline=board, stage=first, agent=alice, amount=100, currency="USD")
    OpportunityFactory(pipeline=board, stage=first, agent=alice, amount=50, currency="EUR")
    page = manager_client.get(board.get_absolute_url()).content.decode()
    assert "≈ PEN\xa01,375.00 + €50.00" in re.sub(r"<[^>]+>", "", page)
    assert "1 USD = 3.75" in page
    assert "no exchange rate for EUR" in page

    dashboard = manager_client.get(reverse("reports:dashboard"))
    chart = next(c.chart() for c in dashboard.context["charts"] if c.slug == "opportunities-by-stage")
    amounts = next(d for d in chart["datasets"] if d["label"] == "Amount (PEN)")
    assert amounts["data"] == [1375.0]
    assert "1 USD = 3.75" in dashboard.content.decode()

    report = manager_client.get(reverse("reports:opportunities")).content.decode()
    assert "Totals in PEN" in report
    assert "≈ PEN\xa01,375.00" in report
    assert Opportunity.objects.count() == 3
