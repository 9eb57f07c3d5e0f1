"""Sign-in with an optional code, and the page to turn two-factor sign-in on or off."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from crm import two_factor
from crm.redirects import safe_next


class SignInView(auth_views.LoginView):
    form_class = two_factor.SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.device is not None:
            otp_login(self.request, form.device)
        return response


@login_required
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    """Enrol (QR code, then a code to confirm), or confirm this session with a code."""
    user = request.user
    confirmed = next(iter(devices_for_user(user, confirmed=True)), None)
    if confirmed is not None and user.is_verified():
        return render(request, "registration/two_factor.html", {"state": "on"})
    device = confirmed or two_factor.pending_device(user)
    form = two_factor.CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        if not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            messages.success(request, _("Two-factor sign-in is on."))
        otp_login(request, device)
        return redirect(safe_next(request) or "crm:two_factor")
    context = {"state": "verify" if confirmed else "enrol", "form": form}
    if not confirmed:
        context["qr"] = mark_safe(two_factor.qr_svg(device))
        context["secret"] = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "registration/two_factor.html", context)


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    if two_factor.required_for(request.user):
        messages.error(request, _("Your role must use two-factor sign-in."))
        return redirect("crm:two_factor")
    TOTPDevice.objects.filter(user=request.user).delete()
    messages.success(request, _("Two-factor sign-in is off."))
    return redirect("crm:two_factor")
