"""Who sees what: the one place that scopes querysets by role.

Every list, detail, export, chart and autocomplete starts from a function of
this module. The role table (DESIGN.md):

- agent: the records they own or are assigned;
- manager: everything except user administration;
- admin: everything.

A record outside a user's scope answers 404 (:func:`get_or_404`), so nobody
learns it exists; a page the role may not use answers 403 (:func:`role_required`).

Seeing is not changing. Beside the read rules stand the write rules
(:func:`may_change`, :func:`changeable`, :func:`get_for_change`): an agent
changes what they are responsible for (the owner, the card's agent, the
order's assignee). A record seen through a relation (a person of theirs works
at the company, they follow the card, an order of theirs is in the project,
they work members of the campaign) is read, plus what that relation is for
(comments, activities, services on their order) — never edited, given away,
merged, discarded or deleted: 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import PermissionDenied
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Exists,
    F,
    Func,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.shortcuts import get_object_or_404

if TYPE_CHECKING:
    from crm.models import User

M = TypeVar("M", bound=Model)


def _model(label: str) -> type[Model]:
    """A domain app's model by name: the core imports no domain app (the layers in
    pyproject.toml); the app registry hands the model over."""
    from django.apps import apps

    return apps.get_model(label)


View = Callable[..., Any]


def rule_key(user: User) -> tuple[int, str, bool]:
    """What the access rules depend on about a signed-in user: who they are, their role and
    whether they are active. Rules (and SQL) built for a key serve every later call with it."""
    return user.pk, user.role, user.is_active


def stand_in(key: tuple[int, str, bool]) -> User:
    """A user with just what a rule reads (rule_key), to build the rule once for that key."""
    from crm.models import User

    user_id, role, is_active = key
    return User(pk=user_id, role=role, is_active=is_active)


def per_user(rule: Callable[..., QuerySet]) -> Callable[..., QuerySet]:
    """A rule whose queryset is built once per process for each rule_key and option, and
    handed out as a fresh clone. Such a rule depends on nothing else: every condition in it is
    SQL, read when the clone is evaluated, so the same key always builds the same queryset.
    Building one (ORs, EXISTS, ARRAY subqueries) took 1 to 2 ms; a clone takes 0.015 ms, and a
    page asks several times."""

    @lru_cache(maxsize=4096)
    def kept(key: tuple[int, str, bool], **options) -> QuerySet:
        return rule(stand_in(key), **options)

    @wraps(rule)
    def wrapper(user, **options) -> QuerySet:
        if not user.is_authenticated:
            return rule(user, **options)
        return kept(rule_key(user), **options).all()

    return wrapper


def sees_everything(user: User) -> bool:
    """Managers and admins see the whole team's records."""
    return user.is_authenticated and user.is_active and user.role in ("admin", "manager")


