import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from companies.tests.factories import CompanyFactory, MembershipFactory
from crm.tests.factories import ActivityFactory, UserFactory
from people.tests.factories import PersonFactory
from serviceorders import services
from serviceorders.filters import concept_query
from serviceorders.models import Project, ServiceOrder, ServiceOrderEvent
from serviceorders.tests.factories import ProjectFactory, ServiceOrderFactory

pytestmark = pytest.mark.django_db


def test_orders_and_projects_get_consecutive_numbers(alice):
    first, second = ServiceOrderFactory(assignee=alice), ServiceOrderFactory(assignee=alice)
    assert second.number == first.number + 1
    p1, p2 = ProjectFactory(owner=alice), ProjectFactory(owner=alice)
    assert p2.key == p1.key + 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_never_repeats_a_number():
    user = UserFactory()
    company = CompanyFactory(owner=user)
    numbers, errors = [], []

    def create():
        try:
            for _ in range(5):
                numbers.append(
                    services.order_create(by=user, company=company, assignee=user, detail="x").number
                )
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(numbers) == 30
    assert sorted(numbers) == list(range(min(numbers), min(numbers) + 30))


def test_create_an_order_with_a_contact_of_the_client(alice_client, alice):
    company = CompanyFactory(owner=alice)
    contact = PersonFactory(owner=alice)
    MembershipFactory(person=contact, company=company)
    response = alice_client.post(
        reverse("serviceorders:create"),
        {
            "company": company.pk,
            "contact": contact.pk,
            "priority": "urgent",
            "assignee": alice.pk,
            "appointment_at": "2026-12-01T10:30",
            "detail": "La impresora no imprime",
            "equipment_received": "Impresora HP",
        },
    )
    order = ServiceOrder.objects.get()
    assert response["Location"] == order.get_absolute_url()
    assert (order.status, order.priority, order.created_by) == ("pending", "urgent", alice)
    assert order.events.get().kind == ServiceOrderEvent.Kind.CREATED


def test_contact_of_another_company_is_refused(alice_client, alice):
    response = alice_client.post(
        reverse("serviceorders:create"),
        {
            "company": CompanyFactory(owner=alice).pk,
            "contact": PersonFactory(owner=alice).pk,
            "priority": "normal",
            "assignee": alice.pk,
            "detail": "x",
        },
    )
    assert "contact" in response.context["form"].errors
    assert not ServiceOrder.objects.exists()


def test_an_activity_becomes_an_order(alice_client, alice):
    company = CompanyFactory(owner=alice)
    activity = ActivityFactory(
        person=None, company=company, owner=alice, subject="Cambiar toner", detail="Pidió visita"
    )
    page = alice_client.get(reverse("serviceorders:create"), {"activity": activity.pk})
    assert page.context["form"].initial["detail"] == "Cambiar toner\nPidió visita"
    alice_client.post(
        reverse("serviceorders:create"),
        {
            "activity": activity.pk,
            "company": company.pk,
            "priority": "normal",
            "assignee": alice.pk,
            "detail": "Cambiar toner",
        },
    )
    activity.refresh_from_db()
    assert activity.service_order == ServiceOrder.objects.get()


def test_a_finished_service_marks_the_order_done(alice_client, alice):
    order = ServiceOrderFactory(assignee=alice)
    alice_client.post(reverse("serviceorders:entry_add", args=[order.number]), {"detail": "Revisé el equipo"})
    order.refresh_from_db()
    assert order.status == "pending"
    alice_client.post(
        reverse("serviceorders:entry_add", args=[order.number]),
        {"detail": "Cambié el fusor", "finished": "on"},
    )
    order.refresh_from_db()
    assert order.status == "done"
    assert order.finished_at is not None
    assert order.entries.count() == 2
    assert order.events.filter(kind="done").exists()


