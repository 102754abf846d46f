from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from content import services
from content.models import Decision, Grade, Video, VideoMetric
from portal.accounts.permissions import ActionPermission
from portal.core.api.conditional import ConditionalRetrieveMixin
from portal.core.api.schemas import WRITE_ERRORS
from portal.core.idempotency import IDEMPOTENCY_PARAMETERS, idempotent

from .filters import VideoFilterSet, VideoMetricFilterSet
from .serializers import (
    CoverSerializer,
    VideoBatchResultSerializer,
    VideoBatchSerializer,
    VideoMetricBatchResultSerializer,
    VideoMetricBatchSerializer,
    VideoMetricSerializer,
    VideoSerializer,
)


def _result(result: dict) -> dict:
    return {**result, "errors": {str(k): v for k, v in result["errors"].items()}}


@extend_schema_view(
    list=extend_schema(summary="List videos visible to the caller"),
    retrieve=extend_schema(summary="One video, with its originality decisions and latest grade"),
)
class VideoViewSet(
    ConditionalRetrieveMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Videos. Operators see all; managers those of their fields; organizations those published
    while the creator was bound to them; partners those of admitted organizations."""

    serializer_class = VideoSerializer
    permission_classes = [ActionPermission]
    required_action = {
        "list": "content.view",
        "retrieve": "content.view",
        "create": "content.write",
        "cover": "content.write",
    }
    scope_resource = "content"
    filterset_class = VideoFilterSet
    ordering_fields = ["id", "published_at"]

    def get_queryset(self):
        return (
            Video.objects.for_user(self.request.user)
            .select_related("creator", "category", "content_type", "review")
            .prefetch_related(
                "products",
                Prefetch(
                    "review__decisions", Decision.objects.select_related("reason").order_by("id")
                ),
                Prefetch("grades", Grade.objects.select_related("rubric")),
            )
        )

    @extend_schema(
        summary="Send videos in bulk (up to 5,000)",
        description=(
            "Upserts by `video_id`: a video sent again updates its description (its creator and "
            "the organization at publication are kept). Rows with an unknown account, field or "
            "type are reported by position and the rest are written. New key-frame hashes are "
            "checked for originality in the background."
        ),
        request=VideoBatchSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={200: VideoBatchResultSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        batch = VideoBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        rows = [
            services.VideoRow(
                video_id=row["video_id"],
                platform_account_id=row["platform_account_id"],
                category=row["category"],
                content_type=row["content_type"],
                title=row["title"],
                duration_seconds=row["duration_seconds"],
                published_at=row["published_at"],
                declared_original=row["declared_original"],
                products=tuple(
                    services.ProductRow(p["sku_id"], p["name"], p["category"])
                    for p in row["products"]
                ),
                frames=tuple(row["fingerprint"]),
            )
            for row in batch.validated_data["rows"]
        ]
        return Response(_result(services.videos_upsert(actor=request.user, rows=rows)))

    @extend_schema(
        summary="Send a video's cover image",
        description="The portal keeps a cleaned copy and checks the video by its cover hash.",
        request={"multipart/form-data": CoverSerializer},
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={200: VideoSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    @idempotent
    def cover(self, request, pk=None):
        video = self.get_object()
        data = CoverSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.video_set_cover(
            actor=request.user, video=video, upload=data.validated_data["cover"]
        )
        return Response(VideoSerializer(self.get_queryset().get(pk=video.pk)).data)


@extend_schema_view(
    list=extend_schema(summary="List per-video daily figures visible to the caller"),
    retrieve=extend_schema(summary="One video's figures of one day"),
)
class VideoMetricViewSet(
    ConditionalRetrieveMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Per-video daily figures (plays, valid plays, completion rate, interactions, GMV)."""

    serializer_class = VideoMetricSerializer
    permission_classes = [ActionPermission]
    required_action = {
        "list": "content.view",
        "retrieve": "content.view",
        "create": "content.write",
    }
    scope_resource = "content"
    filterset_class = VideoMetricFilterSet
    ordering_fields = ["id", "date"]

    def get_queryset(self):
        return VideoMetric.objects.for_user(self.request.user).select_related("video")

    @extend_schema(
        summary="Send per-video daily figures in bulk (up to 5,000 rows)",
        description="Upserts by (video, date): a day sent again replaces the earlier figures.",
        request=VideoMetricBatchSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={200: VideoMetricBatchResultSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        batch = VideoMetricBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        rows = [services.VideoMetricRow(**row) for row in batch.validated_data["rows"]]
        result = services.video_metrics_upsert(actor=request.user, rows=rows)
        return Response(_result(result), status=status.HTTP_200_OK)
