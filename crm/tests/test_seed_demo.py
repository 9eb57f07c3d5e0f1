import pytest
from django.core.management import call_command

from crm.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_every_role_and_prints_sign_in_details(capsys):
    call_command("seed_demo")
    assert set(User.objects.values_list("role", flat=True)) == {"admin", "manager", "agent"}
    out = capsys.readouterr().out
    assert "admin" in out
    assert "demo-crm-2026" in out


def test_seed_demo_if_empty_runs_only_once(capsys):
    call_command("seed_demo", if_empty=True)
    count = User.objects.count()
    capsys.readouterr()
    call_command("seed_demo", if_empty=True)
    assert User.objects.count() == count
    assert capsys.readouterr().out == ""
