"""Importing people from CSV or XLSX, fast.

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

import csv
import io
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm import access
from crm.countries import COUNTRIES, fold, normalize_phone
from crm.exports import safe_cell
from crm.models import User
from crm.tables import Table, header_key, inspect, rows
from people.models import ImportJob, Person, PersonEvent, Tag
from people.signals import changed_in_bulk

CHUNK = 5000
PREVIEW_ROWS = 100
PREVIEW_ERRORS = 200

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


def field_choices(fields: dict[str, tuple[Any, list[str]]]) -> list[tuple[str, Any]]:
    return [("", _("(do not import)")), *((name, label) for name, (label, _names) in fields.items())]


def match_headers(headers: list[str], fields: dict[str, tuple[Any, list[str]]]) -> list[str]:
    """The field each column most likely holds ('' when none), each field once."""
    lookup = {alias: name for name, (_label, aliases) in fields.items() for alias in aliases}
    used: set[str] = set()
    mapping = []
    for header in headers:
        name = lookup.get(header_key(header), "")
        if name in used:
            name = ""
        used.add(name)
        mapping.append(name)
    return mapping


def guess_mapping(headers: list[str]) -> list[str]:
    """People's columns; a single name column without a surname holds full names."""
    mapping = match_headers(headers, FIELDS)
    if "first_name" in mapping and "last_name" not in mapping and "full_name" not in mapping:
        mapping[mapping.index("first_name")] = "full_name"
    return mapping


def choice_lookup(choices, extra: dict[str, str]) -> dict[str, str]:
    """Folded labels in every language and the values themselves -> value."""
    table = {fold(value): value for value, _label in choices}
    for language in ("en", "es", "pt-br"):
        with translation.override(language):
            table.update({fold(str(label)): value for value, label in choices})
    table.update(extra)
    return table


@dataclass
class Options:
    owner: User
    stage: str = Person.Stage.PROSPECT
    tags: list[Tag] = field(default_factory=list)

    @classmethod
    def from_job(cls, job: ImportJob) -> Options:
        owner = User.objects.filter(pk=job.options.get("owner"), is_active=True).first() or job.created_by
        if not access.assignable_users(job.created_by).filter(pk=owner.pk).exists():
            owner = job.created_by
        tags = list(access.tags(job.created_by).filter(pk__in=job.options.get("tags", [])))
        stage = job.options.get("stage") or Person.Stage.PROSPECT
        return cls(owner=owner, stage=stage, tags=tags)


@dataclass
class Row:
    line: int
    raw: list[str]
    values: dict[str, Any] = field(default_factory=dict)
    tags: list[Tag] = field(default_factory=list)
    action: str = "new"  # new, update, skip, error
    reason: str = ""
    record_id: int | None = None  # the matched or created record
    changed: list[str] = field(default_factory=list)


class Cleaner:
    """Turns a raw row into person values, or says what is wrong with it."""

    def __init__(self, mapping: list[str], user: User):
        self.mapping = mapping
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
                        values[name] = normalize_phone(data[name], country)
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


def read_rows(job: ImportJob) -> Iterator[Row]:
    table = Table(format=job.format, encoding=job.encoding, delimiter=job.delimiter, headers=job.headers)
    with job.file.open("rb") as handle:
        for number, raw in enumerate(rows(handle, table), start=2):
            yield Row(line=number, raw=raw)


def _chunks(items: Iterable[Row], size: int = CHUNK) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: int = 0

    def add(self, chunk: list[Row]) -> None:
        self.rows += len(chunk)
        for row in chunk:
            if row.action == "new":
                self.created += 1
            elif row.action == "update":
                self.updated += 1
            elif row.action == "skip":
                self.skipped += 1
            else:
                self.errors += 1

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("rows", "created", "updated", "skipped", "errors")}

    def line(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.as_dict().items())


Progress = Callable[[int], None]


class Importer:
    """What one kind of import (people, companies) knows: its fields, how to
    guess columns, and how to analyse and write a chunk of rows."""

    kind: str
    fields: dict[str, tuple[Any, list[str]]]
    # The mapping must include one of these (the record's name).
    required: tuple[str, ...]
    required_message: Any

    def guess_mapping(self, headers: list[str]) -> list[str]:
        return match_headers(headers, self.fields)

    def state(self, job: ImportJob) -> Any:
        raise NotImplementedError

    def analyse(self, chunk: list[Row], state: Any) -> None:
        """Set each row's action (new, update, skip, error) and reason."""
        raise NotImplementedError

    def write(self, chunk: list[Row], state: Any) -> None:
        raise NotImplementedError


def with_custom_fields(
    fields: dict[str, tuple[Any, list[str]]], model: str
) -> dict[str, tuple[Any, list[str]]]:
    """The import's fields and the model's active custom fields ("cf:<key>"),
    recognised by their name or key."""
    from crm.custom_fields import definitions

    extra = {f"cf:{d.key}": (d.name, [header_key(d.name), d.key]) for d in definitions(model)}
    return {**fields, **extra}


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
            Cleaner(job.mapping, job.created_by),
            Matcher(job.created_by, options),
            job.created_by,
            options,
            job.options,
        )

    def analyse(self, chunk: list[Row], state: tuple) -> None:
        cleaner, matcher, _user, _options, _raw = state
        for row in chunk:
            cleaner.clean(row)
        matcher.match(chunk)

    def write(self, chunk: list[Row], state: tuple) -> None:
        _cleaner, _matcher, user, options, raw_options = state
        _write(chunk, user, options)
        written = [r for r in chunk if r.action in ("new", "update")]
        for hook in AFTER_PEOPLE_WRITTEN:
            hook(raw_options, user, written)


