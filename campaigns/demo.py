"""Demo campaigns with members at every status and some work on them."""

from __future__ import annotations

import datetime

from django.utils import timezone

from activities import services as activity_services
from campaigns import services
from campaigns.models import Campaign, CampaignMember

CAMPAIGNS = [
    ("Lanzamiento ERP Andino", "ERP en la nube", 4500, "PEN", -20, 40),
    ("Feria Tecnológica Lima", "Demostraciones en stand", None, "PEN", 10, 12),
    ("Promoção Verão", "Treinamento online", 890, "BRL", -90, -30),
]


def seed(context: dict) -> None:
    if Campaign.objects.exists():
        return
    rng = context["rng"]
    today = timezone.localdate()
    people = context.get("people", [])
    for index, (name, product, price, currency, start, end) in enumerate(CAMPAIGNS):
        campaign = services.campaign_create(
            by=context["manager"],
            name=name,
            product_name=product,
            price=price,
            currency=currency,
            starts_on=today + datetime.timedelta(days=start),
            ends_on=today + datetime.timedelta(days=end),
            owner=context["manager"] if index != 2 else context["agents"][1],
        )
        chosen = people[index::2][:20]
        for person in chosen:
            member = services.member_add(campaign=campaign, person=person, by=context["manager"])
            status = rng.choice(list(CampaignMember.Status.values))
            if status != CampaignMember.Status.NEW:
                services.member_set_status(member=member, by=person.owner, status=status)
                activity_services.activity_log(
                    by=person.owner,
                    kind=rng.choice(["call", "email", "visit"]),
                    subject=f"{name}: seguimiento",
                    person=person,
                    campaign=campaign,
                )
