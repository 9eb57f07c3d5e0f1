"""Write crm/formats/<locale>/formats.py for every locale the CRM activates (crm.locales)."""

from pathlib import Path

SPANISH = [
    "AR",
    "BO",
    "CL",
    "CO",
    "CR",
    "CU",
    "DO",
    "EC",
    "SV",
    "GT",
    "HN",
    "MX",
    "NI",
    "PA",
    "PY",
    "PE",
    "PR",
    "UY",
    "VE",
    "ES",
]
ROOT = Path(__file__).resolve().parent.parent / "crm" / "formats"

for locale in [f"es_{country}" for country in SPANISH] + ["pt_BR"]:
    package = ROOT / locale
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "formats.py").write_text(
        f'from crm.locales import number_formats\n\nglobals().update(number_formats("{locale}"))\n'
    )
