from __future__ import annotations

import factory

from crm.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Faker("name", locale="es_ES")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = User.Role.AGENT
    language = "en"
    password = factory.django.Password(PASSWORD)
