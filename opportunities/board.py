"""The kanban board of a pipeline, read in a fixed number of queries whatever
the number of cards: the stages, one aggregate for every column's count and
totals, one query for the first N cards of every column (a UNION of one
LIMIT per stage), and one for their tags."""

from __future__ import annotations

import datetime
import html
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Sum
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm import access, locales
from crm.currency import Rates, Total
from opportunities.filters import BoardFilter, open_tasks
from opportunities.models import Opportunity, Pipeline, Stage, is_stagnant
from people.models import Tag


@dataclass
class Column:
    stage: Stage
    count: int = 0
    totals: list[tuple[str, Decimal]] = field(default_factory=list)  # (currency, sum)
    base_total: Total | None = None  # the totals in the base currency
    cards: list[Card] = field(default_factory=list)
    html: str = ""
    move_options: str = ""

    shown: int = 0  # the cards the filter's "per column" shows (the first STEP rendered)
    more_url: str = ""  # where the next cards come from, as the column is scrolled

    @property
    def hidden(self) -> int:
        return max(self.count - self.shown, 0)


# What a card shows, read as plain rows.
CARD_FIELDS = [
    "pk", "subject", "status", "amount", "currency", "archived", "created_at", "updated_at", "stage_id",
    "company__name", "contact__first_name", "contact__last_name", "agent__name", "agent__username", "agent_id",
    "has_tasks",
]  # fmt: skip


@dataclass(slots=True)
class Card:
    """One card of the board, as it shows."""

    pk: int
    subject: str
    status: str
    amount: Decimal | None
    currency: str
    archived: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime
    stage_id: int
    company_name: str | None
    contact_first_name: str | None
    contact_last_name: str | None
    agent_name: str
    agent_username: str
    agent_id: int
    has_tasks: bool
    stagnant: bool = False
    tag_list: list = field(default_factory=list)
    version: str = ""
    amount_shown: str | None = None
    age_shown: str = ""

    @property
    def company(self) -> str:
        return self.company_name or ""

    @property
    def contact(self) -> str:
        # As Person.__str__ shows a person.
        return f"{self.contact_first_name or ''} {self.contact_last_name or ''}".strip()

    @property
    def agent(self) -> str:
        # As User.__str__ shows a user.
        return self.agent_name or self.agent_username


def heads(*, pipeline: Pipeline, board_filter: BoardFilter, rates: Rates) -> list[Column]:
    """The board's columns with what their headers show (how many cards, their totals per
    currency and in the base currency), no cards: two queries."""
    stages = list(pipeline.stages.order_by("position", "id"))
    by_stage = {stage.pk: Column(stage=stage) for stage in stages}
    # COUNT(*), not COUNT(id): the totals then come from opps_board_totals_idx alone.
    totals = (
        board_filter.qs.values("stage_id", "currency").annotate(n=Count("*"), total=Sum("amount")).order_by()
    )
    for row in totals:
        column = by_stage.get(row["stage_id"])
        if column is None:
            continue
        column.count += row["n"]
        if row["total"]:
            column.totals.append((row["currency"], row["total"]))
    for column in by_stage.values():
        column.base_total = rates.total(column.totals)
    return [by_stage[stage.pk] for stage in stages]


# A column renders this many cards at first; the next ones come as it is scrolled (htmx), up to
# the filter's "per column": a board of 500 per column costs what one of 50 does.
STEP = 50


