"""Fill missing es/pt_BR translations from a Python file of msgid -> (es, pt).

    python scripts/translate.py TRANSLATIONS.py

TRANSLATIONS.py defines ``T = {"English text": ("Spanish", "Português"), ...}``;
a message with a context is keyed "context\x04English text".
Entries already translated are kept; the header is set; fuzzy marks are
cleared for entries that get a translation. Then run `make messages`' compile
step (`python manage.py compilemessages`). Prints what is still missing.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALES = {
    "es": (0, "Spanish", "nplurals=2; plural=(n != 1);"),
    "pt_BR": (1, "Portuguese (Brazil)", "nplurals=2; plural=(n > 1);"),
}


def main(source: str) -> int:
    table: dict[str, tuple[str, str]] = runpy.run_path(source)["T"]
    missing = 0
    for locale, (index, language, plurals) in LOCALES.items():
        path = ROOT / "locale" / locale / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(path))
        po.metadata_is_fuzzy = False
        po.metadata.update(
            {
                "Project-Id-Version": "crm",
                "Language": locale,
                "Language-Team": language,
                "Plural-Forms": plurals,
                "Content-Type": "text/plain; charset=UTF-8",
            }
        )
        for entry in po:
            if entry.msgid_plural:
                pair = table.get(entry.msgid)
                plural_pair = table.get(entry.msgid_plural)
                if pair and plural_pair:
                    entry.msgstr_plural = {0: pair[index], 1: plural_pair[index]}
                    entry.flags = [f for f in entry.flags if f != "fuzzy"]
                elif "fuzzy" in entry.flags or not all(entry.msgstr_plural.values()):
                    missing += 1
                    print(f"{locale}: missing plural {entry.msgid!r}")
                continue
            key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
            if not entry.msgstr or "fuzzy" in entry.flags:
                if key in table:
                    entry.msgstr = table[key][index]
                    entry.flags = [f for f in entry.flags if f != "fuzzy"]
                else:
                    missing += 1
                    print(f"{locale}: missing {entry.msgid!r}")
        po.save(str(path))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
