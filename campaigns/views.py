from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from activities import timeline
from activities.models import Activity
from campaigns import selectors, services
from campaigns.filters import CampaignFilter, MemberFilter
from campaigns.forms import (
    AssignForm,
    CampaignForm,
    ChooseCampaignForm,
    MemberAddForm,
    StatusForm,
    TagMembersForm,
)
from campaigns.models import Campaign, CampaignMember
from crm import access
from crm.exports import export_response
from crm.pagination import paginate
from people import import_views
from people.filters import PersonFilter


def _campaign_for(user, pk: int) -> Campaign:
    return access.get_or_404(access.campaigns(user).select_related("owner"), pk=pk)


def _managed_campaign(user, pk: int) -> Campaign:
    """A campaign the user may change: its owner, managers and admins; an
    agent who only works members in it may look, not change (403)."""
    campaign = _campaign_for(user, pk)
    if not access.may_change(user, campaign):
        raise PermissionDenied
    return campaign


def _member_for(user, campaign: Campaign, pk: int) -> CampaignMember:
    members = access.campaign_members(user).filter(campaign=campaign).select_related("person", "agent")
    return access.get_or_404(members, pk=pk)


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    filterset = CampaignFilter(request.GET, queryset=access.campaigns(request.user), user=request.user)
    page = paginate(request, filterset.qs.select_related("owner").order_by("-created_at", "-id"))
    counts = selectors.member_counts(campaigns=page, user=request.user)
    for campaign in page:
        campaign.member_count, campaign.converted_count = counts.get(campaign.pk, (0, 0))
    template = "campaigns/list.html#rows" if request.htmx else "campaigns/list.html"
    return render(request, template, {"filter": filterset, "page": page})


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(by=request.user, **form.campaign_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Campaign %(name)s created.") % {"name": campaign})
            return redirect(campaign)
    return render(request, "campaigns/form.html", {"form": form, "title": _("New campaign")})


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_campaign(request.user, pk)
    form = CampaignForm(request.POST or None, instance=campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form.saved_by(
            lambda: services.campaign_update(
                campaign=campaign, by=request.user, version=form.version, **form.campaign_fields()
            )
        )
        if saved:
            messages.success(request, _("Campaign %(name)s saved.") % {"name": saved})
            return redirect(saved)
    return render(
        request, "campaigns/form.html", {"form": form, "title": _("Edit campaign"), "campaign": campaign}
    )


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_for(request.user, pk)
    members = access.campaign_members(request.user).filter(campaign=campaign)
    filterset = MemberFilter(request.GET, queryset=members, user=request.user)
    funnel = selectors.funnel(campaign=campaign, user=request.user)
    # Unfiltered, the list holds every member the funnel counted: no second count.
    unfiltered = not any(value for name, value in request.GET.items() if name != "page")
    count = funnel["total"] if unfiltered else None
    page = paginate(request, filterset.qs.select_related("person", "agent"), per_page=50, count=count)
    manages = access.sees_everything(request.user) or campaign.owner_id == request.user.pk
    context = {
        "campaign": campaign,
        "filter": filterset,
        "page": page,
        "manages": manages,
        "funnel": funnel,
        "add_form": MemberAddForm(user=request.user) if manages else None,
        "tag_form": TagMembersForm(user=request.user) if manages else None,
        # Read once for the assign menu of the members table.
        "assignees": list(access.assignable_users(request.user)) if manages else [],
        "statuses": CampaignMember.Status.choices,
        "mailings": [] if request.htmx else selectors.campaign_mailings(campaign=campaign, user=request.user),
    }
    template = "campaigns/detail.html#members" if request.htmx else "campaigns/detail.html"
    return render(request, template, context)


@login_required
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_campaign(request.user, pk)
    form = MemberAddForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.member_add(campaign=campaign, person=form.cleaned_data["person"], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Added to the campaign: %(name)s.") % {"name": form.cleaned_data["person"]}
            )
    else:
        messages.error(request, _("Choose a person from the list."))
    return redirect(campaign)


@login_required
@require_POST
def members_add_tag(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_campaign(request.user, pk)
    form = TagMembersForm(request.POST, user=request.user)
    if form.is_valid():
        people = access.people(request.user).filter(tags=form.cleaned_data["tag"])
        added = services.members_add(campaign=campaign, people=people, by=request.user)
        messages.success(
            request, ngettext("%(count)s person added.", "%(count)s people added.", added) % {"count": added}
        )
    else:
        messages.error(request, _("Choose a tag."))
    return redirect(campaign)


@login_required
def members_add_people(request: HttpRequest) -> HttpResponse:
    """Add everyone the People list's filters show (the query string) to a campaign."""
    people = PersonFilter(request.GET, queryset=access.people(request.user), user=request.user).qs
    form = ChooseCampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        campaign = _managed_campaign(request.user, form.cleaned_data["campaign"].pk)
        added = services.members_add(campaign=campaign, people=people, by=request.user)
        messages.success(
            request, ngettext("%(count)s person added.", "%(count)s people added.", added) % {"count": added}
        )
        return redirect(campaign)
    count = people[:100_001].count()
    return render(
        request, "campaigns/add_people.html", {"form": form, "count": count, "query": request.GET.urlencode()}
    )


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    campaign = _managed_campaign(request.user, pk)
    member = _member_for(request.user, campaign, member_pk)
    services.member_remove(member=member, by=request.user)
    messages.success(request, _("%(name)s removed from the campaign.") % {"name": member.person})
    return redirect(campaign)


@login_required
@require_POST
def members_assign(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_campaign(request.user, pk)
    form = AssignForm(request.POST, user=request.user, campaign=campaign)
    if form.is_valid():
        count = services.members_assign(
            members=form.cleaned_data["members"], agent=form.cleaned_data["agent"], by=request.user
        )
        messages.success(
            request,
            ngettext("%(count)s member given to %(name)s.", "%(count)s members given to %(name)s.", count)
            % {"count": count, "name": form.cleaned_data["agent"]},
        )
    else:
        messages.error(request, _("Choose members and an agent."))
    return redirect(campaign)


@login_required
def member_detail(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """Working one member: contact data, status, activities within the campaign."""
    campaign = _campaign_for(request.user, pk)
    member = _member_for(request.user, campaign, member_pk)
    activities = access.activities(request.user).filter(campaign=campaign, person=member.person)
    context = {
        "campaign": campaign,
        "member": member,
        "person": member.person,
        "statuses": CampaignMember.Status.choices,
        "timeline": timeline.build(
            activities=activities,
            before=timeline.parse_before(request.GET.get("before")),
        ),
        "planned": activities.filter(done_at=None, due_at__isnull=False)
        .select_related("owner")
        .order_by("due_at")[:20],
        "activity_kinds": Activity.Kind.choices,
    }
    return render(request, "campaigns/member.html", context)


@login_required
@require_POST
def member_status(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    campaign = _campaign_for(request.user, pk)
    member = _member_for(request.user, campaign, member_pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        member = services.member_set_status(
            member=member, by=request.user, status=form.cleaned_data["status"]
        )
        messages.success(
            request,
            _("%(name)s: %(status)s.") % {"name": member.person, "status": member.get_status_display()},
        )
    else:
        messages.error(request, _("Choose a valid status."))
    return redirect(member)


@login_required
@require_GET
def member_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_for(request.user, pk)
    return export_response(request, "campaign_members", campaign=campaign.pk)


@login_required
def campaign_import(request: HttpRequest, pk: int) -> HttpResponse:
    """The people import, with every imported person added to this campaign."""
    campaign = _managed_campaign(request.user, pk)
    return import_views.import_start(request, kind="people", extra_options={"campaign": campaign.pk})
