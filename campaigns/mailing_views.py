"""Campaign emails (campaigns.mailings): writing one to the members of a campaign or to
People as filtered (a tag, a saved list), following it as it goes, and the public
unsubscribe link every message carries."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from activities import placeholders
from campaigns import mailings
from campaigns.forms import MailingForm
from crm import access, bounds, consent
from crm.pagination import paginate
from people import services as people_services
from people.filters import PersonFilter


def _audience(request: HttpRequest):
    """Whom the mailing goes to, as the user may write to them: a campaign's members
    (?campaign=), else People as the query string filters it. Returns (campaign, people, label)."""
    workable = access.workable_people(request.user)
    campaign_id = bounds.record_id(request.GET.get("campaign"))
    if campaign_id is not None:
        campaign = access.get_or_404(access.campaigns(request.user), pk=campaign_id)
        people = workable.filter(campaign_memberships__campaign=campaign)
        return campaign, people, _("Members of %(campaign)s") % {"campaign": campaign}
    filterset = PersonFilter(request.GET, queryset=workable, user=request.user)
    return None, filterset.qs, _("People as filtered")


@login_required
def mailing_create(request: HttpRequest) -> HttpResponse:
    campaign, people, audience = _audience(request)
    templates = access.email_templates(request.user)
    template = bounds.chosen(request, "template", templates)
    initial = {"subject": template.subject, "body": template.body} if template else {}
    form = MailingForm(request.POST or None, initial=initial, user=request.user, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            mailing = mailings.mailing_start(
                by=request.user,
                people=people,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                audience=audience,
                base_url=request.build_absolute_uri("/"),
                campaign=campaign or form.cleaned_data.get("campaign"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(mailing)
    numbers = (
        people.order_by()
        .annotate(may_write=consent.latest(consent.Channel.EMAIL, consent.Purpose.MARKETING))
        .aggregate(
            total=Count("pk", distinct=True),
            unsubscribed=Count("pk", distinct=True, filter=Q(unsubscribed_at__isnull=False)),
            no_address=Count("pk", distinct=True, filter=Q(unsubscribed_at=None, email="")),
            no_consent=Count(
                "pk", distinct=True, filter=Q(unsubscribed_at=None, may_write=False) & ~Q(email="")
            ),
        )
    )
    return render(
        request,
        "campaigns/mailing_form.html",
        {
            "form": form,
            "campaign": campaign,
            "audience": audience,
            "numbers": numbers,
            "templates": templates.order_by("name", "pk"),
            "template": template,
            "placeholders": placeholders.PLACEHOLDERS,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def mailing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mailing = access.get_or_404(access.mailings(request.user).select_related("campaign", "created_by"), pk=pk)
    recipients = mailing.recipients.select_related("person", "email").order_by("id")
    context = {
        "mailing": mailing,
        "counts": mailings.counts(mailing),
        "page": paginate(request, recipients, per_page=50, count=mailing.total),
    }
    template = "campaigns/mailing.html#status" if request.htmx else "campaigns/mailing.html"
    return render(request, template, context)


@login_required
def mailing_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, access.mailings(request.user).select_related("campaign", "created_by"))
    return render(request, "campaigns/mailings.html", {"page": page})


@csrf_exempt  # the one-click unsubscribe of mail clients posts without a session (RFC 8058)
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every campaign email: a page with one button, and the one-click POST."""
    person = mailings.person_for_token(token)
    done = False
    if person is not None and request.method == "POST":
        people_services.person_unsubscribe(person=person)
        done = True
    status = 404 if person is None else 200
    return render(request, "campaigns/unsubscribe.html", {"person": person, "done": done}, status=status)
