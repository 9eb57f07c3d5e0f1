"""Walk every URL of the project as every persona.

Every URL pattern must have a rule here, taken from the role table of
DESIGN.md; a new view without a rule fails this test, so every later view is
covered. A denied persona must get exactly the denial its rule names
(anonymous: redirect to sign-in; wrong role: 403; another agent's record:
404), on GET and, for POST-only views, on POST too. An allowed persona must
get the page (200), or 405 on GET for a POST-only view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from crm.tests.helpers import persona_client

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "alice", "bob", "manager", "admin")


@dataclass(frozen=True)
class Rule:
    """Who gets in: the personas allowed, and how each other persona is refused."""

    allowed: frozenset[str]
    refused: dict[str, int] = field(default_factory=dict)
    kwargs: Callable[[Any], dict[str, Any]] | None = None
    post_only: bool = False
    # Allowed personas get this on GET instead of 200 (a redirect view).
    allowed_status: int = 200


LOGIN = "login-redirect"


def public(**extra) -> Rule:
    return Rule(allowed=frozenset(PERSONAS), **extra)


def signed_in(**extra) -> Rule:
    return Rule(
        allowed=frozenset({"alice", "bob", "manager", "admin"}), refused={"anonymous": LOGIN}, **extra
    )


def managers(**extra) -> Rule:
    return Rule(
        allowed=frozenset({"manager", "admin"}),
        refused={"anonymous": LOGIN, "alice": 403, "bob": 403},
        **extra,
    )


def admins(**extra) -> Rule:
    return Rule(
        allowed=frozenset({"admin"}),
        refused={"anonymous": LOGIN, "alice": 403, "bob": 403, "manager": 403},
        **extra,
    )


def alices_alone(**extra) -> Rule:
    """Something personal of alice's (her email template): only she gets in."""
    return Rule(
        allowed=frozenset({"alice"}),
        refused={"anonymous": LOGIN, "bob": 404, "manager": 404, "admin": 404},
        **extra,
    )


def owned_by_alice(**extra) -> Rule:
    """A record alice owns: bob must not learn it exists."""
    return Rule(
        allowed=frozenset({"alice", "manager", "admin"}),
        refused={"anonymous": LOGIN, "bob": 404},
        **extra,
    )


def api_signed_in(**extra) -> Rule:
    """An API endpoint: any signed-in user; anonymous gets 401 (a token is asked for)."""
    return Rule(allowed=frozenset({"alice", "bob", "manager", "admin"}), refused={"anonymous": 401}, **extra)


def api_owned_by_alice(**extra) -> Rule:
    """An API record alice owns: bob gets 404 (with a token too: api/tests)."""
    return Rule(
        allowed=frozenset({"alice", "manager", "admin"}), refused={"anonymous": 401, "bob": 404}, **extra
    )


@pytest.fixture
def world(read_mostly_world):
    return read_mostly_world


