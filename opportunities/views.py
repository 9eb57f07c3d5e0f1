from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from activities import timeline
from activities.models import Activity
from crm import access, bounds
from crm.currency import Rates
from crm.exports import export_response
from crm.pagination import paginate
from crm.redirects import back
from crm.versioning import version_of
from opportunities import board, services
from opportunities.filters import BoardFilter, OpportunityFilter
from opportunities.forms import (
    BaseCardForm,
    CommentForm,
    DeleteCardForm,
    MoveForm,
    OpportunityForm,
    PipelineForm,
    QuickCardForm,
    SaveFilterForm,
    StageForm,
    StatusForm,
)
from opportunities.models import Opportunity, OpportunityEvent, Pipeline, Stage

HISTORY_LENGTH = 200


def _pipeline_for(user, pk: int) -> Pipeline:
    return access.get_or_404(access.pipelines(user), pk=pk)


def _cards(user):
    return access.opportunities(user).select_related("pipeline", "stage", "company", "contact", "agent")


def _opportunity_for(user, pk: int) -> Opportunity:
    return access.get_or_404(_cards(user), pk=pk)


def _changeable_opportunity(user, pk: int) -> Opportunity:
    """A card ``user`` changes (its agent, managers, admins): a follower reads it (403)."""
    return access.get_for_change(user, _cards(user), pk=pk)


# Boards ------------------------------------------------------------------------


@login_required
def board_list(request: HttpRequest) -> HttpResponse:
    boards = (
        access.pipelines(request.user)
        .annotate(stage_count=Count("stages", distinct=True))
        .order_by("name", "id")
    )
    return render(request, "opportunities/boards.html", {"page": paginate(request, boards, per_page=50)})


