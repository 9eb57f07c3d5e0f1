"""Files attached to people, companies, opportunities and service orders: what
may be attached (size, kind recognised by content), under which name, and the
timeline note that records each attachment added or deleted."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from crm import notes
from crm.models import Attachment, User

# Kinds recognised by their first bytes; office files of the zip or OLE families by
# extension within their family. Anything else is refused.
OFFICE_ZIP = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".zip": "application/zip",
}
# The record kinds in URLs, and the Attachment (and Activity) field each names.
KINDS = {"person": "person", "company": "company", "opportunity": "opportunity", "order": "service_order"}
OFFICE_OLE = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}
TEXT = {".txt": "text/plain", ".csv": "text/csv"}


def content_type(name: str, head: bytes) -> str | None:
    """The file's kind by its content (None: not a kind the CRM keeps)."""
    extension = os.path.splitext(name)[1].lower()
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"PK\x03\x04"):
        return OFFICE_ZIP.get(extension)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OFFICE_OLE.get(extension)
    if extension in TEXT and b"\x00" not in head and _is_text(head):
        return TEXT[extension]
    return None


# The extensions a stored name may keep for each kind (the first is given otherwise).
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    **{kind: (extension,) for extension, kind in {**OFFICE_ZIP, **OFFICE_OLE, **TEXT}.items()},
}


# What a file input offers to pick: the extensions of the kinds check() accepts.
ACCEPT = ",".join(dict.fromkeys(extension for extensions in EXTENSIONS.values() for extension in extensions))


def named_as(name: str, kind: str) -> str:
    """The stored name with the extension of the kind its content is: a PDF called
    ``poly.html`` is kept as ``poly.pdf``, and no browser reads it as a page."""
    stem, extension = os.path.splitext(name)
    allowed = EXTENSIONS[kind]
    if extension.lower() in allowed:
        return name
    return stem[: 200 - len(allowed[0])] + allowed[0]


def _is_text(head: bytes) -> bool:
    """UTF-8 (a character may be cut at the end of the sample) or Windows-1252."""
    for encoding in ("utf-8", "cp1252"):
        try:
            head.decode(encoding, errors="strict")
        except UnicodeDecodeError as error:
            if encoding == "utf-8" and error.start >= len(head) - 3:
                return True
            continue
        return True
    return False


def safe_name(raw: str) -> str:
    """The uploader's file name without folders, control characters or anything a
    shell or a browser could misread; at most 200 characters, extension kept."""
    name = unicodedata.normalize("NFC", os.path.basename(raw.replace("\\", "/")))
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    try:
        name = get_valid_filename(name)
    except Exception:  # Django refuses names like "." and ".."
        name = ""
    stem, extension = os.path.splitext(name or "file")
    return (stem[: 200 - len(extension[:20])] or "file") + extension[:20]


@dataclass(frozen=True)
class Checked:
    upload: object
    name: str
    content_type: str


def check(uploads) -> list[Checked]:
    """Every upload acceptable, or a ValidationError naming each refused file."""
    limit = settings.ATTACHMENT_MAX_BYTES
    checked, errors = [], []
    if not uploads:
        raise ValidationError(_("Choose one or more files to attach."))
    for upload in uploads:
        name = safe_name(upload.name or "")
        if upload.size > limit:
            errors.append(
                _("%(name)s is too large (%(size)s; at most %(limit)s).")
                % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
            continue
        upload.seek(0)
        head = upload.read(8192)
        upload.seek(0)
        kind = content_type(name, head) if upload.size else None
        if kind is None:
            errors.append(
                _("%(name)s cannot be attached: only PDF, images, office documents and text files.")
                % {"name": name}
            )
            continue
        checked.append(Checked(upload, named_as(name, kind), kind))
    if errors:
        raise ValidationError(errors)
    return checked


@transaction.atomic
def attach(*, record: Model, field: str, uploads, by: User) -> list[Attachment]:
    """Attach every upload to ``record`` (``field`` names its kind) or none."""
    attachments = []
    for item in check(uploads):
        attachment = Attachment(
            name=item.name,
            size=item.upload.size,
            content_type=item.content_type,
            uploaded_by=by,
            **{field: record},
        )
        attachment.file.save(item.name, item.upload, save=False)
        attachment.save()
        attachments.append(attachment)
        notes.write(
            record=record, field=field, by=by, subject=_("Attached a file: %(name)s") % {"name": item.name}
        )
    return attachments


def may_delete(attachment: Attachment, user: User) -> bool:
    return user.is_admin or attachment.uploaded_by_id == user.pk


@transaction.atomic
def delete(*, attachment: Attachment, by: User) -> None:
    field, record = attachment.record_field, attachment.record
    storage, path = attachment.file.storage, attachment.file.name
    attachment.delete()
    notes.write(
        record=record,
        field=field,
        by=by,
        subject=_("Deleted an attached file: %(name)s") % {"name": attachment.name},
    )
    transaction.on_commit(lambda: storage.delete(path))
