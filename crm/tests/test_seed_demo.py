import pytest
from django.core.management import call_command

from crm.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_every_role_prints_sign_in_details_and_runs_only_once(capsys):
    call_command("seed_demo", if_empty=True)
    assert set(User.objects.values_list("role", flat=True)) == {"admin", "manager", "agent"}
    out = capsys.readouterr().out
    assert "admin" in out
    assert "demo-crm-2026" in out
    count = User.objects.count()
    call_command("seed_demo", if_empty=True)  # a second run of make run: nothing more
    assert User.objects.count() == count
    assert capsys.readouterr().out == ""


def test_seed_demo_names_the_address_the_server_will_answer_on(capsys):
    """`make run PORT=8011` seeds, then serves on 8011: the sign-in line says so."""
    call_command("seed_demo", address="127.0.0.1:8011")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8011" in out
    assert ":8000" not in out


def test_the_demo_shows_the_product(capsys, settings):
    """Six months of history (weekly trends, won and lost over time), a product catalog,
    overdue reminders, verified orders with ratings, and the Brazilian board in Portuguese."""
    import datetime

    from django.utils import timezone

    from activities.models import Activity
    from opportunities.models import Opportunity, Pipeline, Product
    from people.models import Person
    from serviceorders.models import ServiceOrder

    settings.LANGUAGE_CODE = "es"  # the organisation's language, as make run has it
    call_command("seed_demo")
    now = timezone.now()
    oldest = Person.objects.order_by("created_at").first().created_at
    assert now - oldest > datetime.timedelta(days=120)
    decided = Opportunity.objects.exclude(decided_at=None)
    months = {(d.year, d.month) for d in decided.values_list("decided_at", flat=True)}
    assert len(months) >= 3, months
    assert {"closed", "lost"} <= set(decided.values_list("status", flat=True))
    assert Product.objects.filter(active=True).count() >= 4
    assert Activity.objects.filter(done_at=None, due_at__lt=now).exists()  # overdue reminders
    assert ServiceOrder.objects.exclude(rating=None).exclude(verified_at=None).exists()
    brazil = Pipeline.objects.get(name="Vendas Brasil")
    lima = Pipeline.objects.get(name="Ventas Lima")
    assert brazil.stages.order_by("position").first().name == "Novo contato"
    assert lima.stages.order_by("position").first().name == "Nuevo contacto"
    # The composer and campaign emails have the team's templates to start from, es and pt.
    from activities.models import EmailTemplate

    templates = EmailTemplate.objects.filter(owner=None)
    assert {"es", "pt-br"} <= set(templates.values_list("language", flat=True))
    # The agenda has visits, meetings and calls in office hours, and orders' appointments;
    # the manager's bell has a question in it.
    from activities.models import Notification

    planned = Activity.objects.filter(done_at=None, due_at__gte=now)
    assert {"visit", "meeting", "call"} <= set(planned.values_list("kind", flat=True))
    assert ServiceOrder.objects.filter(appointment_at__gte=now - datetime.timedelta(days=1)).exists()
    assert Notification.objects.filter(user__role="manager", kind="mention", read_at=None).exists()
