"""Setting a goal, and the forecast's filters."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from crm import access
from goals.models import MAX_TARGET, Goal, period_start

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthField(forms.Field):
    """A month as the browser's month input sends it (2027-03): its first day, from 1900 to 2100."""

    widget = forms.TextInput(attrs={"type": "month", "min": "1900-01", "max": "2100-12"})
    default_error_messages = {"invalid": _("Enter a month such as 2027-03, between 1900 and 2100.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        match = MONTH.match(str(value).strip())
        if not match or not 1900 <= int(match[1]) <= 2100 or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return datetime.date(int(match[1]), int(match[2]), 1)

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if isinstance(value, datetime.date) else value


class GoalForm(forms.ModelForm):
    month = MonthField(label=_("Month"), help_text=_("For a quarter, any month of it."), required=True)
    activity_kind = forms.ChoiceField(
        label=_("Kind of activity"),
        choices=[("", "—"), *Activity.Kind.choices],
        required=False,
        help_text=_("Only for activities: which kind counts."),
    )
    target = forms.DecimalField(
        label=_("Target"),
        max_digits=14,
        decimal_places=2,
        min_value=1,
        max_value=Decimal(MAX_TARGET) - Decimal("0.01"),
        help_text=_("Won amount: in the base currency."),
    )

    class Meta:
        model = Goal
        fields = ["agent", "metric", "activity_kind", "period", "target"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = access.assignable_users(user).order_by("name", "username")
        self.fields["agent"].empty_label = _("The whole team")
        self.fields["agent"].required = False
        if self.instance.pk:
            self.initial["month"] = self.instance.starts_on
        elif not self.is_bound:
            self.initial["month"] = timezone.localdate().replace(day=1)
        self.order_fields(["agent", "metric", "activity_kind", "period", "month", "target"])

    def clean(self):
        data = super().clean()
        if data.get("metric") == Goal.Metric.ACTIVITIES:
            if not data.get("activity_kind"):
                self.add_error("activity_kind", _("Choose which kind of activity counts."))
        else:
            data["activity_kind"] = ""
        if data.get("month") and data.get("period"):
            data["starts_on"] = period_start(data["month"], data["period"])
        return data

    def goal_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "agent": data.get("agent"),
            "metric": data["metric"],
            "activity_kind": data["activity_kind"],
            "period": data["period"],
            "starts_on": data["starts_on"],
            "target": data["target"],
        }


MONTH_CHOICES = [(n, n) for n in (3, 6, 9, 12, 18, 24)]


class ForecastForm(forms.Form):
    """The forecast's filters: a board, an agent (managers), how many months."""

    pipeline = forms.ModelChoiceField(
        label=_("Board"), queryset=None, required=False, empty_label=_("All boards")
    )
    agent = forms.ModelChoiceField(
        label=_("Agent"), queryset=None, required=False, empty_label=_("The whole team")
    )
    months = forms.TypedChoiceField(
        label=_("Months shown"), choices=MONTH_CHOICES, coerce=int, required=False, empty_value=6
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pipeline"].queryset = access.pipelines(user).order_by("name")
        if access.sees_everything(user):
            self.fields["agent"].queryset = access.assignable_users(user).order_by("name", "username")
        else:
            del self.fields["agent"]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"
