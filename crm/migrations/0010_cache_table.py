"""The shared cache's table (settings.CACHES: the database cache)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS crm_cache")


class Migration(migrations.Migration):
    dependencies = [("crm", "0009_activityhistory_userhistory_activity_insert_insert_and_more")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
