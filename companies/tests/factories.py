from __future__ import annotations

import factory

from companies.models import Company, Membership
from crm.taxids import cnpj_check_digits
from crm.tests.factories import UserFactory
from people.tests.factories import PersonFactory


def valid_cnpj(n: int) -> str:
    body = f"{n:08d}0001"
    return body + cnpj_check_digits(body)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Empresa {n} S.A.")
    country = "BR"
    tax_id = factory.Sequence(lambda n: valid_cnpj(10_000_000 + n))
    city = "São Paulo"
    owner = factory.SubFactory(UserFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    company = factory.SubFactory(CompanyFactory)
    area = "Compras"
    position = "Jefe"
