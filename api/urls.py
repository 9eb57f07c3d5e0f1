from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api import token_views, views, webhook_views

router = DefaultRouter()
router.register("people", views.PersonViewSet, basename="person")
router.register("companies", views.CompanyViewSet, basename="company")
router.register("tags", views.TagViewSet, basename="tag")
router.register("opportunities", views.OpportunityViewSet, basename="opportunity")
router.register("activities", views.ActivityViewSet, basename="activity")
router.register("reminders", views.ReminderViewSet, basename="reminder")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("campaign-members", views.CampaignMemberViewSet, basename="campaign-member")
router.register("orders", views.ServiceOrderViewSet, basename="order")
router.register("erasures", views.ErasureViewSet, basename="erasure")

app_name = "api"
urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("tokens/", token_views.token_list, name="tokens"),
    path("webhooks/", webhook_views.webhook_list, name="webhooks"),
    path("webhooks/<int:pk>/", webhook_views.webhook_detail, name="webhook"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
]
