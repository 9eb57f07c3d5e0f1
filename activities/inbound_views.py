"""What customers write: the mailboxes the CRM reads, the Inbox of messages from senders it
does not know, the Outbox's way back under `make run`, and the WhatsApp Cloud API webhook."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from activities import filing, imap, services, whatsapp
from activities.forms import FileForm, MailboxForm, ProspectForm
from activities.models import InboundEmail
from crm import access
from crm.pagination import paginate


def _split_name(name: str) -> tuple[str, str]:
    first, _sep, last = " ".join(name.split()).partition(" ")
    return first[:100], last[:100]


@login_required
def mailbox_edit(request: HttpRequest, team: bool = False) -> HttpResponse:
    """The user's own mailbox, or the team's shared one (administrators)."""
    if team and not access.is_admin(request.user):
        raise PermissionDenied
    mailboxes = access.mailboxes(request.user)
    mailbox = mailboxes.filter(user=None).first() if team else mailboxes.filter(user=request.user).first()
    form = MailboxForm(request.POST or None, instance=mailbox)
    if request.method == "POST" and "delete" in request.POST and mailbox is not None:
        services.mailbox_delete(mailbox=mailbox, by=request.user)
        messages.success(request, _("Mailbox disconnected."))
        return redirect(request.path)
    if request.method == "POST" and "check" in request.POST and mailbox is not None:
        new = imap.check(mailbox)
        if mailbox.error:
            messages.error(request, _("The mailbox could not be read: %(error)s") % {"error": mailbox.error})
        else:
            messages.success(
                request,
                ngettext("Mailbox read: %(count)s new message.", "Mailbox read: %(count)s new messages.", new)
                % {"count": new},
            )
        return redirect(request.path)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "password"}
        try:
            services.mailbox_save(
                by=request.user,
                mailbox=mailbox,
                team=team,
                password=form.cleaned_data["password"],
                **data,
            )
        except ValidationError as error:
            # The server's refusal is said next to the password; a field's own error next to it.
            form.add_error(None if hasattr(error, "error_dict") else "password", error)
        else:
            messages.success(request, _("Mailbox connected: new messages will show on the timelines."))
            return redirect(request.path)
    return render(request, "activities/mailbox.html", {"form": form, "mailbox": mailbox, "team": team})


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    waiting = access.inbound_emails(request.user).filter(status=InboundEmail.Status.WAITING)
    page = paginate(request, waiting.select_related("mailbox").order_by("-sent_at", "-id"))
    return render(request, "activities/inbox.html", {"page": page})


@login_required
def inbox_message(request: HttpRequest, pk: int) -> HttpResponse:
    inbound = access.get_or_404(access.inbound_emails(request.user).select_related("mailbox"), pk=pk)
    first, last = _split_name(inbound.from_name or inbound.from_email.partition("@")[0])
    file_form = FileForm(request.POST if "file" in request.POST else None, user=request.user)
    prospect_form = ProspectForm(
        request.POST if "prospect" in request.POST else None, initial={"first_name": first, "last_name": last}
    )
    if request.method == "POST":
        try:
            if "dismiss" in request.POST:
                services.inbound_dismiss(inbound=inbound, by=request.user)
                messages.success(request, _("Message dismissed."))
                return redirect("activities:inbox")
            if "file" in request.POST and file_form.is_valid():
                person = file_form.cleaned_data["person"]
                services.inbound_file(inbound=inbound, person=person, by=request.user)
                messages.success(request, _("Filed on %(name)s's timeline.") % {"name": person})
                return redirect(person)
            if "prospect" in request.POST and prospect_form.is_valid():
                person = services.inbound_to_prospect(
                    inbound=inbound, by=request.user, **prospect_form.cleaned_data
                )
                messages.success(
                    request, _("New prospect %(name)s, with the message on the timeline.") % {"name": person}
                )
                return redirect(person)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return render(
        request,
        "activities/inbox_message.html",
        {"inbound": inbound, "file_form": file_form, "prospect_form": prospect_form},
    )


@csrf_exempt  # Meta's servers post without a session; the signature is checked instead
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    """The WhatsApp Cloud API webhook: the verification handshake (GET), and deliveries
    (POST) signed with the app secret."""
    if request.method == "GET":
        token = settings.WHATSAPP_VERIFY_TOKEN
        if (
            token
            and request.GET.get("hub.mode") == "subscribe"
            and hmac.compare_digest(request.GET.get("hub.verify_token", ""), token)
        ):
            return HttpResponse(request.GET.get("hub.challenge", "")[:200], content_type="text/plain")
        return HttpResponse(status=403)
    if request.method != "POST":
        return HttpResponse(status=405)
    try:
        body = request.body
    except RawPostDataException:  # a form upload, already read: never what Meta sends
        return HttpResponse(status=400)
    if not whatsapp.signed(body, request.headers.get("X-Hub-Signature-256", "")):
        return HttpResponse(status=403)
    try:
        payload = json.loads(body)
    except ValueError:
        return HttpResponse(status=400)
    if not isinstance(payload, dict):
        return HttpResponse(status=400)
    return JsonResponse(whatsapp.handle(payload))


@login_required
@require_POST
def outbox_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The embedded default's way back (no EMAIL_URL, no mailbox): an answer to a message of
    the Outbox, as its recipient would send it, taken in like any message read from a
    mailbox."""
    if not settings.EMAIL_OUTBOX:
        raise Http404
    message = access.get_or_404(access.outbox(request.user), pk=pk)
    body = request.POST.get("body", "").replace("\x00", "").strip()[:10000]
    if not body:
        messages.error(request, _("Write the answer first."))
        return redirect("activities:outbox_message", pk=message.pk)
    inbound = filing.receive(raw=filing.answer_to(message.parsed(), body), mailbox=None)
    filed = getattr(inbound, "filed", [])
    if not filed:
        messages.warning(request, _("The answer arrived, from nobody the CRM knows: it waits in the Inbox."))
        return redirect("activities:outbox_message", pk=message.pk)
    messages.success(request, _("The answer arrived: it is on the timeline under the email."))
    return redirect(filed[0].person)
