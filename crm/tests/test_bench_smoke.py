"""A small-scale run of `make bench` (bench/run.py): the data set builder, every page
measurement and the load test all work, so the benchmark stays runnable. The speed
targets themselves are checked by `make bench`, not here."""

from __future__ import annotations

import pytest

from bench import dataset, load, pages

pytestmark = pytest.mark.django_db(transaction=True)


def test_benchmark_runs_at_small_scale(live_server, settings):
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

    result = load.run(users=3, seconds=6, facts=facts, host=live_server.url, scripts=2)
    assert result.agents.requests >= 3
    assert result.api.requests > 0  # the API scripts worked alongside
    assert (result.agents.failures, result.api.failures) == (0, 0)
    assert "Load: 3 agents and 2 API scripts" in load.lines(result)[0][0]
