"""Spanish and Brazilian Portuguese are complete, and the compiled files are current."""

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALES = ["es", "pt_BR"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


def _po(locale: str) -> polib.POFile:
    return polib.pofile(str(Path(settings.BASE_DIR) / "locale" / locale / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("locale", LOCALES)
def test_every_string_is_translated(locale):
    po = _po(locale)
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{locale}: untranslated {untranslated}"
    assert not fuzzy, f"{locale}: fuzzy {fuzzy}"
    assert len(po) > 50


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_survive_translation(locale):
    for entry in _po(locale).translated_entries():
        if entry.msgid_plural:
            continue
        assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(PLACEHOLDER.findall(entry.msgstr)), (
            entry.msgid
        )


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_messages_match_the_sources(locale):
    mo_path = Path(settings.BASE_DIR) / "locale" / locale / "LC_MESSAGES" / "django.mo"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    def compiled_text(entry):
        return (
            compiled.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else compiled.gettext(entry.msgid)
        )

    stale = [
        e.msgid
        for e in _po(locale).translated_entries()
        if not e.msgid_plural and compiled_text(e) != e.msgstr
    ]
    assert not stale, f"{locale}: run `python manage.py compilemessages`; stale: {stale[:5]}"


# Second-person "tú" forms the CRM's Spanish must not use (it addresses the user as usted):
# verbs, imperatives and possessives that only tú takes.
TU_FORMS = re.compile(
    r"\b(puedes|tienes|quieres|debes|eres|seas|estás|necesitas|tú|tu|tus|tuyo|tuyos|tuya|tuyas|te|ti|contigo"
    r"|elige|selecciona|escribe|revisa|cópialo|envíalo|intenta|recuerda|ingresa|introduce|pulsa|haz|pon"
    # present and past of the second person singular ("el que escribes", "olvidaste")
    r"|escribes|usas|ves|haces|sabes|buscas|abres|cierras|guardas|creas|agregas|cambias|vuelves|estés"
    r"|\w+aste|olvidaste|escribiste|hiciste|elegiste|pediste|recibiste|quisiste|abriste)\b",
    re.IGNORECASE,
)


def test_spanish_speaks_as_usted():
    """One register: no "puedes" beside "Escriba" (the catalog's Spanish uses usted)."""
    found = []
    for entry in _po("es"):
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            words = TU_FORMS.findall(re.sub(r"<[^>]+>|%\(\w+\)[sd]", "", text or ""))
            if words:
                found.append((entry.msgid[:60], words))
    assert found == []
