"""Version 1 of the REST API."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from coaching.api.views import CoachingSessionViewSet
from content.api.views import VideoMetricViewSet, VideoViewSet
from creators.api.views import BindingViewSet, CreatorViewSet, MetricViewSet
from incentives.api.estimates import EstimateViewSet
from incentives.api.payouts import LedgerEntryViewSet, RefundViewSet
from incentives.api.views import (
    CycleViewSet,
    ProgramViewSet,
    RewardListLineViewSet,
    RewardListViewSet,
    StatementViewSet,
)
from incubation.api.views import (
    NominationViewSet,
    PoolMemberViewSet,
    RankingViewSet,
    ShortlistViewSet,
)
from organizations.api.views import AssignmentViewSet, OrganizationViewSet
from placements.api.views import BoostViewSet, CouponViewSet, PlacementViewSet
from portal.accounts.api.views import MeView
from portal.audit.api.views import AuditEntryViewSet
from portal.core.api.views import CategoryViewSet
from risk.api.views import IdentityHashViewSet, LinkedOrdersViewSet

router = DefaultRouter()
router.register("categories", CategoryViewSet, basename="category")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("audit-entries", AuditEntryViewSet, basename="audit-entry")
router.register("creators", CreatorViewSet, basename="creator")
router.register("bindings", BindingViewSet, basename="binding")
router.register("metrics", MetricViewSet, basename="metric")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("coaching-sessions", CoachingSessionViewSet, basename="coaching-session")
router.register("programs", ProgramViewSet, basename="program")
router.register("cycles", CycleViewSet, basename="cycle")
router.register("reward-lists", RewardListViewSet, basename="reward-list")
router.register(
    r"reward-lists/(?P<reward_list_pk>[0-9]+)/lines",
    RewardListLineViewSet,
    basename="reward-list-line",
)
router.register("statements", StatementViewSet, basename="statement")
router.register("ledger-entries", LedgerEntryViewSet, basename="ledger-entry")
router.register("refunds", RefundViewSet, basename="refund")
router.register("estimates", EstimateViewSet, basename="estimate")
router.register("reserve-pool", PoolMemberViewSet, basename="pool-member")
router.register("nominations", NominationViewSet, basename="nomination")
router.register("rankings", RankingViewSet, basename="ranking")
router.register("shortlist", ShortlistViewSet, basename="shortlist")
router.register("videos", VideoViewSet, basename="video")
router.register("video-metrics", VideoMetricViewSet, basename="video-metric")
# Before "placements": its detail route would take "boosts" for a placement's id.
router.register("placements/boosts", BoostViewSet, basename="placement-boost")
router.register("placements", PlacementViewSet, basename="placement")
router.register("coupons", CouponViewSet, basename="coupon")
router.register("risk-identities", IdentityHashViewSet, basename="risk-identity")
router.register("linked-orders", LinkedOrdersViewSet, basename="linked-orders")

app_name = "api"

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("", include(router.urls)),
]
