"""Mistakes in the templates' source that render as visible text."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_no_template_comment_spans_lines():
    # {# ... #} is a one-line comment: across lines Django prints it on the page.
    broken = [
        f"{path.relative_to(TEMPLATES)}:{source[: match.start()].count(chr(10)) + 1}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for source in [path.read_text()]
        for match in re.finditer(r"\{#(.*?)#\}", source, re.S)
        if "\n" in match.group(1)
    ]
    assert broken == []