@login_required
def board_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The kanban board: a column per stage, filters in the URL."""
    pipeline = _pipeline_for(request.user, pk)
    cards = access.opportunities(request.user).filter(pipeline=pipeline)
    board_filter = BoardFilter(request.GET, queryset=cards, user=request.user)
    rates = Rates.on_date(request.user)
    columns = board.columns(pipeline=pipeline, board_filter=board_filter, rates=rates)
    board.render_cards(
        columns, csrf_input=csrf_input(request), here=request.get_full_path(), user=request.user
    )
    for column in columns:  # the quick add at the top of each column
        column.quick = QuickCardForm(
            user=request.user,
            pipeline=pipeline,
            auto_id=f"quick-{column.stage.pk}-%s",
            initial={"stage": column.stage.pk},
        )
    context = {
        "pipeline": pipeline,
        "filter": board_filter,
        "columns": columns,
        "rates": rates,
        "saved_filters": access.saved_filters(request.user).filter(pipeline=pipeline),
        "query": request.GET.urlencode(),
    }
    template = "opportunities/board.html#columns" if request.htmx else "opportunities/board.html"
    return render(request, template, context)


@login_required
def board_cards(request: HttpRequest, pk: int, stage_pk: int) -> HttpResponse:
    """A column's next cards as it is scrolled (htmx), as the board's filters pick them, and
    the marker that asks for the ones after, if any."""
    pipeline = _pipeline_for(request.user, pk)
    stage = access.get_or_404(pipeline.stages.all(), pk=stage_pk)
    offset = bounds.record_id(request.GET.get("offset")) or 0
    cards = access.opportunities(request.user).filter(pipeline=pipeline)
    board_filter = BoardFilter(request.GET, queryset=cards, user=request.user)
    if not 0 < offset < board_filter.cards_per_column:
        return HttpResponse("")
    columns = board.columns(
        pipeline=pipeline,
        board_filter=board_filter,
        rates=Rates.on_date(request.user),
        stage=stage,
        offset=offset,
    )
    # The moved card comes back to the board itself, not to this fragment.
    query = request.GET.copy()
    query.pop("offset", None)
    here = f"{reverse('opportunities:board', args=[pipeline.pk])}?{query.urlencode()}"
    column = next(c for c in columns if c.stage.pk == stage.pk)
    board.render_cards([column], csrf_input=csrf_input(request), here=here, user=request.user)
    return HttpResponse(column.html)


@login_required
@require_POST
def quick_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A card added at the top of a board's column (title and prospect), worked by its
    author; the prospect's only company comes along. On the board (htmx) a refusal
    answers the form again with what was typed, a success reloads the board."""
    pipeline = _pipeline_for(request.user, pk)
    stage_id = request.POST.get("stage", "")
    form = QuickCardForm(
        request.POST, user=request.user, pipeline=pipeline, auto_id=f"quick-{stage_id[:12]}-%s"
    )
    if form.is_valid():
        contact = form.cleaned_data["contact"]
        companies = list(contact.memberships.values_list("company", flat=True)[:2])
        try:
            card = services.opportunity_create(
                by=request.user,
                pipeline=pipeline,
                stage=form.cleaned_data["stage"],
                subject=form.cleaned_data["subject"],
                contact=contact,
                company=access.companies(request.user).filter(pk=companies[0]).first()
                if len(companies) == 1
                else None,
                agent=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Card %(subject)s added.") % {"subject": card.subject})
            if request.htmx:
                return HttpResponse(headers={"HX-Refresh": "true"})
            return back(request, pipeline)
    if request.htmx:
        stage = form.cleaned_data.get("stage") if hasattr(form, "cleaned_data") else None
        return render(
            request,
            "opportunities/board.html#quick-add",
            {"quick": form, "stage": stage, "pipeline": pipeline},
        )
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return back(request, pipeline)


@login_required
@require_POST
def filter_save(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = _pipeline_for(request.user, pk)
    form = SaveFilterForm(request.POST)
    query = request.POST.get("query", "")
    if form.is_valid():
        services.filter_save(
            user=request.user, pipeline=pipeline, name=form.cleaned_data["name"], query=query
        )
        messages.success(request, _("Filter saved."))
    else:
        messages.error(request, _("Name the filter."))
    return redirect(f"{pipeline.get_absolute_url()}?{query}")


@login_required
@require_POST
def filter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = access.get_or_404(access.saved_filters(request.user), pk=pk)
    pipeline = saved.pipeline
    saved.delete()
    messages.success(request, _("Filter deleted."))
    return redirect(pipeline)


@login_required
def board_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Who moved what on this board."""
    pipeline = _pipeline_for(request.user, pk)
    events = (
        OpportunityEvent.objects.filter(
            opportunity__in=access.opportunities(request.user).filter(pipeline=pipeline)
        )
        .select_related("opportunity", "by")
        .order_by("-at", "-id")
    )
    return render(
        request,
        "opportunities/board_history.html",
        {"pipeline": pipeline, "page": paginate(request, events, 50)},
    )


@access.admin_required
def board_create(request: HttpRequest) -> HttpResponse:
    form = PipelineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        pipeline = services.pipeline_create(
            name=form.cleaned_data["name"],
            color=form.cleaned_data["color"],
            members=form.cleaned_data["members"],
        )
        messages.success(request, _("Board %(name)s created with its first stages.") % {"name": pipeline})
        return redirect("opportunities:board_settings", pipeline.pk)
    return render(request, "opportunities/board_form.html", {"form": form, "title": _("New board")})


@access.admin_required
def board_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """Name, color and members of a board, and its stages."""
    pipeline = _pipeline_for(request.user, pk)
    form = PipelineForm(request.POST or None, instance=pipeline)
    if request.method == "POST" and form.is_valid():
        services.pipeline_update(
            pipeline=pipeline,
            name=form.cleaned_data["name"],
            color=form.cleaned_data["color"],
            members=form.cleaned_data["members"],
        )
        messages.success(request, _("Board saved."))
        return redirect("opportunities:board_settings", pipeline.pk)
    stages = pipeline.stages.annotate(card_count=Count("opportunities")).order_by("position", "id")
    base = (
        access.base_cards(request.user)
        .filter(pipeline=pipeline)
        .select_related("updated_by")
        .prefetch_related("tags", "members")
        .first()
    )
    return render(
        request,
        "opportunities/board_settings.html",
        {"pipeline": pipeline, "form": form, "stages": stages, "stage_form": StageForm(), "base": base},
    )


@access.admin_required
def base_card_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The board's base card: what every new card starts with."""
    pipeline = _pipeline_for(request.user, pk)
    base = access.base_cards(request.user).filter(pipeline=pipeline).first()
    form = BaseCardForm(request.POST or None, instance=base, user=request.user, pipeline=pipeline)
    if request.method == "POST" and form.is_valid():
        try:
            services.base_card_save(pipeline=pipeline, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Base card saved: new cards of this board start with it."))
            return redirect("opportunities:board_settings", pipeline.pk)
    return render(request, "opportunities/base_card.html", {"pipeline": pipeline, "form": form, "base": base})


def _stage_for(user, pk: int) -> Stage:
    return access.get_or_404(
        Stage.objects.filter(pipeline__in=access.pipelines(user)).select_related("pipeline"), pk=pk
    )


@access.admin_required
@require_POST
def stage_add(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = _pipeline_for(request.user, pk)
    form = StageForm(request.POST)
    if form.is_valid():
        services.stage_add(pipeline=pipeline, **form.cleaned_data)
        messages.success(request, _("Stage added."))
    else:
        messages.error(request, _("The stage was not added: %(errors)s") % {"errors": _errors(form)})
    return redirect("opportunities:board_settings", pipeline.pk)


def _errors(form) -> str:
    return "; ".join(
        f"{form.fields[f].label if f in form.fields else ''} {' '.join(e)}".strip()
        for f, e in form.errors.items()
    )


@access.admin_required
@require_POST
def stage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stage = _stage_for(request.user, pk)
    form = StageForm(request.POST, instance=stage)
    if form.is_valid():
        services.stage_update(stage=_stage_for(request.user, pk), **form.cleaned_data)
        messages.success(request, _("Stage saved."))
    else:
        messages.error(request, _("The stage was not saved: %(errors)s") % {"errors": _errors(form)})
    return redirect("opportunities:board_settings", stage.pipeline_id)


@access.admin_required
@require_POST
def stage_move(request: HttpRequest, pk: int) -> HttpResponse:
    stage = _stage_for(request.user, pk)
    services.stage_move(stage=stage, step=-1 if request.POST.get("direction") == "left" else 1)
    return redirect("opportunities:board_settings", stage.pipeline_id)


@access.admin_required
@require_POST
def stage_delete(request: HttpRequest, pk: int) -> HttpResponse:
    stage = _stage_for(request.user, pk)
    try:
        services.stage_delete(stage=stage)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Stage deleted."))
    return redirect("opportunities:board_settings", stage.pipeline_id)


# Opportunities -------------------------------------------------------------------


@login_required
def opportunity_list(request: HttpRequest) -> HttpResponse:
    filterset = OpportunityFilter(request.GET, queryset=access.opportunities(request.user), user=request.user)
    queryset = filterset.qs.select_related("pipeline", "stage", "company", "contact", "agent")
    # An agent's thousands of cards: the page's 25 first, then their joins.
    page = paginate(request, queryset, keys_first=True)
    template = "opportunities/list.html#rows" if request.htmx else "opportunities/list.html"
    return render(request, template, {"filter": filterset, "page": page})


@login_required
def opportunity_create(request: HttpRequest) -> HttpResponse:
    boards = access.pipelines(request.user)
    pipeline = (
        boards.filter(
            pk=bounds.record_id(request.GET.get("pipeline") or request.POST.get("pipeline")) or 0
        ).first()
        or boards.first()
    )
    if pipeline is None:
        messages.error(request, _("You are not a member of any board yet. Ask an administrator."))
        return redirect("opportunities:list")
    # The board's base card fills the form; what the user leaves is what the card gets.
    initial = services.base_card_defaults(pipeline)
    initial.update(
        {
            key: bounds.record_id(request.GET.get(key))
            for key in ("company", "contact", "stage")
            if bounds.record_id(request.GET.get(key))
        }
    )
    form = OpportunityForm(request.POST or None, user=request.user, pipeline=pipeline, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = form.save_for(request.user, base_card=False)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Opportunity created."))
            return redirect(opportunity)
    return render(
        request,
        "opportunities/form.html",
        {"form": form, "pipeline": pipeline, "boards": boards, "title": _("New opportunity")},
    )


@login_required
def opportunity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _changeable_opportunity(request.user, pk)
    form = OpportunityForm(request.POST or None, instance=opportunity, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form.saved_by(lambda: form.save_for(request.user, base_card=False))
        if saved:
            messages.success(request, _("Opportunity saved."))
            return redirect(saved)
    return render(
        request,
        "opportunities/form.html",
        {
            "form": form,
            "opportunity": opportunity,
            "pipeline": opportunity.pipeline,
            "title": _("Edit opportunity"),
        },
    )


@login_required
def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # From the board (htmx, ?panel=1): the card alone, for the side panel over the board.
    panel = bool(request.htmx and request.GET.get("panel"))
    return _detail_page(request, _opportunity_for(request.user, pk), StatusForm(), panel=panel)


def _detail_page(
    request: HttpRequest,
    opportunity: Opportunity,
    status_form: StatusForm,
    *,
    panel: bool = False,
    comment_form: CommentForm | None = None,
) -> HttpResponse:
    """The card's page; ``status_form`` bound when a follow-up was refused (its panel
    opens again with what was typed and the errors), ``comment_form`` when a comment was."""
    events = opportunity.events.select_related("by").order_by("-at", "-id")[:HISTORY_LENGTH]
    activities = access.activities(request.user, followed=True).filter(opportunity=opportunity)
    context = {
        "opportunity": opportunity,
        "may_change": access.may_change(request.user, opportunity),
        "tags": list(opportunity.tags.all()),
        "members": list(opportunity.members.all()),
        "events": events,
        "history_text": "\n".join(e.as_text() for e in events),
        "timeline": timeline.build(
            activities=activities,
            before=timeline.parse_before(request.GET.get("before")),
        ),
        "planned": activities.filter(done_at=None, due_at__isnull=False)
        .select_related("owner")
        .order_by("due_at")[:20],
        "activity_kinds": Activity.Kind.choices,
        "transitions": sorted(
            services.TRANSITIONS[opportunity.status], key=list(Opportunity.Status.values).index
        ),
        "status_form": status_form,
        "comment_form": comment_form or CommentForm(),
        "stages": opportunity.pipeline.stages.order_by("position", "id"),
        "lines": list(opportunity.lines.all()),
        "products": access.products(request.user).filter(active=True).order_by("name")[:500],
        "quotes": opportunity.quotes.order_by("-number")[:20],
    }
    return render(
        request, "opportunities/detail.html#card" if panel else "opportunities/detail.html", context
    )


@login_required
@require_POST
def opportunity_status(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _changeable_opportunity(request.user, pk)
    form = StatusForm(request.POST)
    if "status" in form.errors:
        messages.error(request, _("Choose a valid status."))
        return back(request, opportunity)
    if form.is_valid():
        try:
            services.opportunity_set_status(
                opportunity=opportunity,
                by=request.user,
                version=request.POST.get("version"),
                **form.cleaned_data,
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # not about what was typed (a final card, a stale page)
                messages.error(request, " ".join(error.messages))
                return back(request, opportunity)
            form.add_error(None, error)
        else:
            messages.success(request, _("Follow-up saved."))
            return back(request, opportunity)
    # Refused: the card's page with the panel open, what was typed and the errors.
    return _detail_page(request, opportunity, form)


@login_required
@require_POST
def opportunity_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Drag and drop on the board (htmx) and the keyboard/menu alternative."""
    opportunity = _changeable_opportunity(request.user, pk)
    form = MoveForm(request.POST, user=request.user)
    error = None
    if form.is_valid():
        try:
            services.opportunity_move(
                opportunity=opportunity,
                by=request.user,
                stage=form.cleaned_data["stage"],
                position=form.cleaned_data["position"],
                version=request.POST.get("version"),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = _("This card cannot go there.")
    if request.htmx:
        if error is None:
            # The board's column headers (counts and totals under its filters) as they are now.
            opportunity.refresh_from_db(fields=["updated_at", "pipeline"])
            response = _column_heads(request, opportunity.pipeline)
            response["X-Version"] = version_of(opportunity)
            return response
        return HttpResponse(status=409, content=error)
    if error:
        messages.error(request, error)
    return back(request, opportunity)


def _column_heads(request: HttpRequest, pipeline: Pipeline) -> HttpResponse:
    """Every column header of a board, under the filters the board was shown with."""
    filters = QueryDict(request.POST.get("filters", "")[:2000])
    cards = access.opportunities(request.user).filter(pipeline=pipeline)
    board_filter = BoardFilter(filters, queryset=cards, user=request.user)
    columns = board.heads(pipeline=pipeline, board_filter=board_filter, rates=Rates.on_date(request.user))
    return render(request, "opportunities/board.html#column-heads", {"columns": columns})


@login_required
@require_POST
def opportunity_comment(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _opportunity_for(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.opportunity_comment(
                opportunity=opportunity, by=request.user, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors:
        response = _detail_page(request, opportunity, StatusForm(), comment_form=form)
        response.status_code = 400
        return response
    return back(request, opportunity)


@login_required
@require_POST
def opportunity_follow(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _opportunity_for(request.user, pk)
    follow = request.POST.get("follow") != "0"
    try:
        services.opportunity_follow(opportunity=opportunity, by=request.user, follow=follow)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("You follow this card.") if follow else _("You no longer follow this card.")
        )
    # An agent who stops following may no longer see the card.
    if access.opportunities(request.user).filter(pk=opportunity.pk).exists():
        return back(request, opportunity)
    return redirect(opportunity.pipeline)


@login_required
@require_POST
def opportunity_archive(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _changeable_opportunity(request.user, pk)
    try:
        services.opportunity_set_archived(
            opportunity=opportunity, by=request.user, archived=request.POST.get("archived") != "0"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return back(request, opportunity)


@login_required
@require_GET
def opportunity_export(request: HttpRequest) -> HttpResponse:
    return export_response(request, "opportunities")


@login_required
@require_GET
def history_export(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _opportunity_for(request.user, pk)
    return export_response(request, "opportunity_history", opportunity=opportunity.pk)


@login_required
@require_POST
def opportunity_service_order(request: HttpRequest, pk: int) -> HttpResponse:
    """One step from a won card to the client's service order."""
    opportunity = _changeable_opportunity(request.user, pk)
    try:
        order = services.opportunity_to_service_order(opportunity=opportunity, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return back(request, opportunity)
    messages.success(
        request,
        _("Service order %(order)s created for %(company)s.") % {"order": order, "company": order.company},
    )
    return redirect(order)


@access.admin_required
def opportunity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Administrators delete a card, choosing what happens to its prospect."""
    opportunity = access.get_or_404(
        access.opportunities(request.user).select_related("contact", "pipeline"), pk=pk
    )
    form = DeleteCardForm(request.POST or None, initial={"contact": "keep"})
    if request.method == "POST" and form.is_valid():
        try:
            services.opportunity_delete(
                opportunity=opportunity,
                by=request.user,
                discard_contact=form.cleaned_data["contact"] == "discard",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The card “%(subject)s” was deleted.") % {"subject": opportunity.subject}
            )
            return redirect(opportunity.pipeline)
    return render(request, "opportunities/delete.html", {"opportunity": opportunity, "form": form})
