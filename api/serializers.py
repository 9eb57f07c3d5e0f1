"""What the API answers with. Writes go through the pages' forms and services
(api.views), so every rule is the same; these only describe records."""

from __future__ import annotations

from rest_framework import serializers

from companies.models import Company
from crm.models import Activity
from opportunities.models import Opportunity
from people.models import Person, Tag


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "color"]


class PersonSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(read_only=True)
    tags = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:person-detail")

    class Meta:
        model = Person
        fields = [
            "id",
            "url",
            "first_name",
            "last_name",
            "email",
            "phone",
            "mobile",
            "city",
            "country",
            "source",
            "stage",
            "owner",
            "notes",
            "tags",
            "custom",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CompanySerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:company-detail")

    class Meta:
        model = Company
        fields = [
            "id",
            "url",
            "name",
            "tax_id",
            "country",
            "address",
            "city",
            "phone",
            "website",
            "industry",
            "owner",
            "notes",
            "custom",
            "created_at",
            "updated_at",
        ]
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
            "done_at",
            "created_at",
        ]
        read_only_fields = fields
