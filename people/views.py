from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from activities import timeline, whatsapp
from activities.models import Activity
from crm import access, bounds, consent
from crm.exports import export_response
from crm.pagination import KeysetPaginator, keyset_paginate, paginate
from crm.widgets import Autocomplete
from people import services
from people.filters import PersonFilter, describe_queries, search_people
from people.forms import (
    ConsentForm,
    DiscardForm,
    PersonForm,
    SavedListForm,
    StageForm,
    TagChoiceForm,
    TagForm,
)
from people.models import Person, PersonEvent, SavedList, Tag


def _list_queryset(queryset):
    """What a people list shows per row, in a fixed number of queries."""
    return queryset.select_related("owner").prefetch_related("tags", "memberships__company")


def _person_for(user, pk: int) -> Person:
    return access.get_or_404(access.people(user).select_related("owner"), pk=pk)


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    filterset = PersonFilter(request.GET, queryset=access.people(request.user), user=request.user)
    # The list without its text search, and the search apart (KeysetPaginator's narrow).
    unsearched, narrow = filterset.search_apart()
    if request.htmx and request.GET.get("count"):
        # The number of results, asked for by the page once it is shown (counting
        # a search over a million people costs more than showing its first page).
        paginator = KeysetPaginator(unsearched, narrow=narrow)
        return render(request, "partials/result_count.html", {"page": {"paginator": paginator}})
    # Keyset pages: the 10,000th page of a million people is as fast as the first.
    page = keyset_paginate(request, _list_queryset(unsearched), narrow=narrow)
    template = "people/list.html#rows" if request.htmx else "people/list.html"
    return render(request, template, {"filter": filterset, "page": page})


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None, user=request.user)
    duplicates = None
    if request.method == "POST" and form.is_valid():
        duplicates = form.duplicates(request.user)
        if duplicates is None:
            person = form.save_for(request.user)
            messages.success(request, _("Person added: %(name)s.") % {"name": person})
            return redirect(person)
    return render(
        request,
        "people/form.html",
        {"form": form, "duplicates": duplicates, "title": _("New person")},
    )


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_for(request.user, pk)
    form = PersonForm(request.POST or None, instance=person, user=request.user)
    duplicates = None
    if request.method == "POST" and form.is_valid():
        duplicates = form.duplicates(request.user, exclude_pk=person.pk)
        if duplicates is None:
            saved = form.saved_by(lambda: form.save_for(request.user, person))
            if saved:
                messages.success(request, _("%(name)s saved.") % {"name": saved})
                return redirect(saved)
    return render(
        request,
        "people/form.html",
        {"form": form, "duplicates": duplicates, "title": _("Edit person"), "person": person},
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_for(request.user, pk)
    tags = list(person.tags.all())
    context = {
        "person": person,
        "whatsapp_business": whatsapp.enabled(),
        "tags": tags,
        "available_tags": access.tags(request.user).exclude(pk__in=[t.pk for t in tags]),
        "memberships": person.memberships.select_related("company").order_by("company__name"),
        "consents": consent.state(person),
        "consent_form": ConsentForm(),
        "timeline": timeline.build(
            activities=access.activities(request.user).filter(person=person),
            events=PersonEvent.objects.filter(person=person).select_related("by"),
            before=timeline.parse_before(request.GET.get("before")),
        ),
        "planned": access.reminders(request.user)
        .filter(person=person)
        .select_related("owner")
        .order_by("due_at")[:20],
        "activity_kinds": Activity.Kind.choices,
        "opportunities": access.opportunities(request.user)
        .filter(contact=person)
        .select_related("pipeline", "stage")
        .order_by("-created_at", "-id")[:10],
        "company_picker": Autocomplete(
            "companies:autocomplete", placeholder=_("Type a company name or tax id")
        ).render("company", None, {"id": "id_company"}),
    }
    return render(request, "people/detail.html", context)


@login_required
def person_consents(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the person's consents and lawful bases, all of their history; POST: record one
    (given or withdrawn) for the channels chosen."""
    person = _person_for(request.user, pk)
    form = ConsentForm(request.POST or None)
    if request.method == "POST":
        if not access.may_change(request.user, person):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            consent.record(
                people=[person.pk],
                channels=data["channels"],
                purposes=[data["purpose"]],
                given=data["given"] == "given",
                basis=data["basis"],
                source=consent.Source.AGENT,
                text=data["note"],
                by=request.user,
            )
            messages.success(request, _("Consent recorded."))
            return redirect(person)
        # Refused: the form again on the history page, its errors next to the fields.
    history = paginate(request, person.consents.select_related("by").order_by("-at", "-id"))
    return render(request, "people/consents.html", {"person": person, "page": history, "form": form})


@login_required
@require_POST
def person_stage(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_for(request.user, pk)
    form = StageForm(request.POST)
    if form.is_valid():
        person = services.person_set_stage(person=person, by=request.user, stage=form.cleaned_data["stage"])
        messages.success(
            request,
            _("%(name)s is now %(stage)s.") % {"name": person, "stage": person.get_stage_display()},
        )
    else:
        messages.error(request, _("Choose a valid stage."))
    return redirect(person)


@login_required
def person_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: confirm with an optional reason; POST: discard (never deletes)."""
    person = _person_for(request.user, pk)
    form = DiscardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.person_discard(person=person, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("%(name)s was moved to Discarded.") % {"name": person})
        return redirect("people:list")
    return render(request, "people/discard.html", {"person": person, "form": form})


@access.admin_required
def discarded_list(request: HttpRequest) -> HttpResponse:
    # Who wrote again (a web form) since being discarded: offered back first.
    wrote_again = PersonEvent.objects.filter(
        person=OuterRef("pk"), kind=PersonEvent.Kind.WROTE_AGAIN, at__gt=OuterRef("discarded_at")
    ).order_by("-at")
    queryset = (
        access.discarded_people(request.user)
        .select_related("owner", "discarded_by")
        .annotate(wrote_again_at=Subquery(wrote_again.values("at")[:1]))
    )
    term = request.GET.get("q", "")
    queryset = search_people(queryset, term).order_by("-discarded_at", "-id")
    page = paginate(request, queryset)
    template = "people/discarded.html#rows" if request.htmx else "people/discarded.html"
    return render(request, template, {"page": page, "q": term})


@login_required
@require_POST
def person_restore(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.get_or_404(access.discarded_people(request.user), pk=pk)
    services.person_restore(person=person, by=request.user)
    messages.success(request, _("%(name)s is back in People.") % {"name": person})
    return redirect("people:discarded")


def _tags_fragment(request: HttpRequest, person: Person) -> HttpResponse:
    tags = list(person.tags.all())
    return render(
        request,
        "people/detail.html#tags",
        {
            "person": person,
            "tags": tags,
            "available_tags": access.tags(request.user).exclude(pk__in=[t.pk for t in tags]),
        },
    )


@login_required
@require_POST
def person_tag_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_for(request.user, pk)
    form = TagChoiceForm(request.POST, user=request.user)
    if form.is_valid():
        services.person_add_tag(person=person, by=request.user, tag=form.cleaned_data["tag"])
    elif not request.htmx:
        messages.error(request, _("Choose a tag."))
    return _tags_fragment(request, person) if request.htmx else redirect(person)


@login_required
@require_POST
def person_tag_remove(request: HttpRequest, pk: int, tag_pk: int) -> HttpResponse:
    person = _person_for(request.user, pk)
    tag = access.get_or_404(access.tags(request.user), pk=tag_pk)
    services.person_remove_tag(person=person, by=request.user, tag=tag)
    return _tags_fragment(request, person) if request.htmx else redirect(person)


@login_required
@require_GET
def person_autocomplete(request: HttpRequest) -> HttpResponse:
    """People matching ``term``; with ``company`` (the form's chosen client), only its people,
    listed even before typing. A person of one company fills the form's empty client."""
    term = request.GET.get("term", "").strip()
    company = bounds.record_id(request.GET.get("company"))
    people = access.people(request.user)
    if company:
        people = people.filter(memberships__company_id=company)
    results = []
    if term or company:
        found = search_people(people, term) if term else people
        results = list(found.order_by("-created_at", "-id").prefetch_related("memberships__company")[:10])
        for person in results:
            person.autocomplete_hint = person.email or person.phone_display
            companies = [m.company for m in person.memberships.all()]
            if len(companies) == 1:
                person.autocomplete_fill = json.dumps(
                    {"company": [str(companies[0].pk), str(companies[0])]}, ensure_ascii=False
                )
    return render(request, "widgets/autocomplete_results.html", {"results": results, "term": term})


# Tags ----------------------------------------------------------------------


@login_required
def tag_list(request: HttpRequest) -> HttpResponse:
    visible = Q(people__in=access.people(request.user))
    queryset = access.tags(request.user).annotate(person_count=Count("people", filter=visible))
    term = request.GET.get("q", "").strip()
    if term:
        queryset = queryset.filter(name__icontains=term)
    page = paginate(request, queryset.order_by("name", "id"), per_page=50)
    return render(
        request,
        "people/tags/list.html",
        {"page": page, "q": term, "form": TagForm() if access.is_admin(request.user) else None},
    )


@access.admin_required
def tag_create(request: HttpRequest) -> HttpResponse:
    form = TagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tag = services.tag_create(name=form.cleaned_data["name"], color=form.cleaned_data["color"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Tag %(name)s created.") % {"name": tag})
            return redirect("people:tags")
    return render(request, "people/tags/form.html", {"form": form, "title": _("New tag")})


@access.admin_required
def tag_edit(request: HttpRequest, pk: int) -> HttpResponse:
    tag = access.get_or_404(access.tags(request.user), pk=pk)
    form = TagForm(request.POST or None, instance=tag)
    if request.method == "POST" and form.is_valid():
        try:
            services.tag_update(
                tag=access.get_or_404(access.tags(request.user), pk=pk),
                name=form.cleaned_data["name"],
                color=form.cleaned_data["color"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Tag saved."))
            return redirect("people:tags")
    return render(request, "people/tags/form.html", {"form": form, "title": _("Edit tag"), "tag": tag})


@access.admin_required
def tag_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: confirm, saying how many people wear the tag; POST: delete it."""
    tag = access.get_or_404(access.tags(request.user), pk=pk)
    if request.method == "POST":
        count = services.tag_delete(tag=tag, by=request.user)
        messages.success(
            request,
            ngettext(
                "Tag %(name)s deleted; %(count)s person had it.",
                "Tag %(name)s deleted; %(count)s people had it.",
                count,
            )
            % {"name": tag, "count": count},
        )
        return redirect("people:tags")
    in_use = tag.people.filter(discarded_at=None).count()
    return render(request, "people/tags/delete.html", {"tag": tag, "in_use": in_use})


def _tag_people(user, tag: Tag):
    return access.people(user).filter(tags=tag)


@login_required
def tag_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tag = access.get_or_404(access.tags(request.user), pk=pk)
    queryset = (
        _tag_people(request.user, tag).select_related("owner").order_by("last_name", "first_name", "id")
    )
    return render(request, "people/tags/detail.html", {"tag": tag, "page": paginate(request, queryset)})


@login_required
@require_GET
def tag_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The people of a tag as CSV or XLSX, for a mass-mailing tool."""
    tag = access.get_or_404(access.tags(request.user), pk=pk)
    return export_response(request, "tag", tag=tag.pk)


@login_required
@require_GET
def person_export(request: HttpRequest) -> HttpResponse:
    """People as the list's filters show them."""
    return export_response(request, "people")


@access.admin_required
@require_GET
def discarded_export(request: HttpRequest) -> HttpResponse:
    return export_response(request, "discarded")


# Lists (saved People filters) ------------------------------------------------


@login_required
def list_index(request: HttpRequest) -> HttpResponse:
    lists = access.saved_lists(request.user).order_by("name", "id")
    page = paginate(request, lists, per_page=50)
    page.object_list = list(page.object_list)
    for saved, described in zip(
        page.object_list, describe_queries([s.query for s in page.object_list], request.user), strict=True
    ):
        saved.described = described
    return render(request, "people/lists.html", {"page": page})


@login_required
@require_POST
def list_save(request: HttpRequest) -> HttpResponse:
    form = SavedListForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Name the list."))
        return redirect("people:list")
    name, query = form.cleaned_data["name"], form.cleaned_data["query"]
    SavedList.objects.update_or_create(user=request.user, name=name, defaults={"query": query})
    messages.success(request, _("List %(name)s saved.") % {"name": name})
    return redirect(f"{reverse('people:list')}?{query}")


@login_required
@require_POST
def list_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = access.get_or_404(access.saved_lists(request.user), pk=pk)
    saved.delete()
    messages.success(request, _("List deleted."))
    return redirect("people:lists")
