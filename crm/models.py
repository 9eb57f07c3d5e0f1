from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CrmUserManager(UserManager):
    def _create_user(self, username, email, password, **extra_fields):
        # Django's manager passes is_staff/is_superuser; here both follow the role.
        is_superuser = extra_fields.pop("is_superuser", False)
        extra_fields.pop("is_staff", None)
        if is_superuser:
            extra_fields["role"] = User.Role.ADMIN
        email = self.normalize_email(email)
        user = self.model(username=username, email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields["is_superuser"] = True
        return self._create_user(username, email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        MANAGER = "manager", _("Manager")
        AGENT = "agent", _("Sales agent")

    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @/./+/-/_ only."),
        error_messages={"unique": _("A user with that username already exists.")},
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"), blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="es")
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = CrmUserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["name", "username"]
        indexes = [models.Index(fields=["name", "id"], name="crm_user_name_idx")]

    def __str__(self) -> str:
        return self.name or self.username

    # is_superuser and is_staff follow the role (the property replaces
    # PermissionsMixin's field), so there is one truth about who administers:
    # administrators use Django's admin site with every permission.
    @property
    def is_superuser(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER

    @property
    def is_agent(self) -> bool:
        return self.role == self.Role.AGENT

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.username
