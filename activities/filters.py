"""Filters of the activity follow-up and the reminders."""

from __future__ import annotations

import django_filters
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from crm import access, bounds
from crm.models import User
from crm.widgets import Autocomplete, date_widget, select_widget


class _RecordFilters(django_filters.FilterSet):
    """Filters shared by the reminders and the activity follow-up."""

    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Activity.Kind.choices, empty_label=_("All kinds"), widget=select_widget()
    )
    person = django_filters.ModelChoiceFilter(
        label=_("Contact"),
        queryset=None,
        widget=Autocomplete("people:autocomplete", placeholder=_("Type a name, email or phone")),
    )
    company = django_filters.ModelChoiceFilter(
        label=_("Client"),
        queryset=None,
        widget=Autocomplete("companies:autocomplete", placeholder=_("Type a company name or tax id")),
        method="filter_company",
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("User"),
        queryset=None,
        empty_label=_("Everyone"),
        widget=select_widget(),
        method="filter_owner",
    )

    class Meta:
        model = Activity
        fields: list[str] = []

    def __init__(self, data=None, *args, user: User, **kwargs):
        # Without a choice, a user sees their own: managers may load another
        # user's, or everyone's with an explicit empty choice.
        data = data.copy() if data is not None else None
        if data is not None and "owner" not in data:
            data["owner"] = str(user.pk)
        super().__init__(data, *args, **kwargs)
        self.user = user
        self.filters["person"].queryset = access.people(user)
        self.filters["company"].queryset = access.companies(user)
        if access.sees_everything(user):
            self.filters["owner"].queryset = User.objects.filter(is_active=True)
        else:
            self.filters["owner"].queryset = User.objects.filter(pk=user.pk)
            self.filters["owner"].extra["empty_label"] = None

    def filter_owner(self, queryset, name, value):
        return queryset.filter(owner=value) if value else queryset

    def filter_company(self, queryset, name, value):
        """A client's activities and those of its people (manual 003)."""
        if not value:
            return queryset
        people = Activity._meta.get_field("person").related_model.objects.filter(memberships__company=value)
        return queryset.filter(Q(company=value) | Q(person__in=people.values("pk")))


class ReminderFilter(_RecordFilters):
    due_from = bounds.DateFilter(
        label=_("Due from"), field_name="due_at", lookup_expr="date__gte", widget=date_widget()
    )
    due_to = bounds.DateFilter(
        label=_("Due until"), field_name="due_at", lookup_expr="date__lte", widget=date_widget()
    )

    def filter_owner(self, queryset, name, value):
        # A user's reminders include those of the cards they follow.
        return queryset.filter(access.to_do_by(value)) if value else queryset


class ActivityFilter(_RecordFilters):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=Status.choices,
        empty_label=_("All"),
        method="filter_status",
        widget=select_widget(),
    )
    date_from = bounds.DateFilter(
        label=_("From"), field_name="created_at", lookup_expr="date__gte", widget=date_widget()
    )
    date_to = bounds.DateFilter(
        label=_("Until"), field_name="created_at", lookup_expr="date__lte", widget=date_widget()
    )

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else None
        if data is not None and "status" not in data:
            data["status"] = self.Status.PENDING
        super().__init__(data, *args, **kwargs)

    @property
    def qs(self):
        return super().qs.order_by("-created_at", "-id")

    def filter_status(self, queryset, name, value):
        if value == self.Status.PENDING:
            return queryset.filter(done_at=None)
        if value == self.Status.DONE:
            return queryset.exclude(done_at=None)
        return queryset
