"""Time-based one-time passwords (django-otp's TOTP): enrol with a QR code, sign in with a code.

Any user may turn it on; with TWO_FACTOR_REQUIRED=1 administrators and managers must
(`TwoFactorPolicyMiddleware` sends them here until their session is verified).
"""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

CODE_ATTRS = {"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*", "maxlength": "8"}


class SignInForm(AuthenticationForm):
    """Username, password and, for users with two-factor on, the code of their app.

    The code field is always shown and every failure reads the same, so the form does not
    tell whether a user exists or uses two-factor."""

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("Only if you turned on two-factor sign-in."),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs=CODE_ATTRS),
    )
    device = None

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        devices = list(devices_for_user(user, confirmed=True)) if user else []
        if devices:
            token = (cleaned.get("otp_token") or "").replace(" ", "")
            self.device = next((d for d in devices if token and d.verify_token(token)), None)
            if self.device is None:
                raise ValidationError(_("Enter a correct username, password and code."), code="invalid_login")
        return cleaned


class CodeForm(forms.Form):
    token = forms.CharField(label=_("Code"), max_length=8, widget=forms.TextInput(attrs=CODE_ATTRS))

    def __init__(self, *args, device: TOTPDevice, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not self.device.verify_token(token):
            raise ValidationError(_("That code is not right. Check the time on your phone and try again."))
        return token


def pending_device(user) -> TOTPDevice:
    """The user's unconfirmed device for enrolment (made once, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="CRM", confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code as SVG markup (paths only: no text from the user in it)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    markup = buffer.getvalue().decode()
    return markup[markup.index("<svg") :]  # without the XML declaration, for inline HTML


def required_for(user) -> bool:
    from django.conf import settings

    return bool(settings.TWO_FACTOR_REQUIRED) and user.is_authenticated and user.role in ("admin", "manager")
