"""What opportunities ask of a merge of people (crm.merge): no two open cards of
the same board for one person."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opportunities.models import Opportunity
from people.merge import PEOPLE


def no_two_open_cards_on_a_board(survivor, duplicate) -> None:
    open_cards = Opportunity.objects.filter(archived=False).exclude(status__in=["closed", "lost"])
    boards = set(open_cards.filter(contact=survivor).values_list("pipeline__name", flat=True)) & set(
        open_cards.filter(contact=duplicate).values_list("pipeline__name", flat=True)
    )
    if boards:
        raise ValidationError(
            _("Both have an open card on %(boards)s: close, archive or delete one of them first.")
            % {"boards": ", ".join(sorted(boards))}
        )


if no_two_open_cards_on_a_board not in PEOPLE.checks:
    PEOPLE.checks.append(no_two_open_cards_on_a_board)