def test_verify_closed_needs_a_rating(alice, manager):
    order = ServiceOrderFactory(assignee=alice)
    services.entry_add(order=order, by=alice, detail="ok", finished=True)
    with pytest.raises(ValidationError, match="1 to 5"):
        services.order_verify(order=order, by=manager, comments="Bien", closed=True, rating=None)
    order = services.order_verify(order=order, by=manager, comments="Muy bien", closed=True, rating=5)
    assert (order.status, order.rating, order.customer_comments) == ("verified", 5, "Muy bien")
    assert order.verified_at is not None
    with pytest.raises(ValidationError, match="reopen it"):
        services.entry_add(order=order, by=alice, detail="more")


def test_verify_not_closed_reopens_the_order(alice, manager):
    order = ServiceOrderFactory(assignee=alice)
    services.entry_add(order=order, by=alice, detail="ok", finished=True)
    order = services.order_verify(order=order, by=manager, comments="Sigue fallando", closed=False)
    assert (order.status, order.customer_comments, order.finished_at) == ("reopened", "Sigue fallando", None)


def test_only_finished_orders_are_verified(alice):
    order = ServiceOrderFactory(assignee=alice)
    with pytest.raises(ValidationError, match="finished order"):
        services.order_verify(order=order, by=alice, comments="", closed=True, rating=4)


@pytest.mark.parametrize("status", ["done", "verified"])
def test_reopen_a_done_or_verified_order_with_the_customers_comments(alice_client, alice, status):
    order = ServiceOrderFactory(assignee=alice, status=status)
    response = alice_client.post(
        reverse("serviceorders:reopen", args=[order.number]), {"comments": ""}, follow=True
    )
    assert "customer" in response.content.decode().lower()
    order.refresh_from_db()
    assert order.status == status
    alice_client.post(reverse("serviceorders:reopen", args=[order.number]), {"comments": "No funciona"})
    order.refresh_from_db()
    assert (order.status, order.customer_comments) == ("reopened", "No funciona")
    timeline = alice_client.get(order.get_absolute_url()).context["timeline"]
    assert any(e.event and e.event.kind == "reopened" for _d, items in timeline.days for e in items)


def test_pending_orders_cannot_be_reopened(alice):
    with pytest.raises(ValidationError):
        services.order_reopen(order=ServiceOrderFactory(assignee=alice), by=alice, comments="x")


def test_agents_see_their_assigned_orders(alice_client, alice, bob, manager_client):
    mine = ServiceOrderFactory(assignee=alice)
    theirs = ServiceOrderFactory(assignee=bob)
    assert list(alice_client.get(reverse("serviceorders:list")).context["page"]) == [mine]
    assert alice_client.get(theirs.get_absolute_url()).status_code == 404
    assert len(manager_client.get(reverse("serviceorders:list")).context["page"]) == 2


def test_number_box_goes_to_the_order(alice_client, alice, bob):
    mine = ServiceOrderFactory(assignee=alice)
    theirs = ServiceOrderFactory(assignee=bob)
    assert (
        alice_client.get(reverse("serviceorders:go"), {"number": f"#{mine.number}"})["Location"]
        == mine.get_absolute_url()
    )
    response = alice_client.get(reverse("serviceorders:go"), {"number": str(theirs.number)}, follow=True)
    assert "No order number" in response.content.decode()


def test_general_query_filters(manager_client, alice, bob):
    company = CompanyFactory()
    target = ServiceOrderFactory(assignee=alice, company=company, priority="high")
    ServiceOrderFactory(assignee=bob, company=company)
    ServiceOrderFactory(assignee=alice, status="done")
    today = timezone.localdate().isoformat()
    response = manager_client.get(
        reverse("serviceorders:list"),
        {
            "status": "open",
            "assignee": alice.pk,
            "company": company.pk,
            "priority": "high",
            "created_from": today,
        },
    )
    assert list(response.context["page"]) == [target]


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("impresora", True),
        ("IMPRESORAS", True),  # Spanish stem
        ("configuracion", True),  # accents away
        ("configuración de red", True),
        ('"no enciende"', True),  # a phrase
        ("instalações", True),  # Portuguese stem and accents
        ("teclado", False),
    ],
)
def test_concept_search_in_details_and_services_accent_insensitive(manager_client, alice, term, found):
    order = ServiceOrderFactory(assignee=alice, detail="La impresora no enciende")
    services.entry_add(order=order, by=alice, detail="Configuración de red e instalação do driver")
    ServiceOrderFactory(assignee=alice, detail="Otro pedido sin relación")
    results = list(manager_client.get(reverse("serviceorders:list"), {"q": term}).context["page"])
    assert (results == [order]) is found


