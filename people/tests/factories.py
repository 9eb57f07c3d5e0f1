from __future__ import annotations

import factory

from crm.tests.factories import UserFactory
from people.models import ImportJob, Person, PersonEvent, Tag


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Tag {n}")
    color = "blue"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name", locale="es_ES")
    last_name = factory.Faker("last_name", locale="es_ES")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    phone = factory.Sequence(lambda n: f"+5198{n:07d}")
    city = "Lima"
    country = "PE"
    owner = factory.SubFactory(UserFactory)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class PersonEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonEvent

    person = factory.SubFactory(PersonFactory)
    kind = PersonEvent.Kind.UPDATED
    by = factory.LazyAttribute(lambda e: e.person.owner)


def import_job(
    user, content: bytes | str, name="gente.csv", tags=(), owner=None, stage="prospect"
) -> ImportJob:
    """An import of ``content`` (a file's bytes, or CSV text) started by ``user``."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from crm import importing

    data = content.encode() if isinstance(content, str) else content
    upload = SimpleUploadedFile(name, data)
    return importing.start_job(user=user, upload=upload, owner=owner, stage=stage, tags=list(tags))
