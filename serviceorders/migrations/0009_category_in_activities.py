"""Categories moved to the activities app (same table): only the state changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0001_initial"),
        ("serviceorders", "0008_events_share_a_base"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="serviceorder",
                    name="category",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="activities.category",
                        verbose_name="category",
                    ),
                ),
                migrations.AlterField(
                    model_name="serviceorderhistory",
                    name="category",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="activities.category",
                        verbose_name="category",
                    ),
                ),
            ],
        ),
    ]