def is_admin(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role == "admin"


def scope(user: User, queryset: QuerySet[M], *owner_fields: str) -> QuerySet[M]:
    """The rows of ``queryset`` that ``user`` may see.

    ``owner_fields`` name the user foreign keys (or many-to-many fields) that
    make an agent see a row: owner, agent, assignee... A row matching any of
    them is visible. Inactive and anonymous users see nothing.
    """
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if sees_everything(user):
        return queryset
    if not owner_fields:
        return queryset.none()
    condition = Q()
    for field in owner_fields:
        condition |= Q(**{field: user})
    filtered = queryset.filter(condition)
    # A path through a many-valued relation can match the same row twice.
    if any(_is_multivalued(queryset.model, field) for field in owner_fields):
        return filtered.distinct()
    return filtered


def _is_multivalued(model: type[Model], path: str) -> bool:
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        if field.related_model is None:
            return False
        model = field.related_model
    return False


def get_or_404(queryset: QuerySet[M], **lookup: Any) -> M:
    """One record from an already scoped queryset; outside the scope is 404."""
    return get_object_or_404(queryset, **lookup)


# Write rules ------------------------------------------------------------------

# The field naming who is responsible for a record: the one agent who may change it.
RESPONSIBLE = {
    "people.person": "owner",
    "companies.company": "owner",
    "campaigns.campaign": "owner",
    "opportunities.opportunity": "agent",
    "serviceorders.project": "owner",
    "serviceorders.serviceorder": "assignee",
    "activities.activity": "owner",
}


def may_change(user: User, record: Model) -> bool:
    """Whether ``user`` may change ``record`` (already seen through its read rule):
    edit it, give it away, merge, discard, archive or delete it. Managers and
    admins change what they see; an agent only what they are responsible for."""
    field = RESPONSIBLE[record._meta.label_lower]
    return is_responsible(user, getattr(record, f"{field}_id"))


def is_responsible(user: User, responsible_id: int | None) -> bool:
    """:func:`may_change` for a record read as plain values (a board's cards):
    ``responsible_id`` is its owner's, agent's or assignee's id."""
    if not (user.is_authenticated and user.is_active):
        return False
    return sees_everything(user) or responsible_id == user.pk


def changeable(user: User, queryset: QuerySet[M]) -> QuerySet[M]:
    """The rows of an already read-scoped ``queryset`` that ``user`` may change
    (bulk actions, merges): the set-based :func:`may_change`."""
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if sees_everything(user):
        return queryset
    return queryset.filter(**{RESPONSIBLE[queryset.model._meta.label_lower]: user})


def get_for_change(user: User, queryset: QuerySet[M], **lookup: Any) -> M:
    """One record of a read-scoped queryset that ``user`` is about to change:
    outside the scope 404, seen but not theirs to change 403."""
    record = get_or_404(queryset, **lookup)
    if not may_change(user, record):
        raise PermissionDenied
    return record


def users(user: User) -> QuerySet[User]:
    """The users a user may administer: all of them for admins, none otherwise."""
    from crm.models import User

    queryset = User.objects.all()
    return queryset if is_admin(user) else queryset.none()


def assignable_users(user: User) -> QuerySet[User]:
    """Who a user may give a record to: managers and admins any active user,
    an agent only themself."""
    from crm.models import User

    queryset = User.objects.filter(is_active=True)
    if sees_everything(user):
        return queryset
    return queryset.filter(pk=user.pk)


def card_followers(pipeline) -> QuerySet[User]:
    """Who may follow a card of ``pipeline`` (its members, seed 002
    "Membros"): the board's active members, and the managers and admins, who
    see every board."""
    from crm.models import User

    return User.objects.filter(
        Q(role__in=["admin", "manager"]) | Q(pk__in=pipeline.members.values("pk")), is_active=True
    ).order_by("name", "username")


def role_required(*roles: str) -> Callable[[View], View]:
    """Sign-in required (anonymous: redirect), then one of ``roles`` (else 403)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator


admin_required = role_required("admin")
manager_required = role_required("admin", "manager")


# People and companies -----------------------------------------------------


def people(user: User) -> QuerySet:
    """People in the People module: not discarded, an agent's own only."""
    Person = _model("people.Person")

    return scope(user, Person.objects.filter(discarded_at=None), "owner")


@per_user
def workable_people(user: User) -> QuerySet:
    """People a user may work (log activities, email): their own, and those
    they are assigned in a campaign."""
    CampaignMember = _model("campaigns.CampaignMember")
    Person = _model("people.Person")

    if not (user.is_authenticated and user.is_active):
        return Person.objects.none()
    queryset = Person.objects.filter(discarded_at=None)
    if sees_everything(user):
        return queryset
    assigned = CampaignMember.objects.filter(person=OuterRef("pk"), agent=user)
    return queryset.filter(Q(owner=user) | Exists(assigned))


def discarded_people(user: User) -> QuerySet:
    """The Discarded module: administrators only."""
    Person = _model("people.Person")

    # Erased people are gone for good: nothing to restore.
    queryset = Person.objects.exclude(discarded_at=None).filter(erased_at=None)
    return queryset if is_admin(user) else queryset.none()


def tags(user: User) -> QuerySet:
    """Tags are a shared catalog: every signed-in user sees all of them."""
    Tag = _model("people.Tag")

    if not (user.is_authenticated and user.is_active):
        return Tag.objects.none()
    return Tag.objects.all()


@per_user
def companies(user: User) -> QuerySet:
    """Companies an agent owns, or where one of their people works; never the
    discarded (merged) ones."""
    Company = _model("companies.Company")
    Membership = _model("companies.Membership")

    if not (user.is_authenticated and user.is_active):
        return Company.objects.none()
    companies = Company.objects.filter(discarded_at=None)
    if sees_everything(user):
        return companies
    # Memberships keep their person's owner (NULL once discarded), see companies'
    # migration 0008; "= ANY(ARRAY(...))" lets PostgreSQL OR two index scans.
    works_there = Membership.objects.filter(person_owner_id=user.pk).order_by().values("company_id")
    return companies.filter(Q(owner=user) | Q(EqualsAny(F("pk"), ArraySubquery(works_there))))


def discarded_companies(user: User) -> QuerySet:
    """Companies merged into others: administrators restore them."""
    Company = _model("companies.Company")

    queryset = Company.objects.exclude(discarded_at=None)
    return queryset if is_admin(user) else queryset.none()


def memberships(user: User) -> QuerySet:
    """Positions of the people a user may see."""
    Membership = _model("companies.Membership")

    return Membership.objects.filter(person__in=people(user))


# Activities and reminders ---------------------------------------------------


@per_user
def activities(user: User, *, followed: bool = False) -> QuerySet:
    """Activities a user may see: managers and admins the team's, an agent
    their own; never those of discarded people, and an agent's only on people
    they still own. ``followed`` adds, for an agent, the activities of the
    cards they follow (a card's timeline and reminders are its members' too);
    the lists leave it out, so an agent's own stay a walk down their index."""
    Activity = _model("activities.Activity")

    if not (user.is_authenticated and user.is_active):
        return Activity.objects.none()
    queryset = Activity.objects.filter(Q(person=None) | Q(person__discarded_at=None))
    if sees_everything(user):
        return queryset
    CampaignMember = _model("campaigns.CampaignMember")

    # A person an agent works in a campaign counts as theirs there.
    assigned = CampaignMember.objects.filter(
        campaign=OuterRef("campaign"), person=OuterRef("person"), agent=user
    )
    own = Q(Q(person=None) | Q(person__owner=user) | Exists(assigned), owner=user)
    return queryset.filter(own | Q(_on_followed_cards(user)) if followed else own)


def reminders(user: User, *, followed: bool = False) -> QuerySet:
    """Open planned activities (reminders) a user may see."""
    return activities(user, followed=followed).filter(done_at=None, due_at__isnull=False)


@per_user
def my_reminders(user: User) -> QuerySet:
    """The reminders that are a user's to do: their own and those of the cards
    they follow (members get a card's reminders). The navigation counts, My
    day, the morning digest and the calendar feed read these."""
    return reminders(user, followed=True).filter(to_do_by(user))


def to_do_by(user: User) -> Q:
    """Activities that are ``user``'s to do: their own and those of the cards
    they follow (a condition for a queryset already scoped to the viewer)."""
    return Q(owner=user) | Q(_on_followed_cards(user))


def _on_followed_cards(user: User) -> EqualsAny:
    """The activities of the cards a user follows. ``opportunity = ANY(ARRAY(
    subquery))``: unlike ``IN (subquery)`` inside an OR, PostgreSQL still reaches
    the rows through the activity's opportunity index (a BitmapOr with the
    owner's)."""
    return EqualsAny(F("opportunity_id"), ArraySubquery(_followed(user)))


def _followed(user: User) -> QuerySet:
    """The ids of the cards a user follows (as a subquery)."""
    Opportunity = _model("opportunities.Opportunity")

    return Opportunity.members.through.objects.filter(user=user).values("opportunity_id")


def among(column: str, ids) -> EqualsAny:
    """``column = ANY(%s)`` with the ids as one array parameter: for thousands of ids
    (a board's cards), instead of ``IN`` with a placeholder each that Django builds
    and psycopg sends one by one."""
    return EqualsAny(F(column), Value(list(ids), output_field=ArrayField(BigIntegerField())))


class EqualsAny(Func):
    """``column = ANY(array)``, a condition for ``filter()``."""

    arity = 2
    conditional = True
    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        column, column_params = compiler.compile(self.source_expressions[0])
        array, array_params = compiler.compile(self.source_expressions[1])
        return f"{column} = ANY({array})", (*column_params, *array_params)


def tallies(user: User, label: str, responsible: str) -> QuerySet:
    """A dashboard tally's rows (tallies.models): the team's for managers and admins, an
    agent's own (``responsible``: the column naming them); an agent's cards only on the boards
    they belong to, as the cards themselves."""
    Tally = _model(label)

    if not (user.is_authenticated and user.is_active):
        return Tally.objects.none()
    if sees_everything(user):
        return Tally.objects.all()
    rows = Tally.objects.filter(**{responsible: user.pk})
    if Tally.ON_BOARDS:  # counts of cards: seen as the cards are, on the agent's boards
        rows = rows.filter(pipeline_id__in=pipelines(user).values("pk"))
    return rows


def notifications(user: User) -> QuerySet:
    """A user's own notifications: nobody reads another's."""
    Notification = _model("activities.Notification")

    if not (user.is_authenticated and user.is_active):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def automation_rules(user: User) -> QuerySet:
    """Automation rules: administrators build and read them."""
    Rule = _model("automations.Rule")

    return Rule.objects.all() if is_admin(user) else Rule.objects.none()


def goals(user: User) -> QuerySet:
    """Sales goals: managers and admins see and set the team's and every agent's; an agent
    sees their own."""
    Goal = _model("goals.Goal")

    if sees_everything(user):
        return Goal.objects.all()
    if not (user.is_authenticated and user.is_active):
        return Goal.objects.none()
    return Goal.objects.filter(agent=user)


def personal_data_subjects(user: User) -> QuerySet:
    """People whose personal data an administrator may hand over or erase: every person not
    erased yet, discarded ones included; nobody for other roles."""
    Person = _model("people.Person")

    return Person.objects.filter(erased_at=None) if is_admin(user) else Person.objects.none()


def erasures(user: User) -> QuerySet:
    """The erasure log: administrators read it (it holds no personal data)."""
    Erasure = _model("crm.Erasure")

    return Erasure.objects.all() if is_admin(user) else Erasure.objects.none()


def access_requests(user: User) -> QuerySet:
    PersonalDataRequest = _model("crm.PersonalDataRequest")

    return PersonalDataRequest.objects.all() if is_admin(user) else PersonalDataRequest.objects.none()


def bulk_operations(user: User) -> QuerySet:
    """Bulk changes on the lists: each user undoes their own."""
    from crm.models import BulkOperation

    if not (user.is_authenticated and user.is_active):
        return BulkOperation.objects.none()
    return BulkOperation.objects.filter(user=user)


def custom_fields(user: User) -> QuerySet:
    """Custom field definitions: administrators manage them."""
    from crm.models import CustomField

    return CustomField.objects.all() if is_admin(user) else CustomField.objects.none()


def exchange_rates(user: User) -> QuerySet:
    """Exchange rates: every signed-in user's totals use them; administrators
    keep them (see :func:`is_admin`)."""
    from crm.models import ExchangeRate

    if not (user.is_authenticated and user.is_active):
        return ExchangeRate.objects.none()
    return ExchangeRate.objects.all()


def emails(user: User) -> QuerySet:
    """Emails written from the CRM: as the activities they belong to."""
    Email = _model("activities.Email")
    return Email.objects.filter(activity__in=activities(user).values("pk"))


def email_templates(user: User) -> QuerySet:
    """Email templates a user may use: the team's and their own."""
    EmailTemplate = _model("activities.EmailTemplate")
    if not (user.is_authenticated and user.is_active):
        return EmailTemplate.objects.none()
    return EmailTemplate.objects.filter(Q(owner=None) | Q(owner=user))


def changeable_email_templates(user: User) -> QuerySet:
    """Templates a user may change: their own, and administrators the team's."""
    if is_admin(user):
        return email_templates(user)
    return email_templates(user).filter(owner=user)


def outbox(user: User) -> QuerySet:
    """The embedded mail server's messages: managers and administrators read them all; a
    user, those of the emails they wrote."""
    OutboxMessage = _model("activities.OutboxMessage")
    if not (user.is_authenticated and user.is_active):
        return OutboxMessage.objects.none()
    if sees_everything(user):
        return OutboxMessage.objects.all()
    Email = _model("activities.Email")
    return OutboxMessage.objects.filter(
        message_id__in=Email.objects.filter(created_by=user).values("message_id")
    )


def mailboxes(user: User) -> QuerySet:
    """Mailboxes a user may change: their own; administrators the team's shared one too."""
    Mailbox = _model("activities.Mailbox")
    if not (user.is_authenticated and user.is_active):
        return Mailbox.objects.none()
    return (
        Mailbox.objects.filter(Q(user=user) | Q(user=None))
        if is_admin(user)
        else Mailbox.objects.filter(user=user)
    )


def inbound_emails(user: User) -> QuerySet:
    """Messages read from mailboxes: those of the user's own mailbox and the team's shared
    one; all for managers."""
    InboundEmail = _model("activities.InboundEmail")
    if not (user.is_authenticated and user.is_active):
        return InboundEmail.objects.none()
    if sees_everything(user):
        return InboundEmail.objects.all()
    return InboundEmail.objects.filter(Q(mailbox__user=user) | Q(mailbox__isnull=False, mailbox__user=None))


def team_settings(user: User) -> QuerySet:
    """The team's settings: administrators change them and read their history."""
    from crm.models import TeamSettings

    return TeamSettings.objects.all() if is_admin(user) else TeamSettings.objects.none()


def api_tokens(user: User) -> QuerySet:
    """API tokens: each user sees and revokes their own."""
    ApiToken = _model("api.ApiToken")

    if not (user.is_authenticated and user.is_active):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


def webhooks(user: User) -> QuerySet:
    """Outbound webhooks: administrators register them."""
    Webhook = _model("api.Webhook")

    return Webhook.objects.all() if is_admin(user) else Webhook.objects.none()


def categories(user: User) -> QuerySet:
    Category = _model("activities.Category")

    if not (user.is_authenticated and user.is_active):
        return Category.objects.none()
    return Category.objects.all()


def imports(user: User) -> QuerySet:
    """Import history: managers and admins the team's, an agent their own."""
    ImportJob = _model("people.ImportJob")

    return scope(user, ImportJob.objects.all(), "created_by")


def may_import(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm("people.import_person")


def may_export(user: User, perm: str = "people.export_person") -> bool:
    return user.is_authenticated and user.is_active and user.has_perm(perm)


def export_jobs(user: User) -> QuerySet:
    """Queued exports: each user sees their own."""
    from crm.models import ExportJob

    if not (user.is_authenticated and user.is_active):
        return ExportJob.objects.none()
    return ExportJob.objects.filter(created_by=user)


# Campaigns ------------------------------------------------------------------


def campaigns(user: User) -> QuerySet:
    """Campaigns an agent owns or has members assigned in; all for managers."""
    Campaign = _model("campaigns.Campaign")
    CampaignMember = _model("campaigns.CampaignMember")

    if not (user.is_authenticated and user.is_active):
        return Campaign.objects.none()
    if sees_everything(user):
        return Campaign.objects.all()
    assigned = CampaignMember.objects.filter(campaign=OuterRef("pk"), agent=user)
    return Campaign.objects.filter(Q(owner=user) | Exists(assigned))


def campaign_members(user: User) -> QuerySet:
    """Members an agent is assigned (discarded people never); all for managers."""
    CampaignMember = _model("campaigns.CampaignMember")

    queryset = CampaignMember.objects.filter(person__discarded_at=None)
    return scope(user, queryset, "agent")


def mailings(user: User) -> QuerySet:
    """Campaign emails: a user's own; all for managers."""
    Mailing = _model("campaigns.Mailing")
    return scope(user, Mailing.objects.all(), "created_by")


# Opportunities ---------------------------------------------------------------


def pipelines(user: User) -> QuerySet:
    """Boards: their members see them; managers and admins see all."""
    Pipeline = _model("opportunities.Pipeline")

    if not (user.is_authenticated and user.is_active):
        return Pipeline.objects.none()
    if sees_everything(user):
        return Pipeline.objects.all()
    return Pipeline.objects.filter(members=user)


def base_cards(user: User) -> QuerySet:
    """Boards' base cards: their administrators' to set."""
    BaseCard = _model("opportunities.BaseCard")

    return BaseCard.objects.all() if is_admin(user) else BaseCard.objects.none()


@per_user
def opportunities(user: User) -> QuerySet:
    """Cards: an agent's own and those they follow, on the boards they belong
    to; all for managers."""
    Opportunity = _model("opportunities.Opportunity")

    if not (user.is_authenticated and user.is_active):
        return Opportunity.objects.none()
    if sees_everything(user):
        return Opportunity.objects.all()
    # pk = ANY(ARRAY(...)) rather than IN: both sides of the OR stay index scans.
    return Opportunity.objects.filter(
        Q(agent=user) | Q(EqualsAny(F("pk"), ArraySubquery(_followed(user)))), pipeline__in=pipelines(user)
    )


# Service orders ----------------------------------------------------------------


def service_orders(user: User) -> QuerySet:
    """Orders: an agent's assigned ones; all for managers and admins."""
    ServiceOrder = _model("serviceorders.ServiceOrder")

    return scope(user, ServiceOrder.objects.all(), "assignee")


def projects(user: User) -> QuerySet:
    """Projects an agent is responsible for or has orders assigned in."""
    Project = _model("serviceorders.Project")
    ServiceOrder = _model("serviceorders.ServiceOrder")

    if not (user.is_authenticated and user.is_active):
        return Project.objects.none()
    if sees_everything(user):
        return Project.objects.all()
    assigned = ServiceOrder.objects.filter(project=OuterRef("pk"), assignee=user)
    return Project.objects.filter(Q(owner=user) | Exists(assigned))


def quotes(user: User) -> QuerySet:
    """Quotes of the opportunities a user may see."""
    Quote = _model("opportunities.Quote")

    return Quote.objects.filter(opportunity__in=opportunities(user))


def products(user: User) -> QuerySet:
    """The catalog: every signed-in user reads it; admins change it."""
    Product = _model("opportunities.Product")

    if not (user.is_authenticated and user.is_active):
        return Product.objects.none()
    return Product.objects.all()


def saved_lists(user: User) -> QuerySet:
    """A user's own saved People filters."""
    SavedList = _model("people.SavedList")

    return SavedList.objects.filter(user=user)


def saved_filters(user: User) -> QuerySet:
    """A user's own saved board filters."""
    SavedFilter = _model("opportunities.SavedFilter")

    return SavedFilter.objects.filter(user=user)


def lead_forms(user: User) -> QuerySet:
    """Web-to-lead forms: administrators configure them."""
    LeadForm = _model("campaigns.LeadForm")

    if not is_admin(user):
        return LeadForm.objects.none()
    return LeadForm.objects.all()


def attachments(user: User) -> QuerySet:
    """Files attached to the records the user may see (and only those)."""
    from crm.models import Attachment

    if not (user.is_authenticated and user.is_active):
        return Attachment.objects.none()
    return Attachment.objects.filter(
        Q(person__in=people(user))
        | Q(company__in=companies(user))
        | Q(opportunity__in=opportunities(user))
        | Q(service_order__in=service_orders(user))
    )


def attachments_of(user: User, field: str, record: Model) -> QuerySet:
    """The files attached to one record (``field``: "person", "company", "opportunity" or
    "service_order"), if ``user`` may see it: one scope to check, not all four."""
    from crm.models import Attachment

    if not (user.is_authenticated and user.is_active):
        return Attachment.objects.none()
    return Attachment.objects.filter(**{f"{field}__in": records(user, field).filter(pk=record.pk)})


def records(user: User, field: str) -> QuerySet:
    """The records an activity or attachment field ("person", "company", "opportunity",
    "service_order") may point at for ``user``: the ones they may see."""
    scopes = {
        "person": people,
        "company": companies,
        "opportunity": opportunities,
        "service_order": service_orders,
    }
    return scopes[field](user)
