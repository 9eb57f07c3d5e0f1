"""The project's form widget templates render as Django's own (they are written for speed)."""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates, TemplatesSetting

from crm.widgets import FillingSelect


class _Instance:
    def __init__(self, pk: int, name: str):
        self.pk, self.name = pk, name


class _Value:
    """What a ModelChoiceIterator hands a widget: a value that knows its instance."""

    def __init__(self, instance: _Instance):
        self.instance = instance

    def __str__(self) -> str:
        return str(self.instance.pk)


def _both(widget: forms.Widget, value) -> tuple[str, str]:
    return (
        widget.render("field", value, attrs={"id": "id_field"}, renderer=TemplatesSetting()),
        widget.render("field", value, attrs={"id": "id_field"}, renderer=DjangoTemplates()),
    )


def test_a_select_renders_as_djangos_own():
    choices = [
        ("", "---------"),
        ("a", "Alpha & <b>"),
        ("Group", [("b", "Beta"), ("c", "Gamma")]),
        (7, "Seven"),
    ]
    for widget, value in [
        (forms.Select(choices=choices, attrs={"class": "form-select", "data-x": True}), "c"),
        (forms.Select(choices=choices), None),
        (forms.SelectMultiple(choices=choices, attrs={"class": "form-select"}), ["a", "7"]),
        (forms.NullBooleanSelect(), True),
    ]:
        ours, djangos = _both(widget, value)
        assert ours == djangos
        assert "<option" in ours


def test_an_option_with_attributes_renders_as_djangos_own():
    one, two = _Instance(1, "Uno"), _Instance(2, 'Dos "quoted"')
    widget = FillingSelect(lambda instance: {"name": (instance.pk, instance.name)})
    widget.choices = [("", "---------"), (_Value(one), "Uno"), (_Value(two), "Dos")]
    ours, djangos = _both(widget, "2")
    assert ours == djangos
    assert "data-fill=" in ours
    assert " selected" in ours
