"""Changes of automation rules: saving, switching on and off, ordering, deleting."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from automations.models import Rule
from crm.models import User
from crm.validation import full_clean


@transaction.atomic
def rule_save(*, rule: Rule | None, by: User, **fields) -> Rule:
    if rule is None:
        last = Rule.objects.aggregate(last=Max("position"))["last"]
        rule = Rule(created_by=by, position=0 if last is None else last + 1)
    for name, value in fields.items():
        setattr(rule, name, value)
    full_clean(rule)
    rule.save()
    return rule


@transaction.atomic
def rule_set_active(*, rule: Rule, active: bool) -> None:
    Rule.objects.filter(pk=rule.pk).update(active=active)


@transaction.atomic
def rule_move(*, rule: Rule, step: int) -> None:
    """Move a rule up (-1) or down (+1) in the order the rules run."""
    rules = list(Rule.objects.select_for_update().order_by("position", "id"))
    index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
    other = index + step
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
    for position, item in enumerate(rules):
        if item.position != position:
            Rule.objects.filter(pk=item.pk).update(position=position)


@transaction.atomic
def rule_delete(*, rule: Rule) -> None:
    rule.delete()
