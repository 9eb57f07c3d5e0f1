from __future__ import annotations

import datetime

import factory

from companies.tests.factories import CompanyFactory
from crm.tests.factories import UserFactory
from serviceorders import services
from serviceorders.models import Project, ServiceOrder


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Proyecto {n}")
    starts_on = datetime.date(2026, 1, 1)
    owner = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.project_create(by=kwargs["owner"], **kwargs)


class ServiceOrderFactory(factory.django.DjangoModelFactory):
    """An order with its consecutive number, through the service."""

    class Meta:
        model = ServiceOrder

    company = factory.SubFactory(CompanyFactory)
    assignee = factory.SubFactory(UserFactory)
    detail = factory.Sequence(lambda n: f"Revisar equipo {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        status = kwargs.pop("status", None)
        order = services.order_create(by=kwargs["assignee"], **kwargs)
        if status:
            ServiceOrder.objects.filter(pk=order.pk).update(status=status)
            order.refresh_from_db()
        return order
