"""Activities, categories and the digest's bookkeeping move from ``crm`` to their own app.

The tables stay where they are (``crm_activity``, ``crm_category``, ``crm_activityhistory``,
``crm_digestsent``): only Django's state moves, plus the history triggers (pgtrigger names
them after the app: crm's 0016 drops the old ones) and the content types (so permissions
and groups keep working), and the planned digest task's path."""

import django.db.models.deletion
import django.db.models.functions.text
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


MOVED = ("activity", "activityhistory", "category", "digestsent")
DIGEST = ("crm.tasks.send_reminder_digest", "activities.tasks.send_reminder_digest")


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="crm", model__in=MOVED).update(app_label="activities")
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.filter(task_path=DIGEST[0]).update(task_path=DIGEST[1])


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="activities", model__in=MOVED).update(app_label="crm")
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.filter(task_path=DIGEST[1]).update(task_path=DIGEST[0])


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('campaigns', '0005_search'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('crm', '0015_exchange_rates'),
        ('django_tasks_database', '0021_conditional_partial_index_ordering'),
        ('companies', '0009_list_order'),
        ('opportunities', '0009_board_columns'),
        ('people', '0008_events_share_a_base'),
        ('pghistory', '0007_auto_20250421_0444'),
        ('serviceorders', '0008_events_share_a_base'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Activity',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('call', 'Call'), ('email', 'Email'), ('visit', 'Visit'), ('meeting', 'Meeting'), ('note', 'Note'), ('task', 'Task'), ('whatsapp', 'WhatsApp')], default='call', max_length=10, verbose_name='kind')),
                        ('subject', models.CharField(max_length=200, verbose_name='subject')),
                        ('detail', models.TextField(blank=True, verbose_name='detail')),
                        ('due_at', models.DateTimeField(blank=True, null=True, verbose_name='due')),
                        ('done_at', models.DateTimeField(blank=True, null=True, verbose_name='done')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('campaign', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='activities', to='campaigns.campaign', verbose_name='campaign')),
                        ('company', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='activities', to='companies.company', verbose_name='company')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                        ('opportunity', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='activities', to='opportunities.opportunity', verbose_name='opportunity')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='activities', to=settings.AUTH_USER_MODEL, verbose_name='owner')),
                        ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='activities', to='people.person', verbose_name='person')),
                        ('service_order', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='activities', to='serviceorders.serviceorder', verbose_name='service order')),
                    ],
                    options={
                        'verbose_name': 'activity',
                        'verbose_name_plural': 'activities',
                        'db_table': 'crm_activity',
                        'ordering': ['-created_at', '-id'],
                        'permissions': [('export_activity', 'Can export activities')],
                    },
                ),
                migrations.CreateModel(
                    name='Category',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=80, verbose_name='name')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                    ],
                    options={
                        'verbose_name': 'category',
                        'verbose_name_plural': 'categories',
                        'db_table': 'crm_category',
                        'ordering': ['name'],
                        'constraints': [models.UniqueConstraint(django.db.models.functions.text.Lower('name'), name='crm_category_name_ci_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='ActivityHistory',
                    fields=[
                        ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                        ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                        ('pgh_label', models.TextField(help_text='The event label.')),
                        ('id', models.BigIntegerField()),
                        ('kind', models.CharField(choices=[('call', 'Call'), ('email', 'Email'), ('visit', 'Visit'), ('meeting', 'Meeting'), ('note', 'Note'), ('task', 'Task'), ('whatsapp', 'WhatsApp')], default='call', max_length=10, verbose_name='kind')),
                        ('subject', models.CharField(max_length=200, verbose_name='subject')),
                        ('detail', models.TextField(blank=True, verbose_name='detail')),
                        ('due_at', models.DateTimeField(blank=True, null=True, verbose_name='due')),
                        ('done_at', models.DateTimeField(blank=True, null=True, verbose_name='done')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('campaign', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='campaigns.campaign', verbose_name='campaign')),
                        ('company', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='companies.company', verbose_name='company')),
                        ('created_by', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                        ('opportunity', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='opportunities.opportunity', verbose_name='opportunity')),
                        ('owner', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL, verbose_name='owner')),
                        ('person', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='people.person', verbose_name='person')),
                        ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                        ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='history', related_query_name='history', to='activities.activity')),
                        ('service_order', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='serviceorders.serviceorder', verbose_name='service order')),
                        ('category', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='activities.category', verbose_name='category')),
                    ],
                    options={
                        'db_table': 'crm_activityhistory',
                        'abstract': False,
                    },
                ),
                migrations.AddField(
                    model_name='activity',
                    name='category',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='activities.category', verbose_name='category'),
                ),
                migrations.CreateModel(
                    name='DigestSent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField()),
                        ('reminders', models.PositiveIntegerField(default=0)),
                        ('sent_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'crm_digestsent',
                    },
                ),
                migrations.AddIndex(
                    model_name='activity',
                    index=models.Index(condition=models.Q(('done_at', None), ('due_at__isnull', False)), fields=['owner', 'due_at', 'id'], name='crm_reminder_owner_due_idx'),
                ),
                migrations.AddIndex(
                    model_name='activity',
                    index=models.Index(condition=models.Q(('done_at', None), ('due_at__isnull', False)), fields=['due_at', 'id'], name='crm_reminder_due_idx'),
                ),
                migrations.AddIndex(
                    model_name='activity',
                    index=models.Index(fields=['owner', '-created_at', '-id'], name='crm_activity_owner_idx'),
                ),
                migrations.AddIndex(
                    model_name='activity',
                    index=models.Index(fields=['person', '-done_at', '-id'], name='crm_activity_person_idx'),
                ),
                migrations.AddIndex(
                    model_name='activity',
                    index=models.Index(fields=['company', '-done_at', '-id'], name='crm_activity_company_idx'),
                ),
                migrations.AddIndex(
                    model_name='activity',
                    index=models.Index(fields=['campaign', 'person', '-done_at'], name='crm_activity_campaign_idx'),
                ),
                migrations.AddIndex(
                    model_name='activity',
                    index=models.Index(fields=['opportunity', '-done_at'], name='crm_activity_opportunity_idx'),
                ),
                migrations.AddIndex(
                    model_name='activity',
                    index=models.Index(fields=['service_order', '-done_at'], name='crm_activity_order_idx'),
                ),
                migrations.AddConstraint(
                    model_name='activity',
                    constraint=models.CheckConstraint(condition=models.Q(('person__isnull', False), ('company__isnull', False), _connector='OR'), name='crm_activity_person_or_company', violation_error_message='An activity belongs to a person or a company.'),
                ),
                migrations.AddConstraint(
                    model_name='digestsent',
                    constraint=models.UniqueConstraint(fields=('user', 'day'), name='crm_digest_once_a_day'),
                ),
            ],
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='activity',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "crm_activityhistory" ("campaign_id", "category_id", "company_id", "created_at", "created_by_id", "detail", "done_at", "due_at", "id", "kind", "opportunity_id", "owner_id", "person_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "service_order_id", "subject", "updated_at") VALUES (NEW."campaign_id", NEW."category_id", NEW."company_id", NEW."created_at", NEW."created_by_id", NEW."detail", NEW."done_at", NEW."due_at", NEW."id", NEW."kind", NEW."opportunity_id", NEW."owner_id", NEW."person_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."service_order_id", NEW."subject", NEW."updated_at"); RETURN NULL;', hash='aaf6876c9545d9adda300a7cc45c8cd024b12ebd', operation='INSERT', pgid='pgtrigger_insert_insert_6de9c', table='crm_activity', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='activity',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "crm_activityhistory" ("campaign_id", "category_id", "company_id", "created_at", "created_by_id", "detail", "done_at", "due_at", "id", "kind", "opportunity_id", "owner_id", "person_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "service_order_id", "subject", "updated_at") VALUES (NEW."campaign_id", NEW."category_id", NEW."company_id", NEW."created_at", NEW."created_by_id", NEW."detail", NEW."done_at", NEW."due_at", NEW."id", NEW."kind", NEW."opportunity_id", NEW."owner_id", NEW."person_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."service_order_id", NEW."subject", NEW."updated_at"); RETURN NULL;', hash='3b99e9d958ab752d2840ba1dbe1696956fd39654', operation='UPDATE', pgid='pgtrigger_update_update_a56a1', table='crm_activity', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='activity',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "crm_activityhistory" ("campaign_id", "category_id", "company_id", "created_at", "created_by_id", "detail", "done_at", "due_at", "id", "kind", "opportunity_id", "owner_id", "person_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "service_order_id", "subject", "updated_at") VALUES (OLD."campaign_id", OLD."category_id", OLD."company_id", OLD."created_at", OLD."created_by_id", OLD."detail", OLD."done_at", OLD."due_at", OLD."id", OLD."kind", OLD."opportunity_id", OLD."owner_id", OLD."person_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."service_order_id", OLD."subject", OLD."updated_at"); RETURN NULL;', hash='d97888f65affa9db6bfcc120c1831032554249bd', operation='DELETE', pgid='pgtrigger_delete_delete_cc776', table='crm_activity', when='AFTER')),
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
