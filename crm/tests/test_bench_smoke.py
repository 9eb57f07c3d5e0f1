"""A small-scale run of `make bench` (bench/run.py): the data set builder, every page
measurement and the load test all work, so the benchmark stays runnable. The speed
targets themselves are checked by `make bench`, not here."""

from __future__ import annotations

import pytest

from bench import dataset, load, pages

pytestmark = pytest.mark.django_db(transaction=True)


def test_benchmark_runs_at_small_scale(live_server, settings):
    settings.DASHBOARD_CACHE_SECONDS = 300  # as configured: the bench measures the dashboards warm
    facts = dataset.build(scale=0.0002)
    size = facts["size"]
    from activities.models import Activity
    from campaigns.models import Campaign, CampaignMember
    from serviceorders.models import ServiceEntry, ServiceOrder

    assert CampaignMember.objects.filter(campaign=facts["big_campaign"]).count() == size.big_campaign
    assert Activity.objects.filter(person=facts["timeline_person"]).count() >= size.timeline
    assert ServiceEntry.objects.count() == 3 * ServiceOrder.objects.count()
    assert Campaign.objects.count() == size.campaigns
    # The triggers are back on, and the orders' search documents were written.
    assert ServiceOrder.objects.filter(search__isnull=True).count() == 0
    assert dataset.build(scale=0.0002)["size"] == size  # a second build adds nothing

    measured = pages.measure(facts, runs=1, warmup=0)
    assert [m.status for m in measured] == [200] * len(measured)
    assert all(m.queries <= m.case.max_queries for m in measured), [
        (m.case.label, m.queries) for m in measured
    ]
    assert len(pages.lines(measured)) == len(pages.cases(facts))

    result = load.run(users=3, seconds=4, facts=facts, host=live_server.url)
    assert result.requests > 3
    assert result.failures == 0
    assert "Load: 3 agents" in load.lines(result)[0][0]
