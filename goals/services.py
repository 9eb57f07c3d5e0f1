"""Changes of goals: setting one (new or changed) and deleting it."""

from __future__ import annotations

from django.db import transaction

from crm.models import User
from crm.validation import full_clean
from goals.models import Goal


@transaction.atomic
def goal_save(*, goal: Goal | None, by: User, **fields) -> Goal:
    goal = goal or Goal(created_by=by)
    for name, value in fields.items():
        setattr(goal, name, value)
    full_clean(goal)
    goal.save()
    return goal


@transaction.atomic
def goal_delete(*, goal: Goal, by: User) -> None:
    goal.delete()
