from __future__ import annotations

import factory
from django.utils import timezone

from activities.models import Activity, Category
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


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Category {n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    """A done call on a person by default; pass due_at and done_at=None for a reminder."""

    class Meta:
        model = Activity

    kind = Activity.Kind.CALL
    subject = factory.Sequence(lambda n: f"Activity {n}")
    person = factory.SubFactory("people.tests.factories.PersonFactory")
    owner = factory.LazyAttribute(lambda a: a.person.owner if a.person else UserFactory())
    created_by = factory.LazyAttribute(lambda a: a.owner)
    done_at = factory.LazyFunction(timezone.now)
