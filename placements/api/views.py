from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from placements import services
from placements.models import Coupon, Placement
from placements.selectors import BOOST_COLUMNS, boosts, feed, feed_rows, value_rows, with_boosts
from portal.accounts.permissions import ActionPermission
from portal.core.api.conditional import ConditionalRetrieveMixin, conditional
from portal.core.api.errors import ErrorSerializer
from portal.core.api.values import converter
from portal.core.idempotency import IDEMPOTENCY_ERRORS, IDEMPOTENCY_PARAMETERS, idempotent

from .filters import CouponFilterSet, PlacementFilterSet, boost_filters, feed_filters
from .serializers import (
    BoostSerializer,
    CouponSerializer,
    DeliveryBatchSerializer,
    DeliveryResultSerializer,
    PlacementSerializer,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer),
    403: OpenApiResponse(ErrorSerializer),
    404: OpenApiResponse(ErrorSerializer),
}


@extend_schema_view(
    list=extend_schema(
        summary="The placement feed",
        description=(
            "What the front ends show: by surface and day (`?surface=&date=&field=`) or by "
            "product (`?sku=`). Withdrawn placements stay in the feed with `status` "
            "`withdrawn`, so a front end that cached a day learns it at once. Answers carry an "
            "`ETag`; send it back in `If-None-Match` to get `304` when nothing changed."
        ),
    ),
    retrieve=extend_schema(summary="One placement"),
)
class PlacementViewSet(ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Placements on the display surfaces, with the video's boost factor."""

    serializer_class = PlacementSerializer
    permission_classes = [ActionPermission]
    required_action = "placements.feed"
    scope_resource = "placements"
    filterset_class = PlacementFilterSet
    ordering_fields = ["id"]

    def get_queryset(self):
        return Placement.objects.for_user(self.request.user).select_related(
            "surface", "category", "video__creator", "product"
        )

    def get_object(self):
        return with_boosts([super().get_object()])[0]

    def list(self, request, *args, **kwargs):
        """Answered from the feed's indexes as `.values()` rows (placements/selectors.py
        `feed`), built with the serializer's own field representations: the same JSON and
        schema as a serialized page, without a model instance per row."""
        values = feed(request.user, **feed_filters(request.query_params))
        page = self.paginate_queryset(values)
        fields = self.get_serializer().fields
        rows = feed_rows(page, {name: converter(field) for name, field in fields.items()})
        return conditional(request, self.get_paginated_response(rows))


@extend_schema_view(
    list=extend_schema(summary="Traffic coupons: impressions granted and delivered"),
    retrieve=extend_schema(summary="One traffic coupon"),
)
class CouponViewSet(ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CouponSerializer
    permission_classes = [ActionPermission]
    required_action = {
        "list": "placements.feed",
        "retrieve": "placements.feed",
        "deliveries": "coupons.deliver",
    }
    scope_resource = "placements"
    filterset_class = CouponFilterSet
    ordering_fields = ["id"]

    def get_queryset(self):
        return Coupon.objects.for_user(self.request.user).select_related("video")

    @extend_schema(
        summary="Report impressions delivered per coupon and day",
        description=(
            "A (coupon, date) sent again with the same figure changes nothing; a new figure "
            "replaces the day. Rows naming an unknown or closed coupon, or delivering more than "
            "was granted, are reported by position and the others are applied."
        ),
        request=DeliveryBatchSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={200: DeliveryResultSerializer, **ERRORS, **IDEMPOTENCY_ERRORS},
    )
    @action(detail=False, methods=["post"])
    @idempotent
    def deliveries(self, request):
        batch = DeliveryBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        rows = [
            services.DeliveryRow(coupon=r["coupon"], day=r["date"], impressions=r["impressions"])
            for r in batch.validated_data["rows"]
        ]
        result = services.deliveries_report(actor=request.user, rows=rows)
        return Response(
            {
                "applied": result.applied,
                "unchanged": result.unchanged,
                "errors": {str(k): v for k, v in result.errors.items()},
            }
        )


@extend_schema_view(
    list=extend_schema(
        summary="Boost factors of every graded video",
        description=(
            "Weighted exposure for the recommendation system: one row per graded video whose "
            "originality stands (declared original, not rejected as a copy), with the factor of "
            "its grade and originality under the placement rule in force today (`boost_rule`, "
            "1.00 where the rule names none). `?since=` lists only the videos whose grade or "
            "originality changed at or after that time; when `boost_rule` differs from the "
            "version you hold, a new rule is in force: read the whole list again without "
            "`since`. Answers carry an `ETag`; send it back in `If-None-Match` to get `304`."
        ),
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.DATETIME,
                description="Only videos whose grade or originality changed since (ISO 8601).",
            ),
            OpenApiParameter("field", OpenApiTypes.STR, description="Creative field code."),
        ],
    ),
)
class BoostViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Boost factors by video, read from the videos' partial indexes."""

    serializer_class = BoostSerializer
    permission_classes = [ActionPermission]
    required_action = "placements.feed"
    scope_resource = "placements"
    filter_backends = []  # boost_filters: the two parameters, without a filter set

    def get_queryset(self):
        return boosts(self.request.user, day=timezone.localdate())

    def list(self, request, *args, **kwargs):
        values = boosts(
            request.user, day=timezone.localdate(), **boost_filters(request.query_params)
        )
        page = self.paginate_queryset(values)
        fields = self.get_serializer().fields
        represent = {name: converter(field) for name, field in fields.items()}
        rows = value_rows(page, BOOST_COLUMNS, represent)
        return conditional(request, self.get_paginated_response(rows))
