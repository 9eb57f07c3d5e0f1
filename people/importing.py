"""Importing people from CSV or XLSX, fast (the engine is crm.importing).

The file is read in chunks. Each row is cleaned and validated, then matched
against the file so far (a repeated email or phone is skipped) and against
the CRM (by email, else phone or mobile): new, update, skip (unchanged, or
owned by someone the importer may not change) or error with its reason.

The preview runs exactly that without writing. The import then writes each
chunk in one transaction with PostgreSQL COPY: whole rows or none, history
events for every created or updated person, and a CSV report of the rows in
error, ready to fix and import again. Re-importing a file creates nothing
twice: its rows now match.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm import access, consent, team
from crm.countries import COUNTRIES, fold, normalize_phone
from crm.importing import (
    Importer,
    Row,
    choice_lookup,
    match_headers,
    register,
    with_custom_fields,
)
from crm.models import User
from people.models import ImportJob, Person, PersonEvent, Tag
from people.signals import changed_in_bulk, imported

# Field -> (label, header names in Spanish, Portuguese and English, folded).
FIELDS: dict[str, tuple[Any, list[str]]] = {
    "first_name": (
        gettext_lazy("First name"),
        [
            "nombre",
            "nombres",
            "primer nombre",
            "first name",
            "firstname",
            "given name",
            "nome",
            "primeiro nome",
            "name",
        ],
    ),
    "last_name": (
        gettext_lazy("Last name"),
        [
            "apellido",
            "apellidos",
            "last name",
            "lastname",
            "surname",
            "family name",
            "sobrenome",
            "ultimo nome",
        ],
    ),
    "full_name": (
        gettext_lazy("Full name"),
        [
            "nombre completo",
            "nombre y apellido",
            "full name",
            "nome completo",
            "contacto",
            "contato",
            "contact",
        ],
    ),
    "email": (
        gettext_lazy("Email"),
        ["email", "e mail", "correo", "correo electronico", "mail", "email address", "endereco de email"],
    ),
    "phone": (
        gettext_lazy("Phone"),
        ["telefono", "telefono fijo", "fono", "phone", "phone number", "tel", "telefone", "telefone fixo"],
    ),
    "mobile": (
        gettext_lazy("Mobile"),
        [
            "celular",
            "movil",
            "telefono movil",
            "cel",
            "whatsapp",
            "mobile",
            "mobile phone",
            "cell",
            "telemovel",
        ],
    ),
    "city": (gettext_lazy("City"), ["ciudad", "localidad", "city", "town", "cidade", "municipio"]),
    "country": (gettext_lazy("Country"), ["pais", "country", "nacion"]),
    "source": (
        gettext_lazy("How did you find us"),
        ["origen", "fuente", "como nos conocio", "source", "lead source", "origem", "como nos conheceu"],
    ),
    "stage": (gettext_lazy("Stage"), ["etapa", "estado", "fase", "stage", "status"]),
    "tags": (gettext_lazy("Tags"), ["etiquetas", "etiqueta", "tags", "tag", "segmento"]),
    "notes": (
        gettext_lazy("Notes"),
        ["notas", "nota", "observaciones", "comentarios", "notes", "comments", "observacoes", "comentarios"],
    ),
    "company": (
        gettext_lazy("Company"),
        ["empresa", "compania", "organizacion", "company", "organization", "organizacao", "razao social"],
    ),
    "area": (gettext_lazy("Area"), ["area", "departamento", "department", "setor"]),
    "position": (gettext_lazy("Position"), ["cargo", "puesto", "position", "job title", "title", "funcao"]),
}
# Person columns written from a row, in COPY order.
PERSON_COLUMNS = ["first_name", "last_name", "email", "phone", "mobile", "city", "country", "source", "notes"]
_TAG_SPLIT = re.compile(r"[,;|]")


def guess_mapping(headers: list[str]) -> list[str]:
    """People's columns; a single name column without a surname holds full names."""
    mapping = match_headers(headers, FIELDS)
    if "first_name" in mapping and "last_name" not in mapping and "full_name" not in mapping:
        mapping[mapping.index("first_name")] = "full_name"
    return mapping


