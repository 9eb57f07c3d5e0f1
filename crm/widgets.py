from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.urls import reverse


class Autocomplete(forms.Widget):
    """A search-as-you-type choice for a ModelChoiceField over a large table.

    Renders a hidden input with the chosen id and a search box that asks
    ``url_name`` (an htmx GET with ``term``) for matches; only the chosen row
    is read to show its label, never the whole table.
    """

    template_name = "widgets/autocomplete.html"

    def __init__(self, url_name: str, attrs: dict | None = None, placeholder: str = "", scope: str = ""):
        super().__init__(attrs)
        self.url_name = url_name
        self.placeholder = placeholder
        # Another field of the form whose value the search sends along (the contacts of the
        # chosen company).
        self.scope = scope

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        label = ""
        queryset = getattr(getattr(self, "choices", None), "queryset", None)
        if value not in (None, "") and queryset is not None:
            try:
                label = str(queryset.filter(pk=value).first() or "")
            except (TypeError, ValueError):
                label = ""
        context["widget"].update(
            {
                "url": reverse(self.url_name),
                "label": label,
                "placeholder": self.placeholder,
                "scope": self.scope,
            }
        )
        return context


class FillingSelect(forms.Select):
    """A choice that fills other fields of its form when chosen (static/js/crm.js,
    ``data-fill``): a project its client and contact, a product its name and price.
    ``fills(instance)`` gives {field name: (value, label)} for each option."""

    def __init__(self, fills: Callable[[Any], dict[str, tuple[Any, str]]], attrs: dict | None = None):
        super().__init__(attrs)
        self.fills = fills

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            fills = {
                key: [str(v) if v is not None else "", str(text)]
                for key, (v, text) in self.fills(instance).items()
            }
            option["attrs"]["data-fill"] = json.dumps(fills, ensure_ascii=False)
        return option


def select_widget(*, small: bool = False, **attrs) -> forms.Select:
    """A list filter's choice, styled (small in toolbars such as the board's)."""
    return forms.Select(attrs={"class": "form-select form-select-sm" if small else "form-select", **attrs})


def date_widget(*, small: bool = False) -> forms.DateInput:
    """A list filter's date, with the browser's date picker."""
    return forms.DateInput(
        attrs={"type": "date", "class": "form-control form-control-sm" if small else "form-control"}
    )
