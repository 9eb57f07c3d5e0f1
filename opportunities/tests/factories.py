from __future__ import annotations

import factory

from crm.tests.factories import UserFactory
from opportunities import services
from opportunities.models import Opportunity, Pipeline
from people.tests.factories import PersonFactory


class PipelineFactory(factory.django.DjangoModelFactory):
    """A board with the default stages."""

    class Meta:
        model = Pipeline
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Tablero {n}")
    color = "blue"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.pipeline_create(name=kwargs["name"], color=kwargs["color"])

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.set(extracted)


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity
        skip_postgeneration_save = True

    pipeline = factory.SubFactory(PipelineFactory)
    stage = factory.LazyAttribute(lambda o: o.pipeline.stages.order_by("position").first())
    subject = factory.Sequence(lambda n: f"Oportunidad {n}")
    agent = factory.SubFactory(UserFactory)
    created_by = factory.LazyAttribute(lambda o: o.agent)
    contact = factory.SubFactory(PersonFactory, owner=factory.SelfAttribute("..agent"))
    amount = 1000
    currency = "PEN"