@dataclass
class Options:
    owner: User
    stage: str = Person.Stage.PROSPECT
    tags: list[Tag] = field(default_factory=list)
    country: str = ""  # the file's: new people whose row names no country are in it

    @classmethod
    def from_job(cls, job: ImportJob) -> Options:
        owner = User.objects.filter(pk=job.options.get("owner"), is_active=True).first() or job.created_by
        if not access.assignable_users(job.created_by).filter(pk=owner.pk).exists():
            owner = job.created_by
        tags = list(access.tags(job.created_by).filter(pk__in=job.options.get("tags", [])))
        stage = job.options.get("stage") or Person.Stage.PROSPECT
        country = job.options.get("country") or job.created_by.country or team.current().country
        return cls(owner=owner, stage=stage, tags=tags, country="" if country == "OT" else country)


class Cleaner:
    """Turns a raw row into person values, or says what is wrong with it."""

    def __init__(self, mapping: list[str], user: User, country: str = ""):
        self.mapping = mapping
        # The file's country: its rows' phones without a code are read in it, and rows
        # that name no country are in it (the import page, import_people --country).
        self.country = country or user.country or team.current().country
        self.countries = choice_lookup(COUNTRIES, {"brasil": "BR", "mexico": "MX", "peru": "PE"})
        self.stages = choice_lookup(
            Person.Stage.choices, {"lead": "prospect", "customer": "client", "interesado": "interested"}
        )
        self.sources = choice_lookup(Person.Source.choices, {})
        self.tags = {fold(t.name): t for t in access.tags(user)}
        from crm.custom_fields import definitions

        self.custom = {f"cf:{d.key}": d for d in definitions("people")}

    def clean(self, row: Row) -> None:
        data = {name: row.raw[i] if i < len(row.raw) else "" for i, name in enumerate(self.mapping) if name}
        values: dict[str, Any] = {}
        try:
            if data.get("full_name"):
                first, _space, last = " ".join(data["full_name"].split()).partition(" ")
                values["first_name"], values["last_name"] = first, last
            for name in ("first_name", "last_name", "city", "area", "position", "company"):
                if data.get(name):
                    values[name] = " ".join(data[name].split())
            if not values.get("first_name"):
                raise ValidationError(_("The name is missing."))
            self._lengths(values)
            email = data.get("email", "").strip().lower()
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    raise ValidationError(_("Invalid email: %(value)s") % {"value": email}) from None
                values["email"] = email
            country = ""
            if data.get("country"):
                country = self.countries.get(fold(data["country"].strip()))
                if country is None:
                    raise ValidationError(_("Unknown country: %(value)s") % {"value": data["country"]})
                values["country"] = country
            for name in ("phone", "mobile"):
                if data.get(name):
                    try:
                        values[name] = normalize_phone(data[name], country, self.country)
                    except ValidationError:
                        raise ValidationError(_("Invalid phone: %(value)s") % {"value": data[name]}) from None
            if data.get("stage"):
                stage = self.stages.get(fold(data["stage"].strip()))
                if stage is None:
                    raise ValidationError(_("Unknown stage: %(value)s") % {"value": data["stage"]})
                values["stage"] = stage
            if data.get("source"):
                values["source"] = self.sources.get(fold(data["source"].strip()), Person.Source.OTHER)
            if data.get("notes"):
                values["notes"] = data["notes"].strip()
            for name, definition in self.custom.items():
                if data.get(name, "").strip():
                    from crm.custom_fields import parse

                    values.setdefault("custom", {})[definition.key] = parse(definition, data[name])
            for name in filter(None, (n.strip() for n in _TAG_SPLIT.split(data.get("tags", "")))):
                tag = self.tags.get(fold(name))
                if tag is None:
                    raise ValidationError(_("Unknown tag: %(value)s") % {"value": name})
                row.tags.append(tag)
        except ValidationError as error:
            row.action, row.reason = "error", " ".join(error.messages)
            return
        row.values = values

    @staticmethod
    def _lengths(values: dict[str, Any]) -> None:
        limits = {
            "first_name": 100,
            "last_name": 100,
            "city": 100,
            "area": 100,
            "position": 100,
            "company": 200,
        }
        for name, limit in limits.items():
            if len(values.get(name, "")) > limit:
                label = FIELDS[name][0]
                raise ValidationError(
                    _("%(field)s is longer than %(limit)s characters.") % {"field": label, "limit": limit}
                )


