from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from crm import access, search, services
from crm import home as my_day
from crm.clientip import client_ip
from crm.filters import UserFilter
from crm.forms import LanguageForm, UserCreateForm, UserEditForm, UserPasswordForm
from crm.navigation import visible_items
from crm.pagination import paginate
from crm.redirects import safe_next

MY_DAY_LENGTH = 15


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My day: my overdue and today's reminders first, then the modules."""
    shortcuts = [item for item in visible_items(request.user) if item.url_name != "crm:home"]
    end_of_today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    due = (
        access.my_reminders(request.user)
        .filter(due_at__lt=end_of_today)
        .select_related("person", "company")
        .order_by("due_at", "id")[:MY_DAY_LENGTH]
    )
    return render(
        request,
        "crm/home.html",
        {"shortcuts": shortcuts, "due": due, "now": timezone.now(), "sections": my_day.sections(request)},
    )


@login_required
@require_GET
def global_search(request: HttpRequest) -> HttpResponse:
    """The top bar's box: people, companies, opportunities, campaigns and orders
    at once. As you type (htmx) a few of each; the page, more."""
    term = " ".join(request.GET.get("q", "").split())[: search.MAX_LENGTH]
    dropdown = request.htmx and request.headers.get("HX-Target") == "global-search-results"
    context = {
        "term": term,
        "groups": search.search(request.user, term, limit=5 if dropdown else 20),
        "searched": len(term) >= search.MIN_LENGTH,
    }
    template = "crm/search.html#results" if request.htmx else "crm/search.html"
    return render(request, template, context)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unreachable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the user when signed in."""
    form = LanguageForm(request.POST)
    response = HttpResponseRedirect(safe_next(request) or "/")
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite="Lax",
        )
    return response


@access.admin_required
def user_list(request: HttpRequest) -> HttpResponse:
    filterset = UserFilter(request.GET, queryset=access.users(request.user).order_by("name", "id"))
    page = paginate(request, filterset.qs)
    template = "crm/users/list.html#rows" if request.htmx else "crm/users/list.html"
    return render(request, template, {"filter": filterset, "page": page})


@access.admin_required
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.user_create(
            username=data["username"],
            name=data["name"],
            email=data["email"],
            role=data["role"],
            language=data["language"],
            country=data["country"],
            password=data["password1"],
        )
        services.user_set_data_permissions(
            user=user, can_import=data["can_import"], can_export=data["can_export"]
        )
        messages.success(request, _("User %(name)s created.") % {"name": user})
        return redirect("crm:users")
    return render(request, "crm/users/form.html", {"form": form, "title": _("New user")})


@access.admin_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.get_or_404(access.users(request.user), pk=pk)
    can_import, can_export = services.user_data_permissions(user)
    form = UserEditForm(
        request.POST or None, instance=user, initial={"can_import": can_import, "can_export": can_export}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The form changed the instance in place; reload it for the service.
            services.user_update(
                user=access.get_or_404(access.users(request.user), pk=pk),
                by=request.user,
                name=data["name"],
                email=data["email"],
                role=data["role"],
                language=data["language"],
                country=data["country"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            services.user_set_data_permissions(
                user=user, can_import=data["can_import"], can_export=data["can_export"]
            )
            messages.success(request, _("User %(name)s saved.") % {"name": data["name"]})
            return redirect("crm:users")
    return render(request, "crm/users/form.html", {"form": form, "title": _("Edit user"), "target": user})


@access.admin_required
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.get_or_404(access.users(request.user), pk=pk)
    form = UserPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_set_password(user=user, password=form.cleaned_data["new_password1"])
        messages.success(request, _("New password set for %(name)s.") % {"name": user})
        return redirect("crm:users")
    return render(
        request,
        "crm/users/form.html",
        {"form": form, "title": _("Set a new password"), "target": user},
    )


@access.admin_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.get_or_404(access.users(request.user), pk=pk)
    try:
        services.user_deactivate(user=user, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("User %(name)s deactivated.") % {"name": user})
    return redirect("crm:users")


@access.admin_required
@require_POST
def user_activate(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.get_or_404(access.users(request.user), pk=pk)
    services.user_activate(user=user, by=request.user)
    messages.success(request, _("User %(name)s activated.") % {"name": user})
    return redirect("crm:users")


class PasswordResetView(auth_views.PasswordResetView):
    """ "Forgot your password?", limited per email address and per client address:
    past the limit the answer is the same page, but no mail leaves."""

    html_email_template_name = None

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        keys = (
            (
                f"password-reset:email:{hashlib.sha256(email.encode()).hexdigest()}",
                settings.PASSWORD_RESET_PER_ADDRESS,
            ),
            (f"password-reset:ip:{client_ip(self.request) or '-'}", settings.PASSWORD_RESET_PER_CLIENT),
        )
        over = [_count(key) > limit for key, limit in keys]
        if any(over):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


def _count(key: str) -> int:
    """One more request counted under ``key`` for an hour (the shared cache)."""
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key)
    except ValueError:  # expired in between
        cache.set(key, 1, timeout=3600)
        return 1


# Large exports -------------------------------------------------------------------


@login_required
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A large export being written by the worker: progress, then the download."""
    job = access.get_or_404(access.export_jobs(request.user), pk=pk)
    template = "crm/export.html#status" if request.htmx else "crm/export.html"
    return render(request, template, {"job": job})


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = access.get_or_404(access.export_jobs(request.user), pk=pk)
    if not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