def columns(
    *,
    pipeline: Pipeline,
    board_filter: BoardFilter,
    rates: Rates,
    stage: Stage | None = None,
    offset: int = 0,
) -> list[Column]:
    """The board's columns with their first cards; or, for ``stage``, its column's next cards
    from ``offset`` (no counts: the board has them)."""
    if stage is None:
        result = heads(pipeline=pipeline, board_filter=board_filter, rates=rates)
    else:
        result = [Column(stage=s) for s in pipeline.stages.order_by("position", "id")]
    stages = [column.stage for column in result]
    by_stage = {column.stage.pk: column for column in result}
    filtered = board_filter.qs
    order = {
        "board": [F("position").asc(), F("id").asc()],
        "asc": [F("created_at").asc(), F("id").asc()],
        "desc": [F("created_at").desc(), F("id").desc()],
    }[board_filter.card_order]
    # The first N cards of each column: one LIMIT per stage, each served by the
    # (stage, position) index, instead of ranking every card of the board.
    limit = board_filter.cards_per_column
    step = max(min(limit - offset, STEP), 0)
    wanted = [stage] if stage is not None else stages
    firsts = [
        filtered.filter(stage_id=one.pk).order_by(*order).values("pk")[offset : offset + step]
        for one in wanted
    ]
    ids = firsts[0].union(*firsts[1:], all=True) if firsts else Opportunity.objects.none().values("pk")
    rows = (
        filtered.filter(pk__in=ids)
        .annotate(has_tasks=open_tasks())
        .order_by("stage_id", *order)
        .values_list(*CARD_FIELDS)
    )
    now = timezone.now()
    # What every card shows, prepared here from plain rows (no model instances): a
    # board of 2,000 cards renders in a fraction of the time the template would need.
    cards = [Card(*row) for row in rows]
    tags: dict[int, list[Tag]] = defaultdict(list)
    links = Opportunity.tags.through.objects.filter(
        access.among("opportunity_id", [card.pk for card in cards])
    )
    for link in links.select_related("tag").order_by("tag__name", "tag_id"):
        tags[link.opportunity_id].append(link.tag)
    grouped: dict[int, list[Card]] = defaultdict(list)
    amounts: dict = {}  # many cards share an amount, and the cards of a day their age
    locale = locales.active()
    ages: dict = {}
    for card in cards:
        column = by_stage.get(card.stage_id)
        card.stagnant = column is not None and is_stagnant(
            stagnant_days=column.stage.stagnant_days,
            status=card.status,
            archived=card.archived,
            updated_at=card.updated_at,
            now=now,
        )
        card.tag_list = tags[card.pk]
        card.version = card.updated_at.isoformat()
        if card.amount is not None:
            key = (card.currency, card.amount)
            if key not in amounts:
                amounts[key] = locales.money(card.amount, card.currency, locale=locale)
            card.amount_shown = amounts[key]
        days = (now - card.created_at).days
        if days not in ages:
            ages[days] = ngettext("%(days)s day", "%(days)s days", days) % {"days": days}
        card.age_shown = ages[days]
        grouped[card.stage_id].append(card)
    for stage_id, items in grouped.items():
        if stage_id in by_stage:
            by_stage[stage_id].cards = items
    for column in result:
        column.shown = min(column.count, limit)
        if (stage is None and column.count > offset + step and limit > offset + step) or (
            stage is not None
            and column.stage.pk == stage.pk
            and len(column.cards) == step
            and limit > offset + step
        ):
            column.more_url = more_url(pipeline, column.stage, board_filter, offset + step)
    for column in result:
        # The "Move to" menu of the column's cards, with the column selected.
        column.move_options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            [
                (other.stage.pk, mark_safe(" selected") if other is column else "", other.stage.name)
                for other in result
            ],
        )
    return result


def more_url(pipeline: Pipeline, stage: Stage, board_filter: BoardFilter, offset: int) -> str:
    """The address of a column's cards after ``offset``, with the board's filters."""
    query = board_filter.data.copy() if board_filter.data is not None else QueryDict(mutable=True)
    query["offset"] = str(offset)
    return f"{reverse('opportunities:board_cards', args=[pipeline.pk, stage.pk])}?{query.urlencode()}"


