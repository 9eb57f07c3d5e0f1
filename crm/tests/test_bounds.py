"""Bounds on what users type: dates between 1900 and 2100 (a year 9999 in Lima is
the year 10000 in UTC, which no page could read back), ranges a chart can draw."""

from __future__ import annotations

import pytest
from django.urls import reverse

from activities.models import Activity
from crm.forms import current_values
from crm.models import ExchangeRate
from people.tests.factories import PersonFactory
from serviceorders.forms import OrderForm
from serviceorders.models import ServiceOrder
from serviceorders.tests.factories import ServiceOrderFactory

pytestmark = pytest.mark.django_db

FAR = "9999-12-31T23:59"


def test_an_activity_due_in_the_year_9999_is_refused_next_to_its_field(alice_client, alice, manager_client):
    person = PersonFactory(owner=alice)
    response = alice_client.post(
        reverse("activities:activity_create"),
        {"person": person.pk, "kind": "call", "subject": "Llamar", "due_at": FAR},
    )
    assert response.status_code == 200
    assert "1900" in str(response.context["form"].errors["due_at"])
    assert not Activity.objects.exists()
    assert manager_client.get(person.get_absolute_url()).status_code == 200


def test_an_order_appointment_in_the_year_9999_is_refused(alice_client, alice, manager_client):
    order = ServiceOrderFactory(assignee=alice)
    url = reverse("serviceorders:edit", args=[order.number])
    data = current_values(OrderForm(instance=order, user=alice))
    data["appointment_at"] = FAR
    response = alice_client.post(url, data)
    assert response.status_code == 200
    assert "appointment_at" in response.context["form"].errors
    assert ServiceOrder.objects.get(pk=order.pk).appointment_at != FAR
    assert manager_client.get(reverse("serviceorders:list")).status_code == 200


def test_an_exchange_rate_dated_9999_is_refused(admin_client):
    response = admin_client.post(
        reverse("crm:exchange_rates"), {"currency": "USD", "on": "9999-12-31", "rate": "3.7"}
    )
    assert response.status_code == 200
    assert "on" in response.context["form"].errors
    assert not ExchangeRate.objects.exists()


def test_dates_before_1900_are_refused_in_filters_too(manager_client):
    response = manager_client.get(reverse("activities:reminders"), {"due_from": "0001-01-01"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"date_to": "9999-12-31"},
        {"date_from": "0001-01-01"},
        {"date_from": "1900-01-01", "date_to": "2100-12-31"},
        {"date_from": "2000-01-01"},
    ],
)
def test_dashboard_ranges_are_bounded(manager_client, query):
    response = manager_client.get(reverse("reports:dashboard"), query)
    assert response.status_code == 200
    for chart in response.context["charts"]:
        assert len(chart.chart()["labels"]) <= 130, chart.slug
    assert len(response.content) < 300_000


def test_a_long_range_is_told_next_to_its_field(manager_client):
    response = manager_client.get(
        reverse("reports:dashboard"), {"date_from": "2000-01-01", "date_to": "2026-01-01"}
    )
    assert "date_from" in response.context["form"].errors
    assert "10 years" in response.content.decode()


def test_beyond_a_year_the_dashboard_counts_per_month(manager_client):
    response = manager_client.get(
        reverse("reports:dashboard"), {"date_from": "2024-01-01", "date_to": "2025-12-31"}
    )
    by_slug = {chart.slug: chart for chart in response.context["charts"]}
    assert len(by_slug["activities-per-week"].chart()["labels"]) == 24
    assert "per month" in str(by_slug["activities-per-week"].title)


def test_a_note_or_service_entry_of_200000_characters_is_refused(alice_client, alice):
    person = PersonFactory(owner=alice)
    response = alice_client.post(
        reverse("activities:activity_create"),
        {"person": person.pk, "kind": "note", "subject": "Nota", "detail": "x" * 200_000, "done": "on"},
    )
    assert response.status_code == 200
    assert "detail" in response.context["form"].errors
    assert not Activity.objects.exists()
    order = ServiceOrderFactory(assignee=alice)
    alice_client.post(reverse("serviceorders:entry_add", args=[order.number]), {"detail": "x" * 200_000})
    assert not order.entries.exists()
