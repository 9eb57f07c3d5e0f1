"""Attachments: add to a record, download, delete. Every view reaches the file
through the record's access scope: another agent's attachment answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from crm import access, attachments
from crm.redirects import back


@login_required
@require_POST
def attachment_add(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    field = attachments.KINDS.get(kind)
    if field is None:
        raise Http404
    record = access.get_or_404(access.records(request.user, field), pk=pk)
    try:
        added = attachments.attach(
            record=record, field=field, uploads=request.FILES.getlist("files"), by=request.user
        )
    except ValidationError as error:
        # Nothing is kept when any file is refused: the user sees why, next to the list.
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            ngettext("%(count)s file attached.", "%(count)s files attached.", len(added))
            % {"count": len(added)},
        )
    return back(request, record)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = access.get_or_404(access.attachments(request.user), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("This file is no longer stored.")) from None
    # Always a download, with the type we recognised: never rendered by the browser.
    return FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = access.get_or_404(access.attachments(request.user).select_related("uploaded_by"), pk=pk)
    if not attachments.may_delete(attachment, request.user):
        raise PermissionDenied(_("Only whoever attached a file, or an administrator, may delete it."))
    record = attachment.record
    attachments.delete(attachment=attachment, by=request.user)
    messages.success(request, _("%(name)s deleted.") % {"name": attachment.name})
    return back(request, record)