def test_concept_search_ranks_the_best_match_first(manager_client, alice):
    weak = ServiceOrderFactory(assignee=alice, detail="Revisar servidor de correo")
    strong = ServiceOrderFactory(
        assignee=alice, detail="Servidor caído: reiniciar servidor y revisar servidor de respaldo"
    )
    results = list(manager_client.get(reverse("serviceorders:list"), {"q": "servidor"}).context["page"])
    assert results == [strong, weak]


def test_search_document_follows_every_change(alice):
    order = ServiceOrderFactory(assignee=alice, detail="Nada especial")
    entry = services.entry_add(order=order, by=alice, detail="Se reemplazó la batería")

    def found(word: str) -> bool:
        return ServiceOrder.objects.filter(search=concept_query(word)).exists()

    assert found("bateria")
    entry.delete()
    assert not found("bateria")
    ServiceOrder.objects.filter(pk=order.pk).update(detail="Pantalla rota")
    assert found("pantalla")


def test_project_page_lists_pending_and_completed_orders(alice_client, alice):
    project = ProjectFactory(owner=alice)
    pending = ServiceOrderFactory(assignee=alice, company=project.company, project=project)
    done = ServiceOrderFactory(assignee=alice, company=project.company, project=project, status="verified")
    response = alice_client.get(project.get_absolute_url())
    assert list(response.context["pending"]) == [pending]
    assert list(response.context["completed"]) == [done]


def test_project_goal_before_start_is_refused(alice_client, alice):
    response = alice_client.post(
        reverse("serviceorders:project_create"),
        {
            "company": CompanyFactory(owner=alice).pk,
            "name": "X",
            "starts_on": "2026-05-01",
            "goal_on": "2026-04-01",
            "owner": alice.pk,
        },
    )
    assert "goal_on" in response.context["form"].errors
    assert not Project.objects.exists()


def test_reports_count_by_status_assignee_and_client(manager_client, alice, bob):
    company = CompanyFactory(name="Cliente Uno")
    for assignee, rating in ((alice, 5), (alice, 3), (bob, None)):
        order = ServiceOrderFactory(assignee=assignee, company=company)
        if rating:
            services.entry_add(order=order, by=assignee, detail="ok", finished=True)
            services.order_verify(order=order, by=assignee, comments="", closed=True, rating=rating)
    report = manager_client.get(reverse("serviceorders:reports")).context["report"]
    assert dict((v, n) for v, _l, n in report["statuses"]) == {
        "pending": 1,
        "done": 0,
        "verified": 2,
        "reopened": 0,
    }
    rows = {r["assignee__name"]: r for r in report["by_assignee"]}
    assert rows[alice.name]["orders"] == 2
    assert float(rows[alice.name]["rating"]) == 4.0
    assert rows[bob.name]["open"] == 1
    assert report["by_client"][0]["company__name"] == "Cliente Uno"
    assert report["totals"]["orders"] == 3
    content = b"".join(
        manager_client.get(reverse("serviceorders:reports"), {"format": "csv"}).streaming_content
    )
    assert b"Cliente Uno" in content


@pytest.mark.parametrize("count", [2, 40])
def test_pages_query_counts(manager_client, alice, django_assert_max_num_queries, count):
    orders = [ServiceOrderFactory(assignee=alice) for _ in range(count)]
    for order in orders[:5]:
        services.entry_add(order=order, by=alice, detail="trabajo")
    with django_assert_max_num_queries(10):
        assert manager_client.get(reverse("serviceorders:list"), {"q": "trabajo"}).status_code == 200
    with django_assert_max_num_queries(12):
        assert manager_client.get(orders[0].get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(12):
        assert manager_client.get(reverse("serviceorders:reports")).status_code == 200
