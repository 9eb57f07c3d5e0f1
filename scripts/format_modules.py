"""Write crm/formats/<locale>/formats.py for every locale the CRM activates (crm.locales)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crm.locales import SPANISH_COUNTRIES  # noqa: E402  (the project's own list, not a copy)

FORMATS = ROOT / "crm" / "formats"

for locale in [f"es_{country}" for country in sorted(SPANISH_COUNTRIES)] + ["pt_BR"]:
    package = FORMATS / locale
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "formats.py").write_text(
        f'from crm.locales import number_formats\n\nglobals().update(number_formats("{locale}"))\n'
    )