IMPORTERS: dict[str, Importer] = {"people": PeopleImporter()}

# Later modules act on the people an import wrote (the campaigns module adds
# them to a campaign): hook(job_options, user, rows written).
AFTER_PEOPLE_WRITTEN: list[Callable[[dict, User, list[Row]], None]] = []


def register(importer: Importer) -> None:
    IMPORTERS[importer.kind] = importer


def preview(job: ImportJob, progress: Progress | None = None) -> Counts:
    """The dry run: what the import would do, row by row; writes nothing but
    the job's counts and a sample of rows (the errors first)."""
    importer = IMPORTERS[job.kind]
    state = importer.state(job)
    counts = Counts()
    sample: list[dict] = []
    errors: list[dict] = []
    for chunk in _chunks(read_rows(job)):
        importer.analyse(chunk, state)
        counts.add(chunk)
        for row in chunk:
            item = {"line": row.line, "action": row.action, "reason": row.reason, "raw": row.raw[:12]}
            if row.action == "error" and len(errors) < PREVIEW_ERRORS:
                errors.append(item)
            elif len(sample) < PREVIEW_ROWS:
                sample.append(item)
        if progress:
            progress(counts.rows)
    job.preview = errors + sample
    return counts


def run(job: ImportJob, progress: Progress | None = None) -> Counts:
    """The import: chunk by chunk, each in one transaction; returns the counts
    and stores the error report on the job."""
    importer = IMPORTERS[job.kind]
    state = importer.state(job)
    counts = Counts()
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", newline="") as report:
        writer = csv.writer(report)
        writer.writerow([*job.headers, _("Error")])
        for chunk in _chunks(read_rows(job)):
            with transaction.atomic():
                # One import of a kind writes at a time, so two imports of the
                # same records cannot both create them.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"import.{job.kind}"])
                importer.analyse(chunk, state)
                importer.write(chunk, state)
            counts.add(chunk)
            for row in chunk:
                if row.action == "error":
                    # Exactly as exports write cells: a spreadsheet evaluates no formula from the file.
                    writer.writerow([safe_cell(value) for value in (*row.raw, row.reason)])
            if progress:
                progress(counts.rows)
        if counts.errors:
            report.seek(0)
            data = io.BytesIO(("\ufeff" + report.read()).encode("utf-8"))
            job.error_report.save(f"errors-{job.pk}.csv", File(data), save=False)
    return counts


# Writing -------------------------------------------------------------------


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
                        *(r.values.get(c, "") for c in PERSON_COLUMNS),
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
    _place_in_companies([r for r in new + updates if r.values.get("company")], user, options)
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


def _place_in_companies(rows_with_company: list[Row], user: User, options: Options) -> None:
    """Positions in companies named in the file; a company the importer
    cannot find among theirs is created for them."""
    if not rows_with_company:
        return
    from django.apps import apps

    Company = apps.get_model("companies", "Company")
    Membership = apps.get_model("companies", "Membership")
    names = {fold(r.values["company"]): r.values["company"] for r in rows_with_company}
    known: dict[str, int] = {}
    for pk, name in (
        access.companies(user)
        .annotate(key=Lower("name"))
        .filter(key__in={n.lower() for n in names.values()})
        .values_list("pk", "name")
    ):
        known.setdefault(fold(name), pk)
    missing = [
        Company(name=name, owner=options.owner, country=_country_of(rows_with_company, key))
        for key, name in names.items()
        if key not in known
    ]
    for company in Company.objects.bulk_create(missing):
        known[fold(company.name)] = company.pk
    memberships = [
        Membership(
            person_id=r.record_id,
            company_id=known[fold(r.values["company"])],
            area=r.values.get("area", ""),
            position=r.values.get("position", ""),
        )
        for r in rows_with_company
    ]
    Membership.objects.bulk_create(
        memberships,
        update_conflicts=True,
        unique_fields=["person", "company"],
        update_fields=["area", "position"],
    )


def _country_of(rows_with_company: list[Row], key: str) -> str:
    for row in rows_with_company:
        if fold(row.values["company"]) == key and row.values.get("country"):
            return row.values["country"]
    return "OT"


def _changed_labels(changed: list[str], labels: dict[str, str]) -> str:
    return ", ".join(labels.get(name, name) for name in changed)


# Jobs ------------------------------------------------------------------------


def estimate_rows(job: ImportJob) -> int:
    """About how many data rows the file has, for the progress bar."""
    with job.file.open("rb") as handle:
        if job.format == "xlsx":
            from openpyxl import load_workbook

            workbook = load_workbook(handle, read_only=True)
            try:
                return max((workbook.worksheets[0].max_row or 1) - 1, 0)
            finally:
                workbook.close()
        lines = 0
        while block := handle.read(1 << 20):
            lines += block.count(b"\n")
        return max(lines - 1, 0)


def start_job(
    *,
    user: User,
    upload,
    owner: User | None,
    stage: str = Person.Stage.PROSPECT,
    tags: list[Tag] = (),
    kind: str = "people",
    country: str = "",
    extra_options: dict | None = None,
) -> ImportJob:
    """Store an uploaded file as a new import, with its columns guessed."""
    table = inspect(upload, upload.name)
    job = ImportJob(
        kind=kind,
        created_by=user,
        original_name=upload.name[:255],
        format=table.format,
        encoding=table.encoding,
        delimiter=table.delimiter,
        headers=table.headers,
        mapping=IMPORTERS[kind].guess_mapping(table.headers),
        options={
            "owner": (owner or user).pk,
            "stage": stage,
            "tags": [t.pk for t in tags],
            "country": country,
            **(extra_options or {}),
        },
    )
    upload.seek(0)
    job.file.save(upload.name, upload, save=False)
    job.save()
    return job
