from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from organizations import services
from organizations.filtersets import (
    AssignmentFilterSet,
    OrganizationFilterSet,
)
from organizations.models import ManagerAssignment, Organization
from portal.core.api.conditional import ConditionalRetrieveMixin
from portal.core.api.errors import ErrorSerializer
from portal.core.idempotency import IDEMPOTENCY_ERRORS, IDEMPOTENCY_PARAMETERS, idempotent

from .serializers import (
    AssignmentSerializer,
    DecisionSerializer,
    OrganizationSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="List organizations visible to the caller"),
    retrieve=extend_schema(summary="One organization"),
)
class OrganizationViewSet(ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """MCN organizations. Operators see all; managers those in their categories (drafts excluded);
    organization members only their own. Another organization's id answers 404."""

    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    ordering_fields = ["id"]
    scope_resource = "organizations"

    def get_queryset(self):
        return Organization.objects.for_user(self.request.user).prefetch_related(
            "primary_categories",
            Prefetch(
                "manager_assignments",
                queryset=ManagerAssignment.objects.active(),
            ),
        )

    @extend_schema(
        summary="Decide on an application or an organization",
        description=(
            "Runs the same service as the review page: the transition must be allowed from the "
            "organization's current state and for the caller's role. A refused transition "
            "answers 400 with code `invalid`; a role that may not decide answers 403."
        ),
        request=DecisionSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={
            200: OrganizationSerializer,
            400: OpenApiResponse(ErrorSerializer),
            403: OpenApiResponse(ErrorSerializer),
            404: OpenApiResponse(ErrorSerializer),
            **IDEMPOTENCY_ERRORS,
        },
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def decisions(self, request, pk=None):
        organization = self.get_object()
        decision = DecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        services.organization_transition(
            actor=request.user,
            organization=organization,
            transition=decision.validated_data["transition"],
            reason=decision.validated_data["reason"],
            checks=decision.validated_data.get("checks", []),
        )
        return Response(OrganizationSerializer(self.get_queryset().get(pk=organization.pk)).data)


@extend_schema_view(
    list=extend_schema(summary="List manager assignments visible to the caller"),
    retrieve=extend_schema(summary="One manager assignment"),
)
class AssignmentViewSet(ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Which category manager coaches which organization, now and in the past. Operators see all;
    a manager their own assignments; an organization member those of their organization.
    `?active=true` gives only the current ones."""

    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilterSet
    ordering_fields = ["id", "started_at"]

    def get_queryset(self):
        return (
            ManagerAssignment.objects.for_user(self.request.user)
            .select_related("manager", "organization")
            .order_by("-started_at", "-id")
        )
