"""My day's sections: the apps register what they add to the home page (the core imports no
domain app). A section is a template and a function giving its context for a request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class Section:
    template: str
    context: Callable[[HttpRequest], dict]
    order: int = 100


SECTIONS: list[Section] = []


def register(section: Section) -> Section:
    SECTIONS.append(section)
    SECTIONS.sort(key=lambda item: item.order)
    return section


def sections(request: HttpRequest) -> list[dict]:
    return [{"template": s.template, **s.context(request)} for s in SECTIONS]