class Matcher:
    """Decides new / update / skip for clean rows, against the file so far and
    the people already in the CRM."""

    def __init__(self, user: User, options: Options):
        self.user = user
        self.options = options
        self.seen: dict[str, int] = {}  # email or phone -> line that had it first

    def _keys(self, row: Row) -> list[str]:
        values = row.values
        return [k for k in (values.get("email"), values.get("phone"), values.get("mobile")) if k]

    def match(self, chunk: list[Row]) -> None:
        candidates = [r for r in chunk if r.action != "error"]
        for row in candidates:
            first = next((self.seen[k] for k in self._keys(row) if k in self.seen), None)
            if first is not None:
                row.action, row.reason = (
                    "skip",
                    _("Same person as line %(line)s of the file.") % {"line": first},
                )
                continue
            for key in self._keys(row):
                self.seen[key] = row.line
        candidates = [r for r in candidates if r.action != "skip"]
        emails = {r.values["email"] for r in candidates if r.values.get("email")}
        phones = {p for r in candidates for p in (r.values.get("phone"), r.values.get("mobile")) if p}
        existing = self._existing(emails, phones)
        by_email = {p["email"].lower(): p for p in existing.values() if p["email"]}
        by_phone = {}
        for person in existing.values():
            for number in (person["phone"], person["mobile"]):
                if number:
                    by_phone.setdefault(number, person)
        visible = set(access.people(self.user).filter(pk__in=existing).values_list("pk", flat=True))
        tags = self._tags(existing)
        for row in candidates:
            values = row.values
            person = by_email.get(values.get("email", "")) if values.get("email") else None
            person = person or by_phone.get(values.get("phone", "")) or by_phone.get(values.get("mobile", ""))
            if person is None:
                row.action = "new"
                continue
            row.record_id = person["id"]
            if person["id"] not in visible:
                row.action = "skip"
                row.reason = _("Already in the CRM, owned by another user.")
                continue
            row.changed = [
                name
                for name in [*PERSON_COLUMNS, "stage"]
                if values.get(name) and values[name] != person[name]
            ]
            wanted = {t.pk for t in row.tags + self.options.tags}
            if wanted - tags.get(person["id"], set()):
                row.changed.append("tags")
            if values.get("company"):
                row.changed.append("company")
            custom = values.get("custom") or {}
            stored = person["custom"]
            stored = json.loads(stored) if isinstance(stored, str) else (stored or {})
            if any(stored.get(key) != value for key, value in custom.items()):
                row.changed.append("custom")
            if row.changed:
                row.action = "update"
            else:
                row.action, row.reason = "skip", _("Already in the CRM, unchanged.")

    def _existing(self, emails: set[str], phones: set[str]) -> dict[int, dict]:
        """People in People with any of these emails (any case) or numbers, in
        one query: arrays as single parameters, one branch per index."""
        if not emails and not phones:
            return {}
        fields = ["id", "email", *[c for c in PERSON_COLUMNS if c != "email"], "stage", "custom"]
        select = f"SELECT {', '.join(fields)} FROM people_person WHERE discarded_at IS NULL AND "
        sql = " UNION ".join(
            select + condition
            for condition in ("UPPER(email) = ANY(%s)", "phone = ANY(%s)", "mobile = ANY(%s)")
        )
        numbers = list(phones)
        with connection.cursor() as cursor:
            cursor.execute(sql, [[e.upper() for e in emails], numbers, numbers])
            return {row[0]: dict(zip(fields, row, strict=True)) for row in cursor.fetchall()}

    def _tags(self, existing: dict[int, dict]) -> dict[int, set[int]]:
        through = Person.tags.through.objects.filter(person_id__in=list(existing))
        tags: dict[int, set[int]] = {}
        for person_id, tag_id in through.values_list("person_id", "tag_id"):
            tags.setdefault(person_id, set()).add(tag_id)
        return tags


