"""The rule builder: when, if (conditions), then (actions), in the user's language."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from automations import engine
from automations.models import Rule
from crm import access
from crm.custom_fields import definitions

SUBJECT_LABELS = {
    "person": _("Person"),
    "opportunity": _("Card"),
    "order": _("Service order"),
    "reminder": _("Reminder"),
}
FIELD_LABELS = {
    "stage": _("stage"),
    "source": _("source"),
    "country": _("country"),
    "city": _("city"),
    "owner": _("owner (user id)"),
    "tags": _("tags (ids)"),
    "email": _("email"),
    "pipeline": _("board (id)"),
    "agent": _("agent (user id)"),
    "amount": _("amount"),
    "currency": _("currency"),
    "priority": _("priority"),
    "assignee": _("assigned to (user id)"),
    "category": _("category (id)"),
    "project": _("project (id)"),
    "kind": _("kind"),
    "subject": _("subject"),
}
CUSTOM_MODELS = {"person": "people", "opportunity": "opportunities"}
OP_CHOICES = [
    ("eq", _("is")),
    ("ne", _("is not")),
    ("in", _("is one of (commas)")),
    ("contains", _("contains")),
    ("gt", _("is more than")),
    ("lt", _("is less than")),
    ("empty", _("is empty")),
    ("filled", _("is filled in")),
]
ACTION_CHOICES = [
    ("", "—"),
    ("give", _("Give to a user")),
    ("give_in_turn", _("Give to the agents in turn")),
    ("activity", _("Plan an activity")),
    ("tag_add", _("Add a tag")),
    ("tag_remove", _("Remove a tag")),
    ("notify", _("Notify users")),
    ("campaign", _("Add to a campaign")),
    ("move", _("Move the card")),
    ("email", _("Send an email template")),
    ("webhook", _("Call a webhook")),
]


# The fields each action uses (the builder shows only those of the chosen action).
ACTION_USES = {
    "give": ["user"],
    "give_in_turn": ["board"],
    "activity": ["kind", "subject", "hours"],
    "tag_add": ["tag"],
    "tag_remove": ["tag"],
    "notify": ["users", "message"],
    "campaign": ["campaign"],
    "move": ["stage"],
    "email": ["template"],
    "webhook": ["url"],
}


def value_pickers(user) -> dict[str, list[tuple]]:
    """The values a condition's field may take, to pick from (users, boards, tags and stages
    by id, with their names; the choices of a field by their code)."""
    from people.models import Person
    from serviceorders.models import ServiceOrder

    users = [(u.pk, str(u)) for u in access.assignable_users(user).order_by("name", "username")]
    tags = [(t.pk, t.name) for t in access.tags(user).order_by("name")]
    stages = [
        (stage.pk, f"{stage.pipeline} · {stage}")
        for stage in apps.get_model("opportunities.Stage")
        .objects.filter(pipeline__in=access.pipelines(user))
        .select_related("pipeline")
        .order_by("pipeline__name", "position")
    ]
    boards = [(b.pk, b.name) for b in access.pipelines(user).order_by("name")]
    return {
        "person:stage": Person.Stage.choices,
        "person:source": Person.Source.choices,
        "person:owner": users,
        "person:tags": tags,
        "opportunity:pipeline": boards,
        "opportunity:stage": stages,
        "opportunity:agent": users,
        "opportunity:source": Person.Source.choices,
        "opportunity:tags": tags,
        "order:priority": ServiceOrder.Priority.choices,
        "order:assignee": users,
        "reminder:kind": Activity.Kind.choices,
        "reminder:owner": users,
    }


def field_choices():
    choices = [("", "—")]
    for subject, fields in engine.FIELDS.items():
        options = [(f"{subject}:{name}", FIELD_LABELS.get(name, name)) for name in fields]
        if subject in CUSTOM_MODELS:
            options += [
                (f"{subject}:custom.{definition.key}", definition.name)
                for definition in definitions(CUSTOM_MODELS[subject])
            ]
        choices.append((SUBJECT_LABELS[subject], options))
    return choices


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = ["name", "trigger", "hours", "match", "active"]
        labels = {"hours": _("Overdue by (hours)")}
        help_texts = {"hours": _("Only for overdue reminders: how long past their due time.")}

    def clean(self):
        data = super().clean()
        if data.get("trigger") == Rule.Trigger.REMINDER_OVERDUE:
            if not data.get("hours") and "hours" not in self.errors:
                self.add_error("hours", _("Say after how many hours a reminder counts as overdue."))
        else:
            data["hours"] = None
        return data


class ConditionForm(forms.Form):
    field = forms.ChoiceField(label=_("Field"), required=False)
    op = forms.ChoiceField(label=_("Condition"), choices=OP_CHOICES, required=False)
    value = forms.CharField(label=_("Value"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = field_choices()


class ActionForm(forms.Form):
    type = forms.ChoiceField(label=_("Action"), choices=ACTION_CHOICES, required=False)
    user = forms.ModelChoiceField(label=_("User"), queryset=None, required=False)
    board = forms.ModelChoiceField(label=_("Only agents of the board"), queryset=None, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    hours = forms.DecimalField(label=_("Due after (hours)"), min_value=0, max_value=24 * 366, required=False)
    tag = forms.ModelChoiceField(label=_("Tag"), queryset=None, required=False)
    users = forms.ModelMultipleChoiceField(label=_("Users to notify"), queryset=None, required=False)
    message = forms.CharField(label=_("Message"), max_length=300, required=False)
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=None, required=False)
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=None, required=False)
    template = forms.ModelChoiceField(label=_("Email template"), queryset=None, required=False)
    url = forms.URLField(label=_("Webhook address"), max_length=500, required=False, assume_scheme="https")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        people = access.assignable_users(user).order_by("name", "username")
        self.fields["user"].queryset = people
        self.fields["users"].queryset = people
        self.fields["board"].queryset = access.pipelines(user).order_by("name")
        self.fields["tag"].queryset = access.tags(user).order_by("name")
        self.fields["campaign"].queryset = access.campaigns(user).order_by("-starts_on", "name")
        self.fields["stage"].queryset = (
            apps.get_model("opportunities.Stage")
            .objects.filter(pipeline__in=access.pipelines(user))
            .select_related("pipeline")
            .order_by("pipeline__name", "position")
        )
        self.fields["stage"].label_from_instance = lambda stage: f"{stage.pipeline} · {stage}"
        self.fields["template"].queryset = access.email_templates(user).filter(owner=None).order_by("name")

    def clean(self):
        data = super().clean()
        kind = data.get("type")
        needed = {"activity": "subject", "give_in_turn": None}.get(kind, ACTION_USES.get(kind, [None])[0])
        if needed and not data.get(needed):
            self.add_error(needed, _("This action needs it."))
        return data

    def as_action(self) -> dict | None:
        data = self.cleaned_data
        kind = data.get("type")
        if not kind:
            return None
        action = {"type": kind}
        if kind == "give":
            action["user"] = data["user"].pk
        elif kind == "give_in_turn" and data.get("board"):
            action["board"] = data["board"].pk
        elif kind == "activity":
            action.update(
                kind=data.get("kind") or "task", subject=data["subject"], hours=float(data.get("hours") or 0)
            )
        elif kind in ("tag_add", "tag_remove"):
            action["tag"] = data["tag"].pk
        elif kind == "notify":
            action.update(users=[u.pk for u in data["users"]], message=data.get("message", ""))
        elif kind == "campaign":
            action["campaign"] = data["campaign"].pk
        elif kind == "move":
            action["stage"] = data["stage"].pk
        elif kind == "email":
            action["template"] = data["template"].pk
        elif kind == "webhook":
            action["url"] = data["url"]
        return action


ConditionFormSet = forms.formset_factory(ConditionForm, extra=2, max_num=20, absolute_max=20)


class BaseActionFormSet(forms.BaseFormSet):
    def clean(self):
        if not any(form.errors for form in self) and not any(
            form.cleaned_data.get("type") for form in self.forms if hasattr(form, "cleaned_data")
        ):
            raise forms.ValidationError(_("Choose at least one action."))

    def as_actions(self) -> list[dict]:
        return [action for form in self if (action := form.as_action())]


ActionFormSet = forms.formset_factory(
    ActionForm, formset=BaseActionFormSet, extra=2, max_num=10, absolute_max=10
)


def initial_conditions(rule: Rule | None) -> list[dict]:
    if rule is None:
        return []
    subject = rule.trigger.split(".", 1)[0]
    return [
        {"field": f"{subject}:{c.get('field')}", "op": c.get("op"), "value": c.get("value", "")}
        for c in rule.conditions
    ]


MORE = ("campaign", "stage", "template", "url")


def initial_actions(rule: Rule | None) -> list[dict]:
    if rule is None:
        return []
    rows = []
    for action in rule.actions:
        row = {"type": action.get("type")}
        for key in ("user", "board", "kind", "subject", "hours", "tag", "users", "message", *MORE):
            if key in action:
                row[key] = action[key]
        rows.append(row)
    return rows


def described(rule: Rule) -> dict[str, list[str]]:
    """The rule's conditions and actions in the reader's words (its page)."""
    ops = dict(OP_CHOICES)
    kinds = dict(ACTION_CHOICES)
    fields = {value: label for _group, options in field_choices()[1:] for value, label in options}
    subject = rule.trigger.split(".", 1)[0]
    conditions = [
        " ".join(
            str(part)
            for part in (
                fields.get(f"{subject}:{c.get('field')}", c.get("field")),
                ops.get(c.get("op"), c.get("op")),
                "" if c.get("op") in ("empty", "filled") else c.get("value", ""),
            )
            if part != ""
        )
        for c in rule.conditions
    ]
    actions = [str(kinds.get(a.get("type"), a.get("type"))) for a in rule.actions]
    return {"conditions": conditions, "actions": actions}
