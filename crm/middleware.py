from __future__ import annotations

import time

from django.db import OperationalError
from django.http import HttpResponseBadRequest
from django.utils import timezone, translation


class TeamLocaleMiddleware:
    """Each request speaks as its user writes: the team's settings are read once (one query)
    and kept for the request (crm.team); the user's saved language wins over the browser's
    and the cookie, and with the user's country (else the team's) it makes the locale
    (``es-pe``, crm.locales) that translations, dates, numbers and money follow; the viewer's
    country reads and shows phones (crm.countries); the clock is the team's time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from crm import locales, team

        try:
            settings = team.load()
        except OperationalError:  # the database is down: the view says so (healthz answers 503)
            settings = team.defaults()
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        language = user.language if signed_in and user.language else translation.get_language()
        country = team.country_of(user if signed_in else None, settings)
        request.language = (language or "es").lower()
        # Activated, not overridden: a streamed export is written after this returns.
        translation.activate(locales.django_language(language, country))
        request.LANGUAGE_CODE = translation.get_language()
        with team.kept(settings, country):
            if (clock := team.zone(settings)) is not None:
                timezone.activate(clock)
            try:
                return self.get_response(request)
            finally:
                timezone.deactivate()


class IdleSessionMiddleware:
    """Sessions end after SESSION_COOKIE_AGE seconds without activity.

    Each request renews the expiry, but the session is written at most once a minute
    (SESSION_SAVE_EVERY_REQUEST would write it on every page view).
    """

    KEY = "_seen"
    PRECISION = 60  # seconds

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= self.PRECISION:
                session[self.KEY] = now
        return self.get_response(request)


class UserFiguresMiddleware:
    """A signed-in user's change (a request that is not a read) forgets the figures kept for
    them (crm.cache.user_figure): the page it leads to counts afresh."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                from crm.cache import forget_user_figures

                forget_user_figures([user.pk])
        return response


CODE_PENDING = "_code_pending"


def session_started(sender, request, user, **kwargs):
    """Signing in starts the idle clock (connected to user_logged_in in CrmConfig.ready),
    and whatever the way in (the CRM's sign-in, the admin site's, another), a user with
    two-factor on has the session marked as waiting for the code until it passes it."""
    from django_otp import devices_for_user

    if getattr(request, "session", None) is not None:
        request.session[IdleSessionMiddleware.KEY] = int(time.time())
        if next(iter(devices_for_user(user, confirmed=True)), None) is not None:
            request.session[CODE_PENDING] = True


class TwoFactorPolicyMiddleware:
    """A session that has not passed the code of its user's device (signed in some other
    way than with it), and with TWO_FACTOR_REQUIRED any session of an administrator or
    manager, works only once verified with a code: until then every page sends it to the
    two-factor page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.shortcuts import redirect
        from django.urls import reverse

        from crm.two_factor import required_for

        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        pending = session is not None and session.get(CODE_PENDING, False)
        if user is not None and (pending or required_for(user)) and not user.is_verified():
            allowed = {reverse("crm:two_factor"), reverse("logout"), reverse("crm:set_language")}
            if request.path not in allowed and not request.path.startswith(("/static/", "/healthz")):
                return redirect(f"{reverse('crm:two_factor')}?next={request.path}")
        return self.get_response(request)


class RejectNulBytesMiddleware:
    """A NUL byte in the path, the query string, a form or a JSON body answers 400
    before any view: PostgreSQL cannot store one in text, and no browser sends one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            return HttpResponseBadRequest(
                translation.gettext("NUL bytes are not allowed."), content_type="text/plain"
            )
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return True
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        if request.content_type == "application/json":
            body = request.body
            # Raw, or escaped as JSON writes it.
            return b"\x00" in body or b"\\u0000" in body
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return any(
                "\x00" in key or any("\x00" in value for value in values)
                for key, values in request.POST.lists()
            )
        return False
