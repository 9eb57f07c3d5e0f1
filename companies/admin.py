from django.contrib import admin

from companies.models import Company, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ["person"]
    extra = 0


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "tax_id", "country", "city", "industry", "owner"]
    list_filter = ["country"]
    search_fields = ["name", "tax_id"]
    raw_id_fields = ["owner"]
    list_select_related = ["owner"]
    inlines = [MembershipInline]
    show_full_result_count = False
