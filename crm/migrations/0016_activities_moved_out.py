"""Activities, categories and the digest's bookkeeping now belong to the activities app
(its 0001): crm forgets them; the tables stay, the old history triggers go."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0015_exchange_rates"),
        ("serviceorders", "0009_category_in_activities"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="activityhistory",
                    name="pgh_obj",
                ),
                migrations.RemoveField(
                    model_name="activityhistory",
                    name="campaign",
                ),
                migrations.RemoveField(
                    model_name="activityhistory",
                    name="category",
                ),
                migrations.RemoveField(
                    model_name="activityhistory",
                    name="company",
                ),
                migrations.RemoveField(
                    model_name="activityhistory",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="activityhistory",
                    name="opportunity",
                ),
                migrations.RemoveField(
                    model_name="activityhistory",
                    name="owner",
                ),
                migrations.RemoveField(
                    model_name="activityhistory",
                    name="person",
                ),
                migrations.RemoveField(
                    model_name="activityhistory",
                    name="pgh_context",
                ),
                migrations.RemoveField(
                    model_name="activityhistory",
                    name="service_order",
                ),
                migrations.RemoveField(
                    model_name="digestsent",
                    name="user",
                ),
                migrations.DeleteModel(
                    name="Activity",
                ),
                migrations.DeleteModel(
                    name="Category",
                ),
                migrations.DeleteModel(
                    name="ActivityHistory",
                ),
                migrations.DeleteModel(
                    name="DigestSent",
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [
                        "DROP TRIGGER IF EXISTS pgtrigger_insert_insert_e378c ON crm_activity; DROP FUNCTION IF EXISTS pgtrigger_insert_insert_e378c();",
                        "DROP TRIGGER IF EXISTS pgtrigger_update_update_dcadb ON crm_activity; DROP FUNCTION IF EXISTS pgtrigger_update_update_dcadb();",
                        "DROP TRIGGER IF EXISTS pgtrigger_delete_delete_af759 ON crm_activity; DROP FUNCTION IF EXISTS pgtrigger_delete_delete_af759();",
                    ],
                    migrations.RunSQL.noop,
                ),
            ],
        ),
    ]
