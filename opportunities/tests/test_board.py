import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.tests.factories import ActivityFactory
from opportunities import services
from opportunities.models import Opportunity, OpportunityEvent, SavedFilter
from opportunities.tests.factories import OpportunityFactory, PipelineFactory
from people.models import Person
from people.tests.factories import PersonFactory, TagFactory

pytestmark = pytest.mark.django_db


def _columns(response):
    return {c.stage.name: [card.subject for card in c.cards] for c in response.context["columns"]}


def test_board_shows_a_column_per_stage_with_count_and_total(manager_client, alice):
    pipeline = PipelineFactory()
    first = pipeline.stages.order_by("position").first()
    OpportunityFactory(pipeline=pipeline, agent=alice, amount=1000, subject="A")
    OpportunityFactory(pipeline=pipeline, agent=alice, amount=500, subject="B")
    response = manager_client.get(pipeline.get_absolute_url())
    column = response.context["columns"][0]
    assert column.stage == first
    assert column.count == 2
    assert column.totals == [("PEN", 1500)]
    assert [c.subject for c in column.cards] == ["A", "B"]
    assert len(response.context["columns"]) == pipeline.stages.count()


def test_drag_and_drop_between_and_within_stages(alice_client, alice):
    pipeline = PipelineFactory(members=[alice])
    first, second = pipeline.stages.order_by("position")[:2]
    a, _b, c = (OpportunityFactory(pipeline=pipeline, agent=alice, subject=s) for s in "ABC")
    url = reverse("opportunities:move", args=[c.pk])
    response = alice_client.post(url, {"stage": first.pk, "position": 0}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    # The answer: every column's header as it is now, for the board to show without a reload.
    shown = dict(
        re.findall(r'id="column-head-(\d+)">.*?data-count>(\d+)<', response.content.decode(), re.DOTALL)
    )
    assert shown == {str(stage.pk): str(stage.opportunities.count()) for stage in pipeline.stages.all()}
    assert list(
        Opportunity.objects.filter(stage=first).order_by("position").values_list("subject", flat=True)
    ) == ["C", "A", "B"]
    alice_client.post(
        reverse("opportunities:move", args=[a.pk]),
        {"stage": second.pk, "position": 0},
        headers={"HX-Request": "true"},
    )
    a.refresh_from_db()
    assert a.stage == second
    event = a.events.get(kind=OpportunityEvent.Kind.STAGE)
    assert (event.old_value, event.new_value, event.by) == (first.name, second.name, alice)
    assert list(
        Opportunity.objects.filter(stage=first).order_by("position").values_list("subject", flat=True)
    ) == ["C", "B"]


def test_moving_into_another_board_is_refused(alice_client, alice):
    mine = PipelineFactory(members=[alice])
    other = PipelineFactory(members=[alice])
    card = OpportunityFactory(pipeline=mine, agent=alice)
    target = other.stages.first()
    response = alice_client.post(
        reverse("opportunities:move", args=[card.pk]), {"stage": target.pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 409
    card.refresh_from_db()
    assert card.pipeline == mine


def test_moving_into_a_board_the_user_cannot_see_is_refused(alice_client, alice):
    mine = PipelineFactory(members=[alice])
    hidden = PipelineFactory()
    card = OpportunityFactory(pipeline=mine, agent=alice)
    response = alice_client.post(
        reverse("opportunities:move", args=[card.pk]),
        {"stage": hidden.stages.first().pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    card.refresh_from_db()
    assert card.stage.pipeline == mine


def test_menu_alternative_moves_without_javascript(alice_client, alice):
    pipeline = PipelineFactory(members=[alice])
    card = OpportunityFactory(pipeline=pipeline, agent=alice)
    last = pipeline.stages.order_by("position").last()
    response = alice_client.post(
        reverse("opportunities:move", args=[card.pk]), {"stage": last.pk, "next": pipeline.get_absolute_url()}
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.stage == last


def test_a_card_idle_longer_than_its_stage_allows_is_stagnant(alice_client, alice):
    pipeline = PipelineFactory(members=[alice])
    stage = pipeline.stages.order_by("position")[1]
    assert stage.stagnant_days == 7
    idle = OpportunityFactory(pipeline=pipeline, stage=stage, agent=alice, subject="Idle")
    OpportunityFactory(pipeline=pipeline, stage=stage, agent=alice, subject="Fresh")
    Opportunity.objects.filter(pk=idle.pk).update(updated_at=timezone.now() - datetime.timedelta(days=8))
    response = alice_client.get(pipeline.get_absolute_url())
    cards = {c.subject: c for column in response.context["columns"] for c in column.cards}
    assert cards["Idle"].stagnant is True
    assert cards["Fresh"].stagnant is False
    assert "stagnant" in response.content.decode()
    only = alice_client.get(pipeline.get_absolute_url(), {"stagnant": "yes"})
    assert [c.subject for column in only.context["columns"] for c in column.cards] == ["Idle"]
    fresh = alice_client.get(pipeline.get_absolute_url(), {"stagnant": "no"})
    assert [c.subject for column in fresh.context["columns"] for c in column.cards] == ["Fresh"]


def test_archived_closed_and_lost_are_hidden_by_default(alice_client, alice):
    pipeline = PipelineFactory(members=[alice])
    OpportunityFactory(pipeline=pipeline, agent=alice, subject="Open")
    OpportunityFactory(pipeline=pipeline, agent=alice, subject="Archived", archived=True)
    OpportunityFactory(pipeline=pipeline, agent=alice, subject="Won", status="closed")
    OpportunityFactory(pipeline=pipeline, agent=alice, subject="Lost", status="lost")
    subjects = lambda r: sorted(c.subject for col in r.context["columns"] for c in col.cards)  # noqa: E731
    assert subjects(alice_client.get(pipeline.get_absolute_url())) == ["Open"]
    assert subjects(alice_client.get(pipeline.get_absolute_url(), {"lost": "yes"})) == ["Lost"]
    assert subjects(alice_client.get(pipeline.get_absolute_url(), {"closed": "yes"})) == ["Won"]
    everything = {"archived": "all", "lost": "all", "closed": "all"}
    assert subjects(alice_client.get(pipeline.get_absolute_url(), everything)) == [
        "Archived",
        "Lost",
        "Open",
        "Won",
    ]


def test_board_filters_by_dates_tags_agents_tasks_and_cards_per_column(manager_client, alice, bob):
    pipeline = PipelineFactory()
    vip = TagFactory(name="VIP")
    tagged = OpportunityFactory(pipeline=pipeline, agent=alice, subject="Tagged")
    tagged.tags.add(vip)
    with_task = OpportunityFactory(pipeline=pipeline, agent=bob, subject="Task")
    ActivityFactory(
        person=with_task.contact, owner=bob, opportunity=with_task, done_at=None, due_at=timezone.now()
    )
    old = OpportunityFactory(pipeline=pipeline, agent=bob, subject="Old")
    Opportunity.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=60))
    Person.objects.filter(pk=old.contact_id).update(created_at=timezone.now() - datetime.timedelta(days=60))
    subjects = lambda r: sorted(c.subject for col in r.context["columns"] for c in col.cards)  # noqa: E731
    url = pipeline.get_absolute_url()
    assert subjects(manager_client.get(url, {"tags": vip.pk})) == ["Tagged"]
    assert subjects(manager_client.get(url, {"agents": bob.pk})) == ["Old", "Task"]
    assert subjects(manager_client.get(url, {"tasks": "yes"})) == ["Task"]
    month_ago = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert subjects(manager_client.get(url, {"date_to": month_ago})) == ["Old"]
    assert subjects(manager_client.get(url, {"date_to": month_ago, "date_type": "person"})) == ["Old"]
    OpportunityFactory.create_batch(12, pipeline=pipeline, agent=alice)
    column = manager_client.get(url, {"per_column": "10"}).context["columns"][0]
    assert (len(column.cards), column.count, column.hidden) == (10, 15, 5)


def test_saved_filters_per_user(alice_client, alice, bob_client):
    pipeline = PipelineFactory(members=[alice])
    alice_client.post(
        reverse("opportunities:filter_save", args=[pipeline.pk]), {"name": "Stuck", "query": "stagnant=yes"}
    )
    saved = SavedFilter.objects.get()
    assert (saved.user, saved.query) == (alice, "stagnant=yes")
    page = alice_client.get(pipeline.get_absolute_url())
    assert "?stagnant=yes" in page.content.decode()
    assert bob_client.post(reverse("opportunities:filter_delete", args=[saved.pk])).status_code == 404
    alice_client.post(reverse("opportunities:filter_delete", args=[saved.pk]))
    assert not SavedFilter.objects.exists()


def test_board_history_lists_who_moved_what(manager_client, manager, alice):
    pipeline = PipelineFactory()
    card = OpportunityFactory(pipeline=pipeline, agent=alice)
    services.opportunity_move(opportunity=card, by=manager, stage=pipeline.stages.order_by("position").last())
    events = list(
        manager_client.get(reverse("opportunities:board_history", args=[pipeline.pk])).context["page"]
    )
    assert events[0].kind == "stage"
    assert events[0].by == manager


def test_admin_configures_stages(admin_client):
    pipeline = PipelineFactory()
    admin_client.post(
        reverse("opportunities:stage_add", args=[pipeline.pk]),
        {"name": "Firma", "color": "purple", "stagnant_days": "3"},
    )
    stage = pipeline.stages.get(name="Firma")
    assert stage.position == pipeline.stages.count() - 1
    admin_client.post(reverse("opportunities:stage_move", args=[stage.pk]), {"direction": "left"})
    stage.refresh_from_db()
    assert stage.position == pipeline.stages.count() - 2
    admin_client.post(
        reverse("opportunities:stage_edit", args=[stage.pk]),
        {"name": "Firma final", "color": "red", "stagnant_days": ""},
    )
    stage.refresh_from_db()
    assert (stage.name, stage.color, stage.stagnant_days, stage.probability) == (
        "Firma final",
        "red",
        None,
        0,
    )
    # The forecast's weight of the stage: 0 to 100 %, refused beyond with the reason.
    edit = {"name": "Firma final", "color": "red", "stagnant_days": "", "probability": "80"}
    admin_client.post(reverse("opportunities:stage_edit", args=[stage.pk]), edit)
    stage.refresh_from_db()
    assert stage.probability == 80
    refused = admin_client.post(
        reverse("opportunities:stage_edit", args=[stage.pk]), {**edit, "probability": "150"}, follow=True
    )
    assert "less than or equal to 100" in refused.content.decode()
    stage.refresh_from_db()
    assert stage.probability == 80
    card = OpportunityFactory(pipeline=pipeline, stage=stage)
    response = admin_client.post(reverse("opportunities:stage_delete", args=[stage.pk]), follow=True)
    assert "Only an empty stage" in response.content.decode()
    card.delete()
    admin_client.post(reverse("opportunities:stage_delete", args=[stage.pk]))
    assert not pipeline.stages.filter(pk=stage.pk).exists()


def test_admin_creates_a_board_with_members(admin_client, alice):
    admin_client.post(
        reverse("opportunities:board_create"), {"name": "Norte", "color": "green", "members": [alice.pk]}
    )
    from opportunities.models import Pipeline

    board = Pipeline.objects.get(name="Norte")
    assert list(board.members.all()) == [alice]
    assert board.stages.count() == 4


@pytest.mark.parametrize(
    ("language", "first_stage"), [("pt-br", "Novo contato"), ("es", "Nuevo contacto"), ("en", "New contact")]
)
def test_a_new_boards_stages_are_named_in_its_creators_language(
    admin_user, admin_client, language, first_stage
):
    from opportunities.models import Pipeline

    admin_user.language = language
    admin_user.save(update_fields=["language"])
    admin_client.post(reverse("opportunities:board_create"), {"name": f"Norte {language}", "color": "green"})
    board = Pipeline.objects.get(name=f"Norte {language}")
    assert board.stages.order_by("position").first().name == first_stage


@pytest.mark.parametrize("per_column", [5, 500])
def test_board_query_count_with_500_cards_per_column(
    manager_client, django_assert_max_num_queries, per_column
):
    pipeline = PipelineFactory()
    agent = PersonFactory().owner
    tag = TagFactory()
    stages = list(pipeline.stages.all())
    cards = [
        Opportunity(
            pipeline=pipeline, stage=stage, agent=agent, created_by=agent, subject=f"C{n}", position=n
        )
        for stage in stages[:2]
        for n in range(per_column)
    ]
    Opportunity.objects.bulk_create(cards)
    Opportunity.tags.through.objects.bulk_create(
        [Opportunity.tags.through(opportunity_id=c.pk, tag_id=tag.pk) for c in Opportunity.objects.all()]
    )
    with django_assert_max_num_queries(15):
        response = manager_client.get(pipeline.get_absolute_url(), {"per_column": "500"})
    columns = response.context["columns"]
    # A column renders its first 50 cards, its count and totals exact; the rest come as it is
    # scrolled, 50 at a time, each in a fixed number of queries, until the last.
    assert [c.count for c in columns[:2]] == [per_column, per_column]
    assert sum(len(c.cards) for c in columns) == 2 * min(per_column, 50)
    import re

    seen = sum(len(c.cards) for c in columns)
    for column in columns[:2]:
        url = column.more_url
        while url:
            with django_assert_max_num_queries(12):
                html = manager_client.get(url).content.decode()
            seen += html.count("data-card=")
            found = re.search(r'hx-get="([^"]+)"', html)
            url = found.group(1).replace("&amp;", "&") if found else ""
    assert seen == 2 * per_column


def test_cards_escape_what_users_typed(admin_client, admin_user):
    board = PipelineFactory()
    OpportunityFactory(pipeline=board, agent=admin_user, subject='<script>alert("x")</script> & "co"')
    html = admin_client.get(board.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;co&quot;" in html


def test_names_shared_by_many_cards_are_escaped_on_each(admin_client):
    from companies.tests.factories import CompanyFactory
    from crm.tests.factories import UserFactory

    board = PipelineFactory()
    agent = UserFactory(name="<b>Ana</b>", role="admin")
    company = CompanyFactory(name='Acme <img src=x onerror="alert(1)">')
    tag = TagFactory(name="<u>VIP</u>")
    for _ in range(2):  # two people of the same name: one open card each on a board
        contact = PersonFactory(first_name="<i>Rosa</i>", last_name="Pérez", owner=agent)
        card = OpportunityFactory(pipeline=board, agent=agent, company=company, contact=contact)
        card.tags.add(tag)
    html = admin_client.get(board.get_absolute_url()).content.decode()
    for raw, escaped in [
        ("<b>Ana</b>", "&lt;b&gt;Ana&lt;/b&gt;"),
        ('<img src=x onerror="alert(1)">', "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"),
        ("<i>Rosa</i>", "&lt;i&gt;Rosa&lt;/i&gt; Pérez"),
        ("<u>VIP</u>", "&lt;u&gt;VIP&lt;/u&gt;"),
    ]:
        assert raw not in html
        assert html.count(escaped) >= 2, escaped


def test_quick_add_at_the_top_of_a_column(alice_client, alice):
    """Title and prospect; the card goes to that column, worked by its author, with the
    prospect's only company. A refusal answers the form again with what was typed."""
    from companies.tests.factories import CompanyFactory, MembershipFactory
    from people.tests.factories import PersonFactory

    pipeline = PipelineFactory(members=[alice])
    second = pipeline.stages.order_by("position")[1]
    rosa = PersonFactory(owner=alice, first_name="Rosa")
    andes = CompanyFactory(owner=alice, name="Andes SAC")
    MembershipFactory(person=rosa, company=andes)
    board_page = alice_client.get(pipeline.get_absolute_url()).content.decode()
    assert f'id="quick-{second.pk}-subject"' in board_page
    url = reverse("opportunities:quick_add", args=[pipeline.pk])
    htmx = {"HX-Request": "true"}
    refused = alice_client.post(url, {"stage": second.pk, "subject": " ", "contact": rosa.pk}, headers=htmx)
    assert refused.status_code == 200
    assert f'name="contact" value="{rosa.pk}"' in refused.content.decode()  # the prospect stays chosen
    assert not Opportunity.objects.exists()
    added = alice_client.post(
        url, {"stage": second.pk, "subject": "Fibra 100", "contact": rosa.pk}, headers=htmx
    )
    assert added["HX-Refresh"] == "true"
    card = Opportunity.objects.get()
    assert (card.subject, card.stage, card.agent, card.company) == ("Fibra 100", second, alice, andes)
    again = alice_client.post(url, {"stage": second.pk, "subject": "Otra", "contact": rosa.pk}, headers=htmx)
    assert "already has an open card" in again.content.decode()


def test_the_cards_labels_are_in_the_users_language(alice_client, alice):
    """The menu's screen-reader label and the open-tasks tooltip were English on every board."""
    from crm.tests.factories import ActivityFactory

    alice.language = "es"
    alice.save()
    pipeline = PipelineFactory(members=[alice])
    card = OpportunityFactory(pipeline=pipeline, agent=alice)
    ActivityFactory(person=card.contact, owner=alice, opportunity=card, done_at=None, due_at=timezone.now())
    page = alice_client.get(pipeline.get_absolute_url()).content.decode()
    assert ">Mover a</label>" in page
    assert 'title="Tiene tareas abiertas"' in page
