from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from campaigns.models import Campaign, CampaignMember
from crm.tests.factories import UserFactory
from people.tests.factories import PersonFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaña {n}")
    product_name = "Software de gestión"
    price = 1500
    currency = "PEN"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=5))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=25))
    owner = factory.SubFactory(UserFactory)


class CampaignMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignMember

    campaign = factory.SubFactory(CampaignFactory)
    person = factory.SubFactory(PersonFactory)
    agent = factory.LazyAttribute(lambda m: m.person.owner)