# URL name -> rule. Add a line for every view you add.
RULES: dict[str, Rule] = {
    "login": public(),
    "logout": public(post_only=True),
    "password_change": signed_in(),
    "password_change_done": signed_in(),
    "password_reset": public(),
    "password_reset_done": public(),
    "password_reset_confirm": public(kwargs=lambda w: {"uidb64": "MQ", "token": "not-a-token"}),
    "password_reset_complete": public(),
    "crm:home": signed_in(),
    "crm:search": signed_in(),
    "api:tokens": signed_in(),
    "api:token_revoke": Rule(
        allowed=frozenset({"alice"}),
        refused={"anonymous": LOGIN, "bob": 404, "manager": 404, "admin": 404},
        kwargs=lambda w: {"pk": w.api_token.pk},
        post_only=True,
    ),
    "api:schema": api_signed_in(),
    "api:webhooks": admins(),
    "api:webhook": admins(kwargs=lambda w: {"pk": w.webhook.pk}),
    "api:docs": api_signed_in(),
    "api:api-root": api_signed_in(),
    "api:person-list": api_signed_in(),
    "api:company-list": api_signed_in(),
    "api:tag-list": api_signed_in(),
    "api:opportunity-list": api_signed_in(),
    "api:activity-list": api_signed_in(),
    "api:reminder-list": api_signed_in(),
    # Everyone signed in gets the list; only administrators find erasures in it (api/tests).
    "api:erasure-list": api_signed_in(),
    "api:membership-list": api_signed_in(),
    # Only DELETE (scoped: api/tests); a GET stops at the method for every signed-in user.
    "api:membership-detail": api_signed_in(kwargs=lambda w: {"pk": w.membership.pk}, allowed_status=405),
    "api:campaign-list": api_signed_in(),
    "api:campaign-detail": api_owned_by_alice(kwargs=lambda w: {"pk": w.campaign.pk}),
    "api:campaign-add-member": api_owned_by_alice(kwargs=lambda w: {"pk": w.campaign.pk}, post_only=True),
    "api:campaign-member-list": api_signed_in(),
    "api:campaign-member-detail": api_owned_by_alice(kwargs=lambda w: {"pk": w.member.pk}),
    "api:campaign-member-set-status": api_owned_by_alice(
        kwargs=lambda w: {"pk": w.member.pk}, post_only=True
    ),
    "api:order-list": api_signed_in(),
    "api:order-detail": api_owned_by_alice(kwargs=lambda w: {"number": w.order.number}),
    "api:order-entries": api_owned_by_alice(kwargs=lambda w: {"number": w.order.number}, post_only=True),
    "api:person-detail": api_owned_by_alice(kwargs=lambda w: {"pk": w.person.pk}),
    "api:person-discard": api_owned_by_alice(kwargs=lambda w: {"pk": w.person.pk}, post_only=True),
    "api:company-detail": api_owned_by_alice(kwargs=lambda w: {"pk": w.company.pk}),
    "api:opportunity-detail": api_owned_by_alice(kwargs=lambda w: {"pk": w.opportunity.pk}),
    "api:opportunity-set-status": api_owned_by_alice(
        kwargs=lambda w: {"pk": w.opportunity.pk}, post_only=True
    ),
    "api:opportunity-move": api_owned_by_alice(kwargs=lambda w: {"pk": w.opportunity.pk}, post_only=True),
    "api:activity-detail": api_owned_by_alice(kwargs=lambda w: {"pk": w.reminder.pk}),
    "api:activity-done": api_owned_by_alice(kwargs=lambda w: {"pk": w.reminder.pk}, post_only=True),
    "crm:custom_fields": admins(),
    "crm:exchange_rates": admins(),
    "crm:team_settings": admins(),
    # The world's team has no logo: signed-in users get 404, not a file; strangers sign in first.
    "crm:team_logo": signed_in(allowed_status=404),
    "crm:exchange_rate_delete": admins(kwargs=lambda w: {"pk": w.exchange_rate.pk}, post_only=True),
    "crm:custom_field_create": admins(),
    "crm:custom_field_edit": admins(kwargs=lambda w: {"pk": w.custom_field.pk}),
    "crm:duplicates": signed_in(kwargs=lambda w: {"kind": "people"}),
    "crm:bulk": signed_in(kwargs=lambda w: {"kind": "people"}, post_only=True),
    "crm:bulk_options": signed_in(kwargs=lambda w: {"kind": "people"}),
    "crm:bulk_undo": Rule(
        allowed=frozenset({"alice"}),
        refused={"anonymous": LOGIN, "bob": 404, "manager": 404, "admin": 404},
        kwargs=lambda w: {"pk": w.bulk_operation.pk},
        post_only=True,
    ),
    "crm:merge": owned_by_alice(kwargs=lambda w: {"kind": "people", "pk": w.person.pk}),
    "crm:two_factor": signed_in(),
    "crm:two_factor_disable": signed_in(post_only=True),
    "crm:history": owned_by_alice(kwargs=lambda w: {"kind": "person", "pk": w.person.pk}),
    "crm:history_revert": admins(
        kwargs=lambda w: {
            "kind": "person",
            "pk": w.person.pk,
            "event": w.person.history.earliest("pgh_id").pgh_id,
        },
        post_only=True,
    ),
    "crm:attachment_add": owned_by_alice(
        kwargs=lambda w: {"kind": "person", "pk": w.person.pk}, post_only=True
    ),
    "crm:attachment_download": owned_by_alice(kwargs=lambda w: {"pk": w.attachment.pk}),
    # Seen by managers, deleted only by whoever attached it or an administrator.
    "crm:attachment_delete": Rule(
        allowed=frozenset({"alice", "admin"}),
        refused={"anonymous": LOGIN, "bob": 404, "manager": 403},
        kwargs=lambda w: {"pk": w.attachment.pk},
        post_only=True,
    ),
    "crm:healthz": public(),
    "admin_login_redirect": public(allowed_status=302),
    "crm:set_language": public(post_only=True),
    "crm:users": admins(),
    "crm:user_create": admins(),
    "crm:user_edit": admins(kwargs=lambda w: {"pk": w.alice.pk}),
    "crm:user_password": admins(kwargs=lambda w: {"pk": w.alice.pk}),
    "crm:user_deactivate": admins(kwargs=lambda w: {"pk": w.alice.pk}, post_only=True),
    "crm:user_activate": admins(kwargs=lambda w: {"pk": w.alice.pk}, post_only=True),
    # Activities, reminders, calendar, catalogs
    "activities:activities": signed_in(),
    "activities:outbox": signed_in(),
    # Only a failed email can be sent again: the world's is queued, so the writer is told no.
    "activities:email_retry": owned_by_alice(kwargs=lambda w: {"pk": w.email.pk}, post_only=True),
    "activities:email_templates": signed_in(),
    "activities:email_template_create": signed_in(),
    # A user's own template is theirs alone: nobody else, administrators included, sees it.
    "activities:email_template_edit": alices_alone(kwargs=lambda w: {"pk": w.email_template.pk}),
    "activities:email_template_delete": alices_alone(
        kwargs=lambda w: {"pk": w.email_template.pk}, post_only=True
    ),
    "activities:outbox_message": owned_by_alice(kwargs=lambda w: {"pk": w.outbox_message.pk}),
    "activities:activity_create": signed_in(),
    "activities:activity_done": owned_by_alice(kwargs=lambda w: {"pk": w.reminder.pk}, post_only=True),
    "activities:activity_pending": owned_by_alice(kwargs=lambda w: {"pk": w.reminder.pk}, post_only=True),
    "activities:reminders": signed_in(),
    "activities:activities_export": signed_in(),
    "activities:reminders_export": signed_in(),
    "crm:export_detail": Rule(
        allowed=frozenset({"alice"}),
        refused={"anonymous": LOGIN, "bob": 404, "manager": 404, "admin": 404},
        kwargs=lambda w: {"pk": w.export_job.pk},
    ),
    "crm:export_download": Rule(
        allowed=frozenset({"alice"}),
        refused={"anonymous": LOGIN, "bob": 404, "manager": 404, "admin": 404},
        kwargs=lambda w: {"pk": w.export_job.pk},
    ),
    "activities:reminder_reschedule": owned_by_alice(kwargs=lambda w: {"pk": w.reminder.pk}, post_only=True),
    "activities:reminder_reassign": managers(kwargs=lambda w: {"pk": w.reminder.pk}, post_only=True),
    "activities:person_email": owned_by_alice(kwargs=lambda w: {"pk": w.person.pk}),
    # Her company has one person with an address: straight to the composer.
    "activities:company_email": owned_by_alice(kwargs=lambda w: {"pk": w.company.pk}, allowed_status=302),
    "activities:person_whatsapp": owned_by_alice(kwargs=lambda w: {"pk": w.person.pk}),
    "automations:list": admins(),
    "automations:create": admins(),
    "automations:detail": admins(kwargs=lambda w: {"pk": w.rule.pk}),
    "automations:edit": admins(kwargs=lambda w: {"pk": w.rule.pk}),
    "automations:toggle": admins(kwargs=lambda w: {"pk": w.rule.pk}, post_only=True),
    "automations:move": admins(kwargs=lambda w: {"pk": w.rule.pk}, post_only=True),
    "automations:delete": admins(kwargs=lambda w: {"pk": w.rule.pk}, post_only=True),
    "crm:privacy": admins(),
    "crm:person_access_request": admins(kwargs=lambda w: {"pk": w.person.pk}, post_only=True),
    "crm:person_erase": admins(kwargs=lambda w: {"pk": w.person.pk}),
    "crm:access_request": admins(kwargs=lambda w: {"pk": w.access_request.pk}),
    # Its file is written by the worker: until then there is nothing to download.
    "crm:access_request_download": admins(kwargs=lambda w: {"pk": w.access_request.pk}, allowed_status=404),
    "goals:list": signed_in(),
    "goals:forecast": signed_in(),
    "goals:create": managers(),
    "goals:edit": managers(kwargs=lambda w: {"pk": w.goal.pk}),
    "goals:delete": managers(kwargs=lambda w: {"pk": w.goal.pk}, post_only=True),
    "activities:calendar": signed_in(),
    # Without a range the feed says what is missing.
    "activities:agenda_events": signed_in(allowed_status=400),
    "activities:agenda_move": signed_in(post_only=True),
    "activities:agenda_new": signed_in(),
    "activities:calendar_subscribe": signed_in(),
    "activities:mention_suggestions": signed_in(),
    "activities:notifications": signed_in(),
    # Signed out, the bell stops its polling (htmx's 286) instead of drawing the sign-in page.
    "activities:bell": Rule(
        allowed=frozenset({"alice", "bob", "manager", "admin"}), refused={"anonymous": 286}
    ),
    "activities:notifications_read": signed_in(post_only=True),
    "activities:notification_open": alices_alone(kwargs=lambda w: {"pk": w.notification.pk}, post_only=True),
    "activities:calendar_regenerate": signed_in(post_only=True),
    # The secret token is the credential of a calendar feed.
    "activities:calendar_feed": public(kwargs=lambda w: {"token": w.calendar_token}),
    "activities:catalogs": admins(),
    "activities:category_create": admins(post_only=True),
    "activities:category_edit": admins(kwargs=lambda w: {"pk": w.category.pk}),
    "activities:category_delete": admins(kwargs=lambda w: {"pk": w.category.pk}, post_only=True),
    # People and tags
    "people:list": signed_in(),
    "people:create": signed_in(),
    "people:autocomplete": signed_in(),
    "people:discarded": admins(),
    "people:detail": owned_by_alice(kwargs=lambda w: {"pk": w.person.pk}),
    "people:edit": owned_by_alice(kwargs=lambda w: {"pk": w.person.pk}),
    "people:stage": owned_by_alice(kwargs=lambda w: {"pk": w.person.pk}, post_only=True),
    "people:consents": owned_by_alice(kwargs=lambda w: {"pk": w.person.pk}),
    "people:discard": owned_by_alice(kwargs=lambda w: {"pk": w.person.pk}),
    # A discarded person exists only for admins: everyone else gets 404.
    "people:restore": Rule(
        allowed=frozenset({"admin"}),
        refused={"anonymous": LOGIN, "alice": 404, "bob": 404, "manager": 404},
        kwargs=lambda w: {"pk": w.discarded.pk},
        post_only=True,
    ),
    "people:tag_add": owned_by_alice(kwargs=lambda w: {"pk": w.person.pk}, post_only=True),
    "people:tag_remove": owned_by_alice(
        kwargs=lambda w: {"pk": w.person.pk, "tag_pk": w.tag.pk}, post_only=True
    ),
    "people:import": signed_in(),
    "people:imports": signed_in(),
    "people:import_detail": owned_by_alice(kwargs=lambda w: {"pk": w.import_job.pk}),
    "people:import_preview": owned_by_alice(kwargs=lambda w: {"pk": w.import_job.pk}, post_only=True),
    "people:import_remap": owned_by_alice(kwargs=lambda w: {"pk": w.import_job.pk}, post_only=True),
    "people:import_confirm": owned_by_alice(kwargs=lambda w: {"pk": w.import_job.pk}, post_only=True),
    "people:import_errors": owned_by_alice(kwargs=lambda w: {"pk": w.import_job.pk}),
    "people:export": signed_in(),
    "people:discarded_export": admins(),
    "people:tags": signed_in(),
    "people:tag_create": admins(),
    "people:tag_detail": signed_in(kwargs=lambda w: {"pk": w.tag.pk}),
    "people:tag_edit": admins(kwargs=lambda w: {"pk": w.tag.pk}),
    "people:tag_delete": admins(kwargs=lambda w: {"pk": w.tag.pk}),
    "people:tag_export": signed_in(kwargs=lambda w: {"pk": w.tag.pk}),
    # Campaigns
    "campaigns:list": signed_in(),
    "campaigns:create": signed_in(),
    "campaigns:add_people": signed_in(),
    "campaigns:detail": owned_by_alice(kwargs=lambda w: {"pk": w.campaign.pk}),
    "campaigns:edit": owned_by_alice(kwargs=lambda w: {"pk": w.campaign.pk}),
    "campaigns:import": owned_by_alice(kwargs=lambda w: {"pk": w.campaign.pk}),
    "campaigns:export": owned_by_alice(kwargs=lambda w: {"pk": w.campaign.pk}),
    "campaigns:member_add": owned_by_alice(kwargs=lambda w: {"pk": w.campaign.pk}, post_only=True),
    "campaigns:members_add_tag": owned_by_alice(kwargs=lambda w: {"pk": w.campaign.pk}, post_only=True),
    "campaigns:members_assign": owned_by_alice(kwargs=lambda w: {"pk": w.campaign.pk}, post_only=True),
    "campaigns:member": owned_by_alice(kwargs=lambda w: {"pk": w.campaign.pk, "member_pk": w.member.pk}),
    "campaigns:member_status": owned_by_alice(
        kwargs=lambda w: {"pk": w.campaign.pk, "member_pk": w.member.pk}, post_only=True
    ),
    "campaigns:member_remove": owned_by_alice(
        kwargs=lambda w: {"pk": w.campaign.pk, "member_pk": w.member.pk}, post_only=True
    ),
    # Opportunities
    "opportunities:list": signed_in(),
    "opportunities:create": signed_in(),
    "opportunities:export": signed_in(),
    "opportunities:detail": owned_by_alice(kwargs=lambda w: {"pk": w.opportunity.pk}),
    "opportunities:edit": owned_by_alice(kwargs=lambda w: {"pk": w.opportunity.pk}),
    "opportunities:status": owned_by_alice(kwargs=lambda w: {"pk": w.opportunity.pk}, post_only=True),
    "opportunities:service_order": owned_by_alice(kwargs=lambda w: {"pk": w.opportunity.pk}, post_only=True),
    "opportunities:delete": admins(kwargs=lambda w: {"pk": w.opportunity.pk}),
    "opportunities:move": owned_by_alice(kwargs=lambda w: {"pk": w.opportunity.pk}, post_only=True),
    "opportunities:comment": owned_by_alice(kwargs=lambda w: {"pk": w.opportunity.pk}, post_only=True),
    "opportunities:archive": owned_by_alice(kwargs=lambda w: {"pk": w.opportunity.pk}, post_only=True),
    "opportunities:follow": owned_by_alice(kwargs=lambda w: {"pk": w.opportunity.pk}, post_only=True),
    "opportunities:history_export": owned_by_alice(kwargs=lambda w: {"pk": w.opportunity.pk}),
    "opportunities:boards": signed_in(),
    "opportunities:board": owned_by_alice(kwargs=lambda w: {"pk": w.pipeline.pk}),
    "opportunities:board_cards": owned_by_alice(
        kwargs=lambda w: {"pk": w.pipeline.pk, "stage_pk": w.pipeline.stages.first().pk}
    ),
    "opportunities:board_history": owned_by_alice(kwargs=lambda w: {"pk": w.pipeline.pk}),
    "opportunities:filter_save": owned_by_alice(kwargs=lambda w: {"pk": w.pipeline.pk}, post_only=True),
    "opportunities:quick_add": owned_by_alice(kwargs=lambda w: {"pk": w.pipeline.pk}, post_only=True),
    "opportunities:filter_delete": Rule(
        allowed=frozenset({"alice"}),
        refused={"anonymous": LOGIN, "bob": 404, "manager": 404, "admin": 404},
        kwargs=lambda w: {"pk": w.saved_filter.pk},
        post_only=True,
    ),
    "opportunities:board_create": admins(),
    "opportunities:board_settings": admins(kwargs=lambda w: {"pk": w.pipeline.pk}),
    "opportunities:base_card": admins(kwargs=lambda w: {"pk": w.pipeline.pk}),
    "opportunities:stage_add": admins(kwargs=lambda w: {"pk": w.pipeline.pk}, post_only=True),
    "opportunities:stage_edit": admins(kwargs=lambda w: {"pk": w.stage.pk}, post_only=True),
    "opportunities:stage_move": admins(kwargs=lambda w: {"pk": w.stage.pk}, post_only=True),
    "opportunities:stage_delete": admins(kwargs=lambda w: {"pk": w.stage.pk}, post_only=True),
    # Service orders
    "serviceorders:list": signed_in(),
    # The number box redirects to the order, or back to the list when unknown.
    "serviceorders:go": signed_in(allowed_status=302),
    "serviceorders:create": signed_in(),
    "serviceorders:export": signed_in(),
    "serviceorders:reports": signed_in(),
    "serviceorders:projects": signed_in(),
    "serviceorders:project_create": signed_in(),
    "serviceorders:project": owned_by_alice(kwargs=lambda w: {"key": w.project.key}),
    "serviceorders:project_edit": owned_by_alice(kwargs=lambda w: {"key": w.project.key}),
    "serviceorders:detail": owned_by_alice(kwargs=lambda w: {"number": w.order.number}),
    "serviceorders:edit": owned_by_alice(kwargs=lambda w: {"number": w.order.number}),
    "serviceorders:entry_add": owned_by_alice(kwargs=lambda w: {"number": w.order.number}, post_only=True),
    "serviceorders:verify": owned_by_alice(kwargs=lambda w: {"number": w.order.number}, post_only=True),
    "serviceorders:reopen": owned_by_alice(kwargs=lambda w: {"number": w.order.number}, post_only=True),
    # Catalog, lines, quotes, conversion
    "catalog:list": signed_in(),
    "catalog:create": admins(),
    "catalog:edit": admins(kwargs=lambda w: {"pk": w.product.pk}),
    "opportunities:line_add": owned_by_alice(kwargs=lambda w: {"pk": w.opportunity.pk}, post_only=True),
    "opportunities:line_remove": owned_by_alice(
        kwargs=lambda w: {"pk": w.opportunity.pk, "line_pk": w.line.pk}, post_only=True
    ),
    "opportunities:quote_create": owned_by_alice(kwargs=lambda w: {"pk": w.opportunity.pk}, post_only=True),
    "quotes:list": signed_in(),
    "quotes:detail": owned_by_alice(kwargs=lambda w: {"pk": w.quote.pk}),
    "quotes:pdf": owned_by_alice(kwargs=lambda w: {"pk": w.quote.pk}),
    "quotes:status": owned_by_alice(kwargs=lambda w: {"pk": w.quote.pk}, post_only=True),
    "quotes:email": owned_by_alice(kwargs=lambda w: {"pk": w.quote.pk}),
    "opportunities:convert": owned_by_alice(kwargs=lambda w: {"pk": w.person.pk}),
    # Lead forms and lists
    "activities:mailbox": signed_in(),
    # Meta's calls only: the handshake needs the verify token, a delivery the signature.
    "activities:whatsapp_webhook": Rule(allowed=frozenset(), refused=dict.fromkeys(PERSONAS, 403)),
    "activities:person_whatsapp_send": owned_by_alice(kwargs=lambda w: {"pk": w.person.pk}),
    "activities:team_mailbox": admins(),
    "activities:inbox": signed_in(),
    "activities:outbox_reply": owned_by_alice(kwargs=lambda w: {"pk": w.outbox_message.pk}, post_only=True),
    "activities:inbox_message": owned_by_alice(kwargs=lambda w: {"pk": w.inbound.pk}),
    "unsubscribe": public(kwargs=lambda w: {"token": w.unsubscribe_token}),
    "campaigns:mailings": signed_in(),
    "campaigns:mailing_create": signed_in(),
    "campaigns:mailing": owned_by_alice(kwargs=lambda w: {"pk": w.mailing.pk}),
    "public_lead_form": public(kwargs=lambda w: {"token": w.lead_form.token}),
    "campaigns:leadforms": admins(),
    "campaigns:leadform_create": admins(),
    "campaigns:leadform_edit": admins(kwargs=lambda w: {"pk": w.lead_form.pk}),
    "people:lists": signed_in(),
    "people:list_save": signed_in(post_only=True),
    "people:list_delete": Rule(
        allowed=frozenset({"alice"}),
        refused={"anonymous": LOGIN, "bob": 404, "manager": 404, "admin": 404},
        kwargs=lambda w: {"pk": w.saved_list.pk},
        post_only=True,
    ),
    # Dashboard and reports: everyone, each over the records they may see.
    "reports:index": signed_in(),
    "reports:dashboard": signed_in(),
    "reports:chart": signed_in(kwargs=lambda w: {"slug": "people-by-stage"}),
    "reports:activities": signed_in(),
    "reports:opportunities": signed_in(),
    "reports:campaigns": signed_in(),
    # Companies
    "companies:list": signed_in(),
    "companies:create": signed_in(),
    "companies:autocomplete": signed_in(),
    "companies:discarded": admins(),
    "companies:restore": admins(kwargs=lambda w: {"pk": w.company.pk}, post_only=True),
    "companies:export": signed_in(),
    "companies:import": signed_in(),
    "companies:detail": owned_by_alice(kwargs=lambda w: {"pk": w.company.pk}),
    "companies:edit": owned_by_alice(kwargs=lambda w: {"pk": w.company.pk}),
    "companies:person_create": owned_by_alice(kwargs=lambda w: {"pk": w.company.pk}),
    "companies:membership_add": signed_in(post_only=True),
    "companies:membership_remove": owned_by_alice(kwargs=lambda w: {"pk": w.membership.pk}, post_only=True),
}

