from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from crm.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "name", "email", "role", "language", "is_active"]
    list_filter = ["role", "is_active", "language"]
    search_fields = ["username", "name", "email"]
    ordering = ["name", "id"]
    filter_horizontal = []
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["name", "email", "language"]}),
        (_("Access"), {"fields": ["role", "is_active", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "name", "role", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
