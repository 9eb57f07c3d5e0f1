"""The REST API (/api/v1/): the same scopes (crm.access), filters, forms and
services as the pages, so a token or a browser session sees and changes exactly
what its user could on the pages."""

from __future__ import annotations

from contextlib import contextmanager

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from activities import services as activity_services
from activities.filters import ActivityFilter, ReminderFilter
from activities.forms import ActivityForm
from api import serializers
from campaigns import services as campaign_services
from campaigns.filters import CampaignFilter
from campaigns.forms import CampaignForm, MemberAddForm
from campaigns.forms import StatusForm as MemberStatusForm
from companies import services as company_services
from companies.filters import CompanyFilter
from companies.forms import CompanyForm, MembershipForm
from crm import access
from crm.forms import current_values
from opportunities import services as opportunity_services
from opportunities.filters import OpportunityFilter
from opportunities.forms import MoveForm, OpportunityForm, StatusForm
from people import services as people_services
from people.filters import PersonFilter
from people.forms import DiscardForm, PersonForm, TagForm
from serviceorders import services as order_services
from serviceorders.filters import OrderFilter
from serviceorders.forms import EntryForm, OrderForm


class Pages(CursorPagination):
    """Cursor pages: the 10,000th page costs what the first does."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ScopedFilters(BaseFilterBackend):
    """The list pages' own django-filter sets, given the user as the pages give it."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is None or getattr(view, "action", None) != "list":
            return queryset
        filterset = filterset_class(request.query_params, queryset=queryset, user=request.user)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset.qs

    def get_schema_operation_parameters(self, view):
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is None:
            return []
        return [
            {"name": name, "required": False, "in": "query", "schema": {"type": "string"}}
            for name in filterset_class.base_filters
        ]


MULTIPLE = (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)


def _plain(data, form) -> dict:
    """The request's fields as a form takes them: a JSON object (or form data) whose
    values are single values, lists only for fields that take several."""
    if isinstance(data, QueryDict):
        return {key: values if len(values) > 1 else values[0] for key, values in data.lists()}
    wrong = {
        key: [_("Expected a single value, not a list or an object.")]
        for key, value in data.items()
        if isinstance(value, dict)
        or (isinstance(value, list) and not isinstance(form.fields.get(key), MULTIPLE))
    }
    if wrong:
        raise ValidationError(wrong)
    # Scalars as a browser would post them ("true", "42"): the forms then read them alike.
    return {key: _as_posted(value) for key, value in data.items()}


def _as_posted(value):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [_as_posted(item) for item in value]
    return str(value)


def _errors(error_dict: dict) -> dict:
    return {("non_field_errors" if k == "__all__" else k): [str(m) for m in v] for k, v in error_dict.items()}


@contextmanager
def service_errors():
    """A service's refusal (Django's ValidationError) as a 400 with the messages by field."""
    try:
        yield
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            messages = {k: [m for e in v for m in e.messages] for k, v in error.error_dict.items()}
            raise ValidationError(_errors(messages)) from None
        raise ValidationError({"non_field_errors": error.messages}) from None


class FormWrites:
    """Writes through the pages' forms. What a request leaves out keeps the
    form's value (the record's, or the default a new one starts with), as an
    untouched field of the page would post it."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in ("POST", "PUT", "PATCH") and not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": [_("The body must be a JSON object.")]})

    def bound_form(self, form_class, *, instance=None, **kwargs):
        drawn = form_class(instance=instance, **kwargs) if instance is not None else form_class(**kwargs)
        data = current_values(drawn)
        data.update(_plain(self.request.data, drawn))
        if instance is not None:
            kwargs["instance"] = instance
        form = form_class(data, **kwargs)
        if not form.is_valid():
            raise ValidationError(_errors(form.errors))
        return form

    def answer(self, record, code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(record).data, status=code)


class Scoped(FormWrites, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    pagination_class = Pages
    filter_backends = [ScopedFilters]

    def get_object_to_change(self):
        """The record, for a write: seen but not the user's to change is 403 (crm.access)."""
        record = self.get_object()
        if not access.may_change(self.request.user, record):
            raise PermissionDenied(_("You may see this record but not change it."))
        return record


