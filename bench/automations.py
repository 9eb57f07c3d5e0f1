"""`make bench`, automations: what a save costs with 50 active rules (the worker evaluates them:
the request only asks whether any rule listens and queues one task after the commit), and the
periodic check for idle cards over every card. Everything it writes is rolled back."""

from __future__ import annotations

import datetime
import statistics
import time

SAVES = 40
RULES = 50


def _save_ms(agent) -> float:
    from django.db import transaction

    from automations import tasks
    from people import services

    timings = []
    for index in range(SAVES):
        started = time.perf_counter()
        with transaction.atomic():
            services.person_create(by=agent, owner=agent, first_name=f"Bench {index}")
            transaction.set_rollback(True)
        timings.append((time.perf_counter() - started) * 1000)
    # The task queued after a real commit (rolled back here, so measured apart).
    queued = []
    for index in range(SAVES):
        with transaction.atomic():
            started = time.perf_counter()
            tasks.run_rules.enqueue("person.created", [[1, f"bench:{index}"]], [])
            queued.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
    return statistics.median(timings), statistics.median(queued)


def lines() -> list[str]:
    from django.db import transaction
    from django.utils import timezone

    from automations import engine
    from automations.models import Rule
    from crm.models import User
    from opportunities.models import Opportunity, Stage

    admin = User.objects.filter(role="admin").first() or User.objects.order_by("pk").first()
    agent = User.objects.filter(role="agent").order_by("pk").first()
    out = ["", "automations"]
    with transaction.atomic():
        Rule.objects.filter(active=True).update(active=False)
        without, _queued = _save_ms(agent)
        Rule.objects.bulk_create(
            Rule(name=f"bench {i}", trigger="person.created", actions=[], created_by=admin)
            for i in range(RULES)
        )
        with_rules, queued = _save_ms(agent)
        extra = with_rules + queued - without
        verdict = "ok" if extra <= 5 else "MISSED"
        out.append(
            f"save a person: {without:.2f} ms without rules, {with_rules:.2f} ms with {RULES} active rules "
            f"+ {queued:.2f} ms for the task queued after the commit: +{extra:.2f} ms (target +5 ms) {verdict}"
        )
        Stage.objects.filter(stagnant_days=None).update(stagnant_days=7)
        rule = Rule.objects.create(
            name="bench idle", trigger="opportunity.stagnant", actions=[], created_by=admin
        )
        cards = Opportunity.objects.count()
        for label, window in (("the regular check (5 minutes)", 5 / 1440), ("catching up 30 days", 30)):
            Rule.objects.filter(pk=rule.pk).update(
                checked_until=timezone.now() - datetime.timedelta(days=window)
            )
            since = timezone.now() - datetime.timedelta(days=window)
            started = time.perf_counter()
            windows = engine.check_time()
            ms = (time.perf_counter() - started) * 1000
            idle = sum(
                engine.idle_cards(pk, days, since, timezone.now()).count()
                for pk, days in Stage.objects.filter(stagnant_days__gt=0).values_list("pk", "stagnant_days")
            )
            verdict = "ok" if ms < 2000 else "MISSED"
            out.append(
                f"idle cards over {cards:,} cards, {label}: {idle:,} gone idle, {windows} stage windows handed "
                f"to the worker in {ms:.0f} ms (target < 2 s) {verdict}"
            )
        transaction.set_rollback(True)
    return out
