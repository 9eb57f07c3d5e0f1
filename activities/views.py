"""Activities, reminders, activity follow-up, email, the calendar feed and
the activity categories catalog."""

from __future__ import annotations

from datetime import timedelta
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from activities import calendar, mail, services, whatsapp
from activities.filters import ActivityFilter, ReminderFilter
from activities.forms import (
    ActivityForm,
    CategoryForm,
    EmailForm,
    EmailTemplateForm,
    ReassignForm,
    RescheduleForm,
    WhatsAppForm,
    WhatsAppSendForm,
)
from activities.models import Activity
from crm import access, bounds
from crm import services as core
from crm.exports import export_response
from crm.models import User
from crm.pagination import paginate
from crm.redirects import back, safe_next


def _activity_for(user: User, pk: int) -> Activity:
    return access.get_or_404(
        access.activities(user, followed=True).select_related("person", "company", "owner"), pk=pk
    )


def _record_url(activity: Activity) -> str:
    target = activity.person or activity.company
    return target.get_absolute_url()


@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    """The full form to log an activity; the quick-add forms on record pages
    post here too. ``?person=`` or ``?company=`` says what it is about."""
    initial = {
        "person": request.GET.get("person"),
        "company": request.GET.get("company"),
        "campaign": request.GET.get("campaign"),
        "opportunity": request.GET.get("opportunity"),
        "service_order": request.GET.get("service_order"),
    }
    if request.GET.get("kind") in Activity.Kind.values:
        initial["kind"] = request.GET["kind"]
    form = ActivityForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            activity, follow_up = form.log(request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            text = _("Activity recorded.") if activity.is_done else _("Reminder planned.")
            if follow_up is not None:
                text = _("Activity recorded, with a follow-up reminder.")
            messages.success(request, text)
            return back(request, _record_url(activity))
    next_url = safe_next(request)
    return render(request, "activities/form.html", {"form": form, "about": _about(form), "next": next_url})


def _about(form: ActivityForm):
    """The person or company the form is about, if the user may see it."""
    for name in ("person", "company"):
        value = form.data.get(name) if form.is_bound else form.initial.get(name)
        if value:
            try:
                return form.fields[name].queryset.filter(pk=int(value)).first()
            except (TypeError, ValueError):
                return None
    return None


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    """Activity follow-up (seed 003): a user's pending activities by default."""
    filterset = ActivityFilter(request.GET, queryset=access.activities(request.user), user=request.user)
    queryset = filterset.qs.select_related("person", "company", "owner", "category").prefetch_related(
        "person__memberships__company"  # the Client column of an activity logged on a contact
    )
    page = paginate(request, queryset)
    template = "activities/list.html#rows" if request.htmx else "activities/list.html"
    context = {
        "filter": filterset,
        "page": page,
        "list": "activities",
        "export_url": "activities:activities_export",
    }
    return render(request, template, context)


@login_required
@require_POST
def activity_done(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity_for(request.user, pk)
    services.activity_mark_done(activity=activity, by=request.user)
    if request.htmx:
        return render(request, "activities/list.html#row", {"activity": activity})
    messages.success(request, _("Marked as done."))
    return back(request, "activities:activities")


@login_required
@require_POST
def activity_pending(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity_for(request.user, pk)
    services.activity_mark_pending(activity=activity, by=request.user)
    if request.htmx:
        return render(request, "activities/list.html#row", {"activity": activity})
    messages.success(request, _("Back to pending."))
    return back(request, "activities:activities")


@login_required
def reminder_list(request: HttpRequest) -> HttpResponse:
    filterset = ReminderFilter(
        request.GET, queryset=access.reminders(request.user, followed=True), user=request.user
    )
    queryset = filterset.qs.select_related("person", "company", "owner", "category").order_by("due_at", "id")
    page = paginate(request, queryset)
    now = timezone.now()
    context = {
        "filter": filterset,
        "page": page,
        "list": "reminders",
        "export_url": "activities:reminders_export",
        "now": now,
        "end_of_today": _end_of_today(),
        # Read once for every row's reassign menu.
        "assignees": list(access.assignable_users(request.user))
        if access.sees_everything(request.user)
        else [],
    }
    template = "activities/reminders.html#rows" if request.htmx else "activities/reminders.html"
    return render(request, template, context)


def _end_of_today():
    now = timezone.localtime()
    return now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


@login_required
@require_POST
def reminder_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    activity = access.get_or_404(access.reminders(request.user, followed=True), pk=pk)
    form = RescheduleForm(request.POST)
    if form.is_valid():
        services.reminder_reschedule(activity=activity, by=request.user, due_at=form.cleaned_data["due_at"])
        messages.success(request, _("Reminder rescheduled."))
    else:
        messages.error(request, _("Enter a valid date and time."))
    return back(request, "activities:reminders")


@access.manager_required
@require_POST
def reminder_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    activity = access.get_or_404(access.reminders(request.user), pk=pk)
    form = ReassignForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.reminder_reassign(activity=activity, by=request.user, owner=form.cleaned_data["owner"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Reminder given to %(name)s.") % {"name": form.cleaned_data["owner"]})
    else:
        messages.error(request, _("Choose who gets the reminder."))
    return back(request, "activities:reminders")


@login_required
def person_email(request: HttpRequest, pk: int) -> HttpResponse:
    """Write an email from the CRM: queued on the person's timeline, sent by the task worker
    (activities.services.email_send). With mail switched off (EMAIL_ENABLED=0) the page
    offers the person's address as a mailto: link instead."""
    person = access.get_or_404(access.workable_people(request.user), pk=pk)
    # Sent while working a campaign member: the email is part of that campaign.
    campaign = bounds.chosen(request, "campaign", access.campaigns(request.user))
    # Written from a card: the email goes on the card's timeline too, and {opportunity} is its subject.
    opportunity = bounds.chosen(
        request, "opportunity", access.opportunities(request.user).filter(contact=person)
    )
    # Written from a company's page: the email goes on the company's timeline too.
    company = bounds.chosen(
        request, "company", access.companies(request.user).filter(memberships__person=person)
    )
    templates = access.email_templates(request.user).select_related("owner")
    template = bounds.chosen(request, "template", templates)
    initial = (
        services.email_draft(template=template, agent=request.user, person=person, opportunity=opportunity)
        if template
        else {}
    )
    record_files = list(access.attachments_of(request.user, "person", person).order_by("-pk")[:50])
    form = EmailForm(request.POST or None, request.FILES or None, initial=initial, record_files=record_files)
    if request.method == "POST" and settings.EMAIL_ENABLED and form.is_valid():
        chosen_files = [a for a in record_files if a.pk in set(form.cleaned_data.get("record_files") or [])]
        files = [(c.name, c.upload.read(), c.content_type) for c in form.cleaned_data["files"]]
        for attachment in chosen_files:
            with attachment.file.open("rb") as handle:
                files.append((attachment.name, handle.read(), attachment.content_type))
        try:
            services.email_send(
                by=request.user,
                person=person,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                cc=form.cleaned_data["cc"],
                campaign=campaign,
                opportunity=opportunity,
                company=company,
                attachments=files,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Email to %(email)s queued: it shows on the timeline as it goes.")
                % {"email": person.email},
            )
            return back(request, person.get_absolute_url())
    return render(
        request,
        "activities/email.html",
        {
            "person": person,
            "form": form,
            "email_enabled": settings.EMAIL_ENABLED,
            "templates": templates,
            "template": template,
            "opportunity": opportunity,
            "campaign": campaign,
            "company": company,
            "next": safe_next(request),
        },
    )


@login_required
def company_email(request: HttpRequest, pk: int) -> HttpResponse:
    """Write from a company's page: to which of its people (those with an address the user
    may write to); the composer then files the email on the company's timeline too."""
    company = access.get_or_404(access.companies(request.user), pk=pk)
    people = list(
        access.workable_people(request.user)
        .filter(memberships__company=company)
        .exclude(email="")
        .order_by("first_name", "last_name", "pk")[:200]
    )
    if len(people) == 1:
        return redirect(reverse("activities:person_email", args=[people[0].pk]) + f"?company={company.pk}")
    return render(request, "activities/company_email.html", {"company": company, "people": people})


@login_required
def person_whatsapp(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a WhatsApp chat with the person (wa.me) and record it on their
    timeline; the message starts from the user's template."""
    person = access.get_or_404(access.workable_people(request.user), pk=pk)
    campaign = bounds.chosen(request, "campaign", access.campaigns(request.user))
    initial = {
        "message": services.whatsapp_message(
            template=request.user.whatsapp_template, person=person, agent=request.user
        ),
        "number": request.GET.get("number"),
    }
    form = WhatsAppForm(request.POST or None, person=person, initial={k: v for k, v in initial.items() if v})
    if request.method == "POST" and form.is_valid():
        try:
            _activity, url = services.whatsapp_open(
                by=request.user,
                person=person,
                number=form.cleaned_data["number"],
                message=form.cleaned_data["message"],
                campaign=campaign,
                remember_template=form.cleaned_data["message"] if form.cleaned_data["remember"] else None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if _wants_json(request):  # the page's script opens the chat in a new tab
                messages.success(request, _("WhatsApp opened; the conversation is on the timeline."))
                return JsonResponse({"open": url, "next": person.get_absolute_url()})
            return HttpResponseRedirect(url)
    if request.method == "POST" and _wants_json(request):
        return JsonResponse({"errors": form.errors}, status=400)
    return render(
        request,
        "activities/whatsapp.html",
        {"person": person, "form": form, "campaign": campaign, "template": request.user.whatsapp_template},
    )


@login_required
def person_whatsapp_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send through WhatsApp Business (the Cloud API): queued on the timeline, sent by the
    task worker, its status (sent, delivered, read) updated by the webhook."""
    person = access.get_or_404(access.workable_people(request.user), pk=pk)
    if not whatsapp.enabled():
        raise Http404
    form = WhatsAppSendForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            whatsapp.send(by=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("WhatsApp message queued: its status shows on the timeline."))
            return redirect(person)
    return render(request, "activities/whatsapp_send.html", {"person": person, "form": form})


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


@login_required
def calendar_settings(request: HttpRequest) -> HttpResponse:
    token = core.calendar_token(user=request.user)
    url = request.build_absolute_uri(reverse("activities:calendar_feed", args=[token]))
    return render(request, "activities/calendar.html", {"feed_url": url})


@login_required
@require_POST
def calendar_regenerate(request: HttpRequest) -> HttpResponse:
    core.calendar_token(user=request.user, regenerate=True)
    messages.success(request, _("New calendar address created; the old one no longer works."))
    return redirect("activities:calendar_subscribe")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A user's reminders as iCalendar (RFC 5545); the token is the credential."""
    user = User.objects.filter(calendar_token=token, is_active=True).first() if token else None
    if user is None:
        raise Http404
    body = calendar.reminders_feed(user=user, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="reminders.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


# Catalogs ------------------------------------------------------------------


@access.admin_required
def catalogs(request: HttpRequest) -> HttpResponse:
    return _catalogs_page(request, CategoryForm())


def _catalogs_page(request: HttpRequest, form: CategoryForm) -> HttpResponse:
    categories = paginate(request, access.categories(request.user).order_by("name", "id"), per_page=100)
    return render(request, "activities/catalogs.html", {"page": categories, "form": form})


@access.admin_required
@require_POST
def category_create(request: HttpRequest) -> HttpResponse:
    form = CategoryForm(request.POST)
    if form.is_valid():
        services.category_create(name=form.cleaned_data["name"])
        messages.success(request, _("Category created."))
        return redirect("activities:catalogs")
    return _catalogs_page(request, form)


@access.admin_required
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category = access.get_or_404(access.categories(request.user), pk=pk)
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        services.category_rename(
            category=access.get_or_404(access.categories(request.user), pk=pk), name=form.cleaned_data["name"]
        )
        messages.success(request, _("Category renamed."))
        return redirect("activities:catalogs")
    return render(request, "activities/category_form.html", {"form": form, "category": category})


@access.admin_required
@require_POST
def category_delete(request: HttpRequest, pk: int) -> HttpResponse:
    category = access.get_or_404(access.categories(request.user), pk=pk)
    try:
        services.category_delete(category=category)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Category deleted."))
    return redirect("activities:catalogs")


# Exports ---------------------------------------------------------------------


@login_required
@require_GET
def activity_export(request: HttpRequest) -> HttpResponse:
    return export_response(request, "activities")


@login_required
@require_GET
def reminder_export(request: HttpRequest) -> HttpResponse:
    return export_response(request, "reminders")


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    """What the CRM sent to the embedded mail server (no EMAIL_URL): each user their own
    messages, managers and administrators everyone's."""
    messages_sent = access.outbox(request.user).only(
        "pk", "received_at", "recipients", "subject", "mail_from"
    )
    return render(
        request,
        "activities/outbox.html",
        {"page": paginate(request, messages_sent.order_by("-received_at", "-id"), per_page=50)},
    )


@login_required
def outbox_message(request: HttpRequest, pk: int) -> HttpResponse:
    message = access.get_or_404(access.outbox(request.user), pk=pk)
    parsed = message.parsed()
    body = mail.text_of(parsed)
    labels = {
        "From": pgettext("email header", "From"),
        "To": pgettext("email header", "To"),
        "Cc": _("Cc"),
        "Reply-To": _("Replies go to"),
        "Date": pgettext("email header", "Date"),
    }
    headers = [(label, str(parsed.get(name, ""))) for name, label in labels.items()]
    try:  # the date as the reader's country writes it, in the team's clock
        sent_at = timezone.localtime(parsedate_to_datetime(str(parsed["Date"])))
        headers = [
            (label, date_format(sent_at, "SHORT_DATETIME_FORMAT") if name == "Date" else value)
            for (label, value), name in zip(headers, labels, strict=True)
        ]
    except (TypeError, ValueError, IndexError):
        pass
    return render(
        request,
        "activities/outbox_message.html",
        {"message": message, "headers": [h for h in headers if h[1]], "body": body},
    )


@login_required
def email_templates(request: HttpRequest) -> HttpResponse:
    templates = access.email_templates(request.user).select_related("owner")
    return render(
        request,
        "activities/email_templates.html",
        {
            "page": paginate(request, templates, per_page=50),
            "changeable": set(access.changeable_email_templates(request.user).values_list("pk", flat=True)),
        },
    )


@login_required
def email_template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    template = access.get_or_404(access.changeable_email_templates(request.user), pk=pk) if pk else None
    initial = (
        {
            "name": template.name,
            "language": template.language,
            "subject": template.subject,
            "body": template.body,
            "team": template.is_team,
        }
        if template
        else {"language": request.user.language or "es"}
    )
    form = EmailTemplateForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.email_template_save(
                by=request.user,
                template=template,
                team=data.get("team", False),
                name=data["name"],
                language=data["language"],
                subject=data["subject"],
                body=data["body"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Template saved."))
            return redirect("activities:email_templates")
    return render(request, "activities/email_template_form.html", {"form": form, "template": template})


@login_required
@require_POST
def email_template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    template = access.get_or_404(access.changeable_email_templates(request.user), pk=pk)
    services.email_template_delete(template=template, by=request.user)
    messages.success(request, _("Template deleted."))
    return redirect("activities:email_templates")


@login_required
@require_POST
def email_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a failed email again: its writer, or a manager or administrator."""
    email = access.get_or_404(
        access.emails(request.user).select_related("activity__person", "activity__company"), pk=pk
    )
    if not access.is_responsible(request.user, email.created_by_id):
        raise PermissionDenied
    try:
        services.email_retry(email=email, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The email is queued again."))
    return back(request, _record_url(email.activity))


MY_DAY_NOTIFICATIONS = 5


def my_day(request: HttpRequest) -> dict:
    """My day's section: today's agenda and the latest unread notifications."""
    from activities import agenda

    unread = access.notifications(request.user).filter(read_at=None).order_by("-created_at", "-id")
    return {
        "agenda_today": agenda.today(request.user),
        "unread_notifications": list(unread[:MY_DAY_NOTIFICATIONS]),
    }