class PersonViewSet(Scoped):
    """People the user may see (an agent's own); discarded people are not here."""

    serializer_class = serializers.PersonSerializer
    filterset_class = PersonFilter

    def get_queryset(self):
        return access.people(self.request.user).prefetch_related("tags")

    def list(self, request, *args, **kwargs):
        """A page of people; who listed which, with what filter, is recorded (the export log)."""
        from crm.personal_data import audit

        response = super().list(request, *args, **kwargs)
        rows = response.data.get("results", []) if isinstance(response.data, dict) else response.data
        audit(by=request.user, what="api:people", filters=request.GET.urlencode(), rows=len(rows))
        return response

    def create(self, request):
        form = self.bound_form(PersonForm, user=request.user)
        return self.answer(self._save(form), status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        person = self.get_object_to_change()
        form = self.bound_form(PersonForm, instance=person, user=request.user)
        return self.answer(self._save(form, person))

    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)

    def _save(self, form: PersonForm, person=None):
        duplicates = form.duplicates(self.request.user, exclude_pk=person.pk if person else None)
        if duplicates is not None:
            raise ValidationError(
                {
                    "confirm_duplicate": [
                        _(
                            "Someone with this email or phone is already in the CRM: send confirm_duplicate=true to save anyway."
                        )
                    ]
                }
            )
        with service_errors():
            return form.save_for(self.request.user, person)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        person = self.get_object_to_change()
        form = self.bound_form(DiscardForm)
        with service_errors():
            person = people_services.person_discard(
                person=person, by=request.user, reason=form.cleaned_data["reason"]
            )
        return self.answer(person)


class CompanyViewSet(Scoped):
    serializer_class = serializers.CompanySerializer
    filterset_class = CompanyFilter

    def get_queryset(self):
        return access.companies(self.request.user)

    def create(self, request):
        form = self.bound_form(CompanyForm, user=request.user)
        with service_errors():
            company = company_services.company_create(by=request.user, **form.company_fields())
        return self.answer(company, status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        company = self.get_object_to_change()
        form = self.bound_form(CompanyForm, instance=company, user=request.user)
        with service_errors():
            company = company_services.company_update(
                company=company, by=request.user, version=form.version, **form.company_fields()
            )
        return self.answer(company)

    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)