# Django's own admin site guards itself (is_staff follows the admin role);
# it is checked once below instead of pattern by pattern.
SKIPPED_NAMESPACES = {"admin"}


def _url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    resolver = resolver or get_resolver()
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                if pattern.namespace in SKIPPED_NAMESPACES:
                    continue
                inner = f"{namespace}{pattern.namespace}:"
            names |= _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name is None:
                raise AssertionError(f"URL pattern {pattern.pattern} has no name")
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_has_an_access_rule():
    names = _url_names()
    missing = sorted(names - RULES.keys())
    stale = sorted(RULES.keys() - names)
    assert not missing, f"URLs without an access rule in RULES: {missing}"
    assert not stale, f"RULES name URLs that no longer exist: {stale}"


def _check_refused(response, expected, url: str, persona: str, method: str) -> None:
    if expected == LOGIN:
        assert response.status_code == 302, f"{method} {url} as {persona}: {response.status_code}"
        assert response["Location"].startswith(reverse(settings.LOGIN_URL)), (
            f"{method} {url} as {persona} redirected to {response['Location']}, not sign-in"
        )
    else:
        assert response.status_code == expected, (
            f"{method} {url} as {persona}: got {response.status_code}, expected {expected}"
        )


@pytest.mark.parametrize("name", sorted(RULES))
def test_url_lets_in_exactly_whom_the_role_table_says(name, world):
    rule = RULES[name]
    url = reverse(name, kwargs=rule.kwargs(world) if rule.kwargs else None)
    for persona in PERSONAS:
        client = persona_client(world, persona)
        response = client.get(url)
        if persona in rule.allowed:
            expected = 405 if rule.post_only else rule.allowed_status
            if name == "login" and persona != "anonymous":
                expected = 302  # signed-in users are sent home
            assert response.status_code == expected, (
                f"GET {url} as {persona}: got {response.status_code}, expected {expected}"
            )
        elif rule.post_only:
            # GET may stop at the method (405); the POST must be refused.
            if response.status_code != 405:
                _check_refused(response, rule.refused[persona], url, persona, "GET")
            _check_refused(client.post(url), rule.refused[persona], url, persona, "POST")
        else:
            _check_refused(response, rule.refused[persona], url, persona, "GET")


def test_django_admin_site_is_for_admins_only(world):
    url = reverse("admin:index")
    for persona in ("anonymous", "alice", "manager"):
        response = persona_client(world, persona).get(url)
        assert response.status_code == 302, persona
        assert "/login/" in response["Location"]
    assert persona_client(world, "admin").get(url).status_code == 200
