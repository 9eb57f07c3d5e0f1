from __future__ import annotations

from django import forms
from django.urls import reverse


class Autocomplete(forms.Widget):
    """A search-as-you-type choice for a ModelChoiceField over a large table.

    Renders a hidden input with the chosen id and a search box that asks
    ``url_name`` (an htmx GET with ``term``) for matches; only the chosen row
    is read to show its label, never the whole table.
    """

    template_name = "widgets/autocomplete.html"

    def __init__(self, url_name: str, attrs: dict | None = None, placeholder: str = ""):
        super().__init__(attrs)
        self.url_name = url_name
        self.placeholder = placeholder

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
            {"url": reverse(self.url_name), "label": label, "placeholder": self.placeholder}
        )
        return context