class TagViewSet(FormWrites, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Tags; administrators create them, as on the Tags page."""

    serializer_class = serializers.TagSerializer
    pagination_class = Pages

    def get_queryset(self):
        return access.tags(self.request.user)

    def create(self, request):
        if not access.is_admin(request.user):
            raise PermissionDenied(_("Only administrators create tags."))
        form = self.bound_form(TagForm)
        with service_errors():
            tag = people_services.tag_create(name=form.cleaned_data["name"], color=form.cleaned_data["color"])
        return self.answer(tag, status.HTTP_201_CREATED)


class OpportunityViewSet(Scoped):
    """Cards the user may see; status and stage change through the same rules as the board."""

    serializer_class = serializers.OpportunitySerializer
    filterset_class = OpportunityFilter

    def get_queryset(self):
        return access.opportunities(self.request.user).prefetch_related("tags", "members")

    def create(self, request):
        chosen = str(request.data.get("pipeline", ""))
        board = access.pipelines(request.user).filter(pk=chosen).first() if chosen.isdigit() else None
        if board is None:
            raise ValidationError({"pipeline": [_("Choose a board you are a member of.")]})
        form = self.bound_form(OpportunityForm, user=request.user, pipeline=board)
        with service_errors():
            card = form.save_for(request.user, base_card=True)  # the API's caller never saw it
        return self.answer(card, status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        card = self.get_object_to_change()
        form = self.bound_form(OpportunityForm, instance=card, user=request.user)
        with service_errors():
            card = form.save_for(request.user, base_card=False)
        return self.answer(card)

    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Wait, Working, Closed (won) or Lost, with what each needs (as on the card's page)."""
        card = self.get_object_to_change()
        form = self.bound_form(StatusForm)
        with service_errors():
            card = opportunity_services.opportunity_set_status(
                opportunity=card, by=request.user, **form.cleaned_data
            )
        return self.answer(card)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """To another stage of its board (and position)."""
        card = self.get_object_to_change()
        form = self.bound_form(MoveForm, user=request.user)
        with service_errors():
            card = opportunity_services.opportunity_move(
                opportunity=card,
                by=request.user,
                stage=form.cleaned_data["stage"],
                position=form.cleaned_data["position"],
            )
        return self.answer(card)


class ActivityViewSet(Scoped):
    """Activities the user may see; ``status`` pending (the default, as on the page) or done."""

    serializer_class = serializers.ActivitySerializer
    filterset_class = ActivityFilter

    def get_queryset(self):
        # The list is the user's own (a walk down their index, as on the page); one
        # activity may also be of a card they follow.
        return access.activities(self.request.user, followed=self.action != "list")

    def create(self, request):
        form = self.bound_form(ActivityForm, user=request.user)
        with service_errors():
            activity, _follow_up = form.log(request.user)
        return self.answer(activity, status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        return self.answer(activity_services.activity_mark_done(activity=self.get_object(), by=request.user))


class ReminderViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Open planned activities: the user's own and those of the cards they follow."""

    serializer_class = serializers.ActivitySerializer
    filterset_class = ReminderFilter
    pagination_class = Pages
    filter_backends = [ScopedFilters]

    def get_queryset(self):
        return access.reminders(self.request.user, followed=True)


class ErasureViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Erased people (crm.personal_data), newest first, for integrations that keep copies and
    must erase them too: the person's number and when. Administrators only."""

    serializer_class = serializers.ErasureSerializer
    pagination_class = Pages

    def get_queryset(self):
        return access.erasures(self.request.user).order_by("-at", "-id")


class MembershipViewSet(FormWrites, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """People's positions in companies."""

    serializer_class = serializers.MembershipSerializer
    pagination_class = Pages

    def get_queryset(self):
        return access.memberships(self.request.user)

    def create(self, request):
        form = self.bound_form(MembershipForm, user=request.user)
        data = form.cleaned_data
        membership = company_services.membership_add(
            person=data["person"], company=data["company"], area=data["area"], position=data["position"]
        )
        return self.answer(membership, status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        company_services.membership_remove(membership=instance)


class CampaignViewSet(Scoped):
    """Campaigns the user may see; people join them through ``members``."""

    serializer_class = serializers.CampaignSerializer
    filterset_class = CampaignFilter

    def get_queryset(self):
        return access.campaigns(self.request.user)

    def create(self, request):
        form = self.bound_form(CampaignForm, user=request.user)
        with service_errors():
            campaign = campaign_services.campaign_create(by=request.user, **form.campaign_fields())
        return self.answer(campaign, status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        campaign = self.get_object_to_change()
        form = self.bound_form(CampaignForm, instance=campaign, user=request.user)
        with service_errors():
            campaign = campaign_services.campaign_update(
                campaign=campaign, by=request.user, version=form.version, **form.campaign_fields()
            )
        return self.answer(campaign)

    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)

    @extend_schema(request=None, responses=serializers.CampaignMemberSerializer)
    @action(detail=True, methods=["post"], url_path="members")
    def add_member(self, request, pk=None):
        campaign = self.get_object_to_change()
        form = self.bound_form(MemberAddForm, user=request.user)
        with service_errors():
            member = campaign_services.member_add(
                campaign=campaign, person=form.cleaned_data["person"], by=request.user
            )
        return Response(serializers.CampaignMemberSerializer(member).data, status=status.HTTP_201_CREATED)


class CampaignMemberViewSet(Scoped):
    """The campaign members an agent works (all for managers); ``status`` as on the work page."""

    serializer_class = serializers.CampaignMemberSerializer

    def get_queryset(self):
        return access.campaign_members(self.request.user)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        member = self.get_object()
        form = self.bound_form(MemberStatusForm)
        with service_errors():
            member = campaign_services.member_set_status(
                member=member, by=request.user, status=form.cleaned_data["status"]
            )
        return self.answer(member)


class ServiceOrderViewSet(Scoped):
    """Service orders by number (an agent's assigned ones); services registered through ``entries``."""

    serializer_class = serializers.ServiceOrderSerializer
    filterset_class = OrderFilter
    lookup_field = "number"

    def get_queryset(self):
        return access.service_orders(self.request.user).prefetch_related("entries")

    def create(self, request):
        form = self.bound_form(OrderForm, user=request.user)
        with service_errors():
            order = order_services.order_create(by=request.user, **form.service_order_fields())
        return self.answer(order, status.HTTP_201_CREATED)

    def update(self, request, number=None, partial=False):
        order = self.get_object_to_change()
        form = self.bound_form(OrderForm, instance=order, user=request.user)
        with service_errors():
            order = order_services.order_update(
                order=order, by=request.user, version=form.version, **form.service_order_fields()
            )
        return self.answer(order)

    def partial_update(self, request, number=None):
        return self.update(request, number, partial=True)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def entries(self, request, number=None):
        """Register a service; ``finished`` marks the order done."""
        order = self.get_object()
        form = self.bound_form(EntryForm)
        with service_errors():
            order_services.entry_add(order=order, by=request.user, **form.cleaned_data)
        return self.answer(self.get_queryset().get(pk=order.pk), status.HTTP_201_CREATED)
