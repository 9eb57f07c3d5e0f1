"""The kanban board of a pipeline, read in a fixed number of queries whatever
the number of cards: the stages, one aggregate for every column's count and
totals, one windowed query for the first N cards of every column, and one
for their tags."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from opportunities.filters import BoardFilter, open_tasks
from opportunities.models import Opportunity, Pipeline, Stage
from people.models import Tag


@dataclass
class Column:
    stage: Stage
    count: int = 0
    totals: list[tuple[str, Decimal]] = field(default_factory=list)  # (currency, sum)
    cards: list[Opportunity] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return max(self.count - len(self.cards), 0)


def columns(*, pipeline: Pipeline, board_filter: BoardFilter) -> list[Column]:
    stages = list(pipeline.stages.order_by("position", "id"))
    by_stage = {stage.pk: Column(stage=stage) for stage in stages}
    filtered = board_filter.qs
    totals = filtered.values("stage_id", "currency").annotate(n=Count("pk"), total=Sum("amount")).order_by()
    for row in totals:
        column = by_stage.get(row["stage_id"])
        if column is None:
            continue
        column.count += row["n"]
        if row["total"]:
            column.totals.append((row["currency"], row["total"]))
    order = {
        "board": [F("position").asc(), F("id").asc()],
        "asc": [F("created_at").asc(), F("id").asc()],
        "desc": [F("created_at").desc(), F("id").desc()],
    }[board_filter.card_order]
    ranked = filtered.annotate(
        rank=Window(RowNumber(), partition_by=[F("stage_id")], order_by=order), has_tasks=open_tasks()
    )
    page = (
        ranked.filter(rank__lte=board_filter.cards_per_column)
        .select_related("company", "contact", "agent", "stage")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .order_by("stage_id", "rank")
    )
    now = timezone.now()
    grouped: dict[int, list[Opportunity]] = defaultdict(list)
    for card in page:
        card.stagnant = card.is_stagnant(now)
        grouped[card.stage_id].append(card)
    for stage_id, items in grouped.items():
        if stage_id in by_stage:
            by_stage[stage_id].cards = items
    return [by_stage[stage.pk] for stage in stages]