def render_cards(columns: list[Column], *, csrf_input: str, here: str, user) -> None:
    """The cards' HTML of each column (``column.html``), built here rather than by the template engine:
    a column of 500 cards renders several times faster. Every text goes through
    ``escape`` (html.escape, as Django's), once per distinct value (agents, amounts,
    currencies, tags repeat across cards); the ids, timestamps and URLs built from
    them are numbers and ISO dates; the markup is this function's own. A card the user
    only follows is shown without its "Move to" menu and cannot be dragged."""
    # Literal calls, so that makemessages finds them (a loop over the texts hid them).
    has_tasks, stagnant = escape(_("Has open tasks")), escape(_("Stagnant"))
    move_to, move = escape(_("Move to")), escape(_("Move"))
    tasks_icon = f'<i class="bi bi-alarm text-primary" title="{has_tasks}" aria-label="{has_tasks}"></i>'
    stagnant_badge = f'<span class="badge text-bg-warning">{stagnant}</span>'
    statuses = {
        value: f'<span class="badge status-{escape(value)}">{escape(str(label))}</span>'
        for value, label in Opportunity.Status.choices
    }
    detail_url = escape(reverse("opportunities:detail", args=[0])).replace("/0/", "/{}/")
    move_url = escape(reverse("opportunities:move", args=[0])).replace("/0/", "/{}/")
    csrf, here = str(csrf_input), escape(here)
    seen: dict = {}

    def once(value) -> str:
        if value not in seen:
            seen[value] = escape(value)
        return seen[value]

    for column in columns:
        options = str(column.move_options)
        html = []
        for card in column.cards:
            pk, version = int(card.pk), card.version
            movable = access.is_responsible(user, card.agent_id)
            parts = [
                f'<li class="card kanban-card mb-2{" stagnant" if card.stagnant else ""}'
                f'{" opacity-50" if card.archived else ""}{"" if movable else " kanban-readonly"}"'
                f' data-card="{pk}" data-version="{version}">'
                '<div class="card-body p-2 small">'
                f'<a class="fw-semibold d-block text-decoration-none" href="{detail_url.format(pk)}">'
                f"{escape(card.subject)}</a>"
            ]
            if card.company:
                parts.append(
                    f'<div><i class="bi bi-building" aria-hidden="true"></i> {once(card.company)}</div>'
                )
            if card.contact:
                parts.append(
                    f'<div><i class="bi bi-person" aria-hidden="true"></i> {once(card.contact)}</div>'
                )
            parts.append('<div class="d-flex flex-wrap gap-1 align-items-center mt-1">')
            if card.amount_shown is not None:
                parts.append(f'<span class="fw-semibold text-nowrap">{once(card.amount_shown)}</span>')
            parts.append(
                statuses.get(card.status)
                or f'<span class="badge status-{escape(card.status)}">{escape(card.status)}</span>'
            )
            if card.has_tasks:
                parts.append(tasks_icon)
            if card.stagnant:
                parts.append(stagnant_badge)
            parts.append("</div>")
            if card.tag_list:
                chips = " ".join(
                    f'<span class="badge rounded-pill tag-{once(t.color)}">{once(t.name)}</span>'
                    for t in card.tag_list
                )
                parts.append(f'<div class="mt-1">{chips}</div>')
            parts.append(
                f'<div class="text-body-secondary mt-1">{once(card.agent)} · {once(card.age_shown)}</div>'
            )
            if not movable:
                parts.append("</div></li>")
                html += parts
                continue
            parts.append(
                f'<form method="post" action="{move_url.format(pk)}" class="d-flex gap-1 mt-1 kanban-move">{csrf}'
                f'<input type="hidden" name="next" value="{here}"><input type="hidden" name="version" value="{version}">'
                f'<label class="visually-hidden" for="move-{pk}">{move_to}</label>'
                f'<select class="form-select form-select-sm" id="move-{pk}" name="stage">{options}</select>'
                f'<button class="btn btn-sm btn-outline-secondary" type="submit">{move}</button>'
                "</form></div></li>"
            )
            html += parts
        if column.more_url:
            loading = escape(_("Loading more cards…"))
            html.append(
                f'<li class="kanban-more small text-body-secondary px-1" hx-get="{escape(column.more_url)}" '
                f'hx-trigger="intersect once" hx-swap="outerHTML" aria-busy="true">{loading}</li>'
            )
        column.html = mark_safe("".join(html))  # every text above is escaped


def escape(value) -> str:
    return html.escape(str(value))
