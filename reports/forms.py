"""The dashboard's filters."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from crm import access, bounds
from crm.models import User

# Weeks up to a year, months beyond, at most ten years: at most 120 buckets a chart.
WEEKLY_DAYS = 371
MAX_RANGE_YEARS = 10
MAX_RANGE_DAYS = 366 * MAX_RANGE_YEARS


class DashboardFilterForm(forms.Form):
    date_from = bounds.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = bounds.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    agent = forms.ModelChoiceField(label=gettext_lazy("Agent"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = access.assignable_users(user)
        if not access.sees_everything(user):
            del self.fields["agent"]

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to") or timezone.localdate()
        if start and abs((end - start).days) > MAX_RANGE_DAYS:
            self.add_error(
                "date_from",
                ngettext(
                    "At most %(years)s year at a time.", "At most %(years)s years at a time.", MAX_RANGE_YEARS
                )
                % {"years": MAX_RANGE_YEARS},
            )
        return cleaned
