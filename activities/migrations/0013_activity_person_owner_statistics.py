"""The planner told that an activity's owner follows from its person.

The activities of a person are nearly all by the person's owner, but PostgreSQL takes
``person_id = x AND owner_id = y`` for independent conditions and expects 1/30 of the
person's activities: a person's timeline then ANDed the person's index with the whole
owner's (100,000 entries, 22 ms at 3 M activities) instead of walking the person's index in
order and stopping at the page's 51 (0.3 ms). Extended statistics on the two columns (their
functional dependency) correct the estimate; ANALYZE fills them.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("activities", "0012_agenda_long_index")]

    operations = [
        migrations.RunSQL(
            "CREATE STATISTICS IF NOT EXISTS crm_activity_person_owner_stx (dependencies)"
            " ON person_id, owner_id FROM crm_activity",
            "DROP STATISTICS IF EXISTS crm_activity_person_owner_stx",
        )
    ]