class PeopleImporter(Importer):
    kind = "people"
    required = ("first_name", "full_name")

    @property
    def fields(self) -> dict[str, tuple[Any, list[str]]]:
        return with_custom_fields(FIELDS, "people")

    required_message = gettext_lazy("Choose the column with the first name or the full name.")

    def guess_mapping(self, headers: list[str]) -> list[str]:
        mapping = guess_mapping(headers)
        custom = match_headers(headers, {k: v for k, v in self.fields.items() if k.startswith("cf:")})
        return [name or extra for name, extra in zip(mapping, custom, strict=True)]

    def state(self, job: ImportJob) -> tuple:
        options = Options.from_job(job)
        return (
            Cleaner(job.mapping, job.created_by, options.country),
            Matcher(job.created_by, options),
            job.created_by,
            options,
            job.options,
        )

    def clean(self, chunk: list[Row], state: tuple) -> None:
        cleaner, _matcher, _user, _options, _raw = state
        for row in chunk:
            cleaner.clean(row)

    def match(self, chunk: list[Row], state: tuple) -> None:
        _cleaner, matcher, _user, _options, _raw = state
        matcher.match(chunk)

    def write(self, chunk: list[Row], state: tuple) -> None:
        _cleaner, _matcher, user, options, raw_options = state
        _write(chunk, user, options)
        written = [r for r in chunk if r.action in ("new", "update")]
        if written:
            _record_consent(written, user, raw_options)
            imported.send(sender=Person, user=user, owner=options.owner, options=raw_options, rows=written)


register(PeopleImporter())


# Writing -------------------------------------------------------------------


def _record_consent(written: list[Row], user: User, raw_options: dict) -> None:
    """What the file's people consented to, as the importer said (the file is how)."""
    wanted = set(raw_options.get("consent") or [])
    ids = [r.record_id for r in written]
    text = str(_("Import file: %(name)s") % {"name": raw_options.get("file_name", "")}).rstrip(": ")
    covered = {
        "sales": (consent.CONTACT_CHANNELS, consent.Purpose.SALES),
        "marketing": ([consent.Channel.EMAIL], consent.Purpose.MARKETING),
    }
    for option, (channels, purpose) in covered.items():
        if option in wanted:
            consent.record(
                people=ids,
                channels=channels,
                purposes=[purpose],
                given=True,
                source=consent.Source.IMPORT,
                text=text,
                by=user,
            )


