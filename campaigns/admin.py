from django.contrib import admin

from campaigns.models import Campaign, CampaignMember


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "product_name", "price", "currency", "starts_on", "ends_on", "owner"]
    search_fields = ["name", "product_name"]
    raw_id_fields = ["owner"]
    list_select_related = ["owner"]


@admin.register(CampaignMember)
class CampaignMemberAdmin(admin.ModelAdmin):
    list_display = ["person", "campaign", "status", "agent", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["person", "campaign", "agent"]
    list_select_related = ["person", "campaign", "agent"]
    show_full_result_count = False
