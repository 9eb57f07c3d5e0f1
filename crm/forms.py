from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from crm import access
from crm.models import User


class UserCreateForm(forms.ModelForm):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password confirmation"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["username", "name", "email", "role", "language"]

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_password2(self) -> str:
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            raise forms.ValidationError(_("The two passwords do not match."))
        return password2

    def _post_clean(self) -> None:
        super()._post_clean()
        password = self.cleaned_data.get("password2")
        if password:
            try:
                password_validation.validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("password1", error)


class UserEditForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "email", "role", "language"]

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


class UserPasswordForm(SetPasswordForm):
    """An administrator sets a new password for a user."""


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=User._meta.get_field("language").choices)
    next = forms.CharField(required=False)


class OwnerFieldMixin:
    """For a ModelForm with an ``owner`` field: managers and admins pick any
    active user, agents get no choice (they own what they create)."""

    def _setup_owner(self, user: User) -> None:
        self.user = user
        if not access.sees_everything(user):
            del self.fields["owner"]
            return
        field = self.fields["owner"]
        field.queryset = access.assignable_users(user)
        field.initial = user.pk
        field.required = False

    def clean_owner(self) -> User:
        return self.cleaned_data.get("owner") or self.user

    def owned_fields(self) -> dict:
        """The cleaned values with the owner always set."""
        data = dict(self.cleaned_data)
        data.setdefault("owner", self.user)
        return data
