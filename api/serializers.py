"""What the API answers with. Writes go through the pages' forms and services
(api.views), so every rule is the same; these only describe records."""

from __future__ import annotations

from rest_framework import serializers

from activities.models import Activity
from campaigns.models import Campaign, CampaignMember
from campaigns.services import CAMPAIGN_FIELDS
from companies.models import Company, Membership
from companies.services import COMPANY_FIELDS
from crm.models import Erasure
from opportunities.models import Opportunity
from people.models import Person, Tag
from people.services import EDITABLE_FIELDS
from serviceorders.models import ServiceEntry, ServiceOrder


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "color"]


class PersonSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(read_only=True)
    tags = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:person-detail")
    key = serializers.CharField(
        source="catalog_key", read_only=True, help_text="The contacts catalog key, C-000123."
    )

    class Meta:
        model = Person
        fields = ["id", "key", "url", *EDITABLE_FIELDS, "stage", "tags", "custom", "created_at", "updated_at"]
        read_only_fields = fields


class CompanySerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:company-detail")
    key = serializers.CharField(
        source="catalog_key", read_only=True, help_text="The companies catalog key, E-000045."
    )

    class Meta:
        model = Company
        fields = ["id", "key", "url", *COMPANY_FIELDS, "custom", "created_at", "updated_at"]
        read_only_fields = fields


class OpportunitySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:opportunity-detail")
    tags = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "url",
            "pipeline",
            "stage",
            "subject",
            "company",
            "contact",
            "type",
            "agent",
            "members",
            "amount",
            "currency",
            "expected_close_on",
            "status",
            "next_contact_on",
            "invoice_number",
            "source",
            "observations",
            "archived",
            "tags",
            "custom",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ActivitySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:activity-detail")

    class Meta:
        model = Activity
        fields = [
            "id",
            "url",
            "kind",
            "subject",
            "detail",
            "category",
            "person",
            "company",
            "campaign",
            "opportunity",
            "service_order",
            "owner",
            "due_at",
            "duration",
            "done_at",
            "created_at",
        ]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "person", "company", "area", "position"]
        read_only_fields = fields


class CampaignSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:campaign-detail")

    class Meta:
        model = Campaign
        fields = ["id", "url", *CAMPAIGN_FIELDS, "created_at"]
        read_only_fields = fields


class CampaignMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = CampaignMember
        fields = ["id", "campaign", "person", "status", "agent"]
        read_only_fields = fields


class ServiceEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceEntry
        fields = ["id", "detail", "finished", "author", "created_at"]
        read_only_fields = fields


class ServiceOrderSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:order-detail", lookup_field="number")
    entries = ServiceEntrySerializer(many=True, read_only=True)

    class Meta:
        model = ServiceOrder
        fields = [
            "number",
            "url",
            "project",
            "company",
            "contact",
            "priority",
            "status",
            "assignee",
            "appointment_at",
            "detail",
            "equipment_received",
            "rating",
            "opportunity",
            "entries",
            "created_at",
        ]
        read_only_fields = fields


class ErasureSerializer(serializers.ModelSerializer):
    """An erasure: the person's number and when (nothing else of them is left)."""

    person = serializers.IntegerField(source="person_number", read_only=True)

    class Meta:
        model = Erasure
        fields = ["person", "at", "reason"]
