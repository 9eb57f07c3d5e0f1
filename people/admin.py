from django.contrib import admin
from import_export.admin import ExportMixin

from people.models import ImportJob, Person, PersonEvent, Tag
from people.resources import PersonResource


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "color"]
    search_fields = ["name"]


@admin.register(Person)
class PersonAdmin(ExportMixin, admin.ModelAdmin):
    """Read and export only: people change through the CRM's pages, imports and API,
    whose services normalise them and write their timeline (an admin form or
    django-import-export's import would do neither)."""

    resource_classes = [PersonResource]
    list_display = ["__str__", "email", "phone", "stage", "owner", "created_at", "discarded_at"]
    list_filter = ["stage", "source", "country"]
    search_fields = ["first_name", "last_name", "email", "phone"]
    raw_id_fields = ["owner", "discarded_by"]
    filter_horizontal = ["tags"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["owner"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # people are discarded, never deleted


@admin.register(PersonEvent)
class PersonEventAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "old_value", "new_value", "by", "at"]
    list_filter = ["kind"]
    raw_id_fields = ["person", "by"]
    list_select_related = ["person", "by"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "kind",
        "created_by",
        "created_at",
        "status",
        "rows",
        "created",
        "errors",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["created_by"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]
