from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from creators import services
from creators.filtersets import RosterFilterSet
from creators.models import Binding, Creator, DailyMetric
from creators.selectors import roster_queryset
from organizations.models import Organization
from portal.accounts.permissions import ActionPermission
from portal.core.api.conditional import ConditionalRetrieveMixin
from portal.core.api.schemas import WRITE_ERRORS
from portal.core.api.values import ValuesListMixin
from portal.core.idempotency import IDEMPOTENCY_PARAMETERS, idempotent

from .serializers import (
    BindingCreateSerializer,
    BindingEndSerializer,
    BindingSerializer,
    CreatorSerializer,
    MetricBatchResultSerializer,
    MetricBatchSerializer,
    MetricSerializer,
    plain_metric_rows,
)


@extend_schema_view(
    list=extend_schema(summary="List creators visible to the caller"),
    retrieve=extend_schema(summary="One creator"),
)
class CreatorViewSet(ValuesListMixin, ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Creators. Operators see all; managers those of their categories; organizations the
    creators bound to them now."""

    serializer_class = CreatorSerializer
    permission_classes = [ActionPermission]
    required_action = "roster.view"
    scope_resource = "creators"
    filterset_class = RosterFilterSet
    ordering_fields = ["id"]

    def get_queryset(self):
        return roster_queryset(self.request.user).prefetch_related("secondary_categories")


@extend_schema_view(
    list=extend_schema(summary="List bindings visible to the caller"),
    retrieve=extend_schema(summary="One binding"),
)
class BindingViewSet(
    ConditionalRetrieveMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Bindings between creators and organizations, current and ended."""

    serializer_class = BindingSerializer
    permission_classes = [ActionPermission]
    required_action = "roster.view"
    scope_resource = "bindings"
    filterset_fields = ["organization", "source"]
    ordering_fields = ["id"]

    def get_queryset(self):
        return Binding.objects.for_user(self.request.user).select_related("creator", "consent")

    @extend_schema(
        summary="Bind an existing creator",
        request=BindingCreateSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={201: BindingSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        data = BindingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        creator = get_object_or_404(
            Creator, platform_account_id=data.validated_data["platform_account_id"]
        )
        if request.user.is_operator and "organization" in data.validated_data:
            organization = get_object_or_404(Organization, pk=data.validated_data["organization"])
        else:
            membership = getattr(request.user, "membership", None)
            organization = membership.organization if membership else None
            if organization is None:
                raise serializers.ValidationError(
                    {"organization": [_("Name the organization to bind the creator to.")]}
                )
        binding = services.binding_start(
            actor=request.user,
            creator=creator,
            organization=organization,
            source=data.validated_data["source"],
            started_on=data.validated_data.get("started_on") or timezone.localdate(),
        )
        binding = self.get_queryset().get(pk=binding.pk)  # with the consent the binding opened
        return Response(BindingSerializer(binding).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="End a binding",
        request=BindingEndSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={200: BindingSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def end(self, request, pk=None):
        binding = self.get_object()
        data = BindingEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        binding = services.binding_end(actor=request.user, binding=binding, **data.validated_data)
        return Response(BindingSerializer(binding).data)


class MetricViewSet(
    ValuesListMixin,
    ConditionalRetrieveMixin,
    mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Daily metrics the caller may see; organizations see their creators' days with them."""

    serializer_class = MetricSerializer
    permission_classes = [ActionPermission]
    required_action = "roster.view"
    scope_resource = "metrics"
    filterset_fields = {"date": ["exact", "gte", "lte"], "creator": ["exact"], "flag": ["exact"]}
    ordering_fields = ["id"]

    def get_queryset(self):
        return DailyMetric.objects.for_user(self.request.user).select_related("creator").distinct()

    @extend_schema(
        summary="Send daily metrics in bulk (up to 5,000 rows)",
        description=(
            "Upserts by (creator, date): a day sent again replaces the earlier figures, so "
            "re-sending a batch is safe. Rows with an unknown account or impossible figures are "
            "reported by position and the rest are written. Abnormal plays are flagged in the same "
            "request."
        ),
        request=MetricBatchSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={200: MetricBatchResultSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        validated = plain_metric_rows(request.data)
        if validated is None:  # not plainly well formed: the serializer decides, with its errors
            batch = MetricBatchSerializer(data=request.data)
            batch.is_valid(raise_exception=True)
            validated = batch.validated_data["rows"]
        rows = [services.MetricRow(**row) for row in validated]
        result = services.metrics_upsert(actor=request.user, rows=rows, source="api")
        return Response({**result, "errors": {str(k): v for k, v in result["errors"].items()}})
