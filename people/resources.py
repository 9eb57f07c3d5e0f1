"""django-import-export resources: the admin's export of people
and the baseline the import benchmark compares our fast import against."""

from __future__ import annotations

from import_export import fields, resources, widgets

from people.models import Person, Tag


class PersonResource(resources.ModelResource):
    tags = fields.Field(
        attribute="tags",
        column_name="tags",
        widget=widgets.ManyToManyWidget(Tag, field="name", separator=","),
    )

    class Meta:
        model = Person
        fields = (
            "id",
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
            "tags",
            "notes",
        )
        import_id_fields = ("email",)
        skip_unchanged = True
        report_skipped = True

    def get_instance(self, instance_loader, row):
        # Case-insensitive, through the people_email_ci_idx index.
        email = (row.get("email") or "").strip()
        return Person.objects.filter(email__iexact=email).first() if email else None
