"""`make backup` / `make restore`: a backup restores to identical counts, all or nothing."""

import pytest
from django.core.management import CommandError, call_command

from campaigns.models import Campaign
from campaigns.tests.factories import CampaignFactory
from companies.models import Company
from companies.tests.factories import CompanyFactory
from crm.models import User
from opportunities.models import Opportunity
from opportunities.tests.factories import OpportunityFactory
from people.models import Person
from people.tests.factories import PersonFactory

MODELS = [User, Person, Company, Campaign, Opportunity]


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_to_identical_counts(tmp_path, alice):
    PersonFactory.create_batch(7, owner=alice)
    CompanyFactory.create_batch(3, owner=alice)
    CampaignFactory.create_batch(2)
    OpportunityFactory.create_batch(2, agent=alice)
    before = _counts()
    path = tmp_path / "crm.dump"
    call_command("backup", output=str(path))
    assert path.stat().st_size > 0

    PersonFactory.create_batch(2, owner=alice)
    Campaign.objects.all().delete()
    Person.objects.update(first_name="Changed")
    assert _counts() != before

    call_command("restore", str(path), yes=True)
    assert _counts() == before
    assert not Person.objects.filter(first_name="Changed").exists()


@pytest.mark.django_db(transaction=True)
def test_a_broken_backup_changes_nothing(tmp_path, alice):
    PersonFactory.create_batch(3, owner=alice)
    before = _counts()
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP not really a backup")
    with pytest.raises(CommandError, match="unchanged"):
        call_command("restore", str(broken), yes=True)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.dump"), yes=True)
    assert _counts() == before