def _write(chunk: list[Row], user: User, options: Options) -> None:
    now = timezone.now()
    # Labels for the history, translated once per chunk rather than per row.
    field_labels = {name: str(label) for name, (label, _aliases) in FIELDS.items()}
    field_labels["custom"] = str(Person._meta.get_field("custom").verbose_name)
    stage_labels = {value: str(label) for value, label in Person.Stage.choices}
    new = [r for r in chunk if r.action == "new"]
    updates = [r for r in chunk if r.action == "update"]
    with connection.cursor() as cursor:
        if new:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('people_person', 'id')) FROM generate_series(1, %s)",
                [len(new)],
            )
            for row, (pk,) in zip(new, cursor.fetchall(), strict=True):
                row.record_id = pk
            _copy(
                cursor,
                "people_person",
                [
                    "id",
                    *PERSON_COLUMNS,
                    "stage",
                    "owner_id",
                    "discard_reason",
                    "custom",
                    "created_at",
                    "updated_at",
                ],
                (
                    [
                        r.record_id,
                        *(r.values.get(c, "") for c in PERSON_COLUMNS[:6]),
                        r.values.get("country") or options.country,
                        *(r.values.get(c, "") for c in PERSON_COLUMNS[7:]),
                        r.values.get("stage") or options.stage,
                        options.owner.pk,
                        "",
                        json.dumps(r.values.get("custom") or {}),
                        now,
                        now,
                    ]
                    for r in new
                ),
            )
        if updates:
            _update(cursor, updates, now)
        _copy(
            cursor,
            "people_personevent",
            ["person_id", "kind", "old_value", "new_value", "by_id", "at"],
            (
                [
                    r.record_id,
                    PersonEvent.Kind.CREATED,
                    "",
                    stage_labels[r.values.get("stage") or options.stage],
                    user.pk,
                    now,
                ]
                if r.action == "new"
                else [
                    r.record_id,
                    PersonEvent.Kind.UPDATED,
                    "",
                    _changed_labels(r.changed, field_labels)[:300],
                    user.pk,
                    now,
                ]
                for r in new + updates
            ),
        )
        _add_tags(cursor, new + updates, options)
    # Written by COPY, they are announced here (webhooks), as the timeline events above say.
    changed_in_bulk.send(sender=Person, kind=PersonEvent.Kind.CREATED, ids=[r.record_id for r in new])
    changed_in_bulk.send(sender=Person, kind=PersonEvent.Kind.UPDATED, ids=[r.record_id for r in updates])


def _copy(cursor, table: str, columns: list[str], records: Iterable[list]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for record in records:
            copy.write_row(record)


def _update(cursor, updates: list[Row], now) -> None:
    """Fill in what the file brings (non-empty values) on matched people."""
    columns = [*PERSON_COLUMNS, "stage"]
    cursor.execute(
        "CREATE TEMP TABLE import_update (id bigint, "
        + ", ".join(f"{c} text" for c in columns)
        + ", custom jsonb) ON COMMIT DROP"
    )
    _copy(
        cursor,
        "import_update",
        ["id", *columns, "custom"],
        (
            [r.record_id, *(r.values.get(c, "") for c in columns), json.dumps(r.values.get("custom") or {})]
            for r in updates
        ),
    )
    # Custom values the file brings replace those keys; the others stay.
    assignments = ", ".join(f"{c} = COALESCE(NULLIF(u.{c}, ''), p.{c})" for c in columns)
    assignments += ", custom = p.custom || u.custom"
    cursor.execute(
        f"UPDATE people_person p SET {assignments}, updated_at = %s FROM import_update u WHERE p.id = u.id",
        [now],
    )
    cursor.execute("DROP TABLE import_update")


def _add_tags(cursor, written: list[Row], options: Options) -> None:
    pairs = {(r.record_id, t.pk) for r in written for t in [*r.tags, *options.tags]}
    if not pairs:
        return
    cursor.execute("CREATE TEMP TABLE import_tags (person_id bigint, tag_id bigint) ON COMMIT DROP")
    _copy(cursor, "import_tags", ["person_id", "tag_id"], (list(p) for p in pairs))
    cursor.execute(
        "INSERT INTO people_person_tags (person_id, tag_id) SELECT t.person_id, t.tag_id FROM import_tags t "
        "WHERE NOT EXISTS (SELECT 1 FROM people_person_tags x WHERE x.person_id = t.person_id AND x.tag_id = t.tag_id)"
    )
    cursor.execute("DROP TABLE import_tags")


def _changed_labels(changed: list[str], labels: dict[str, str]) -> str:
    return ", ".join(labels.get(name, name) for name in changed)
