from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from coaching.filtersets import CoachingSessionFilterSet
from coaching.models import CoachingSession
from portal.core.api.conditional import ConditionalRetrieveMixin

from .serializers import CoachingSessionSerializer


@extend_schema_view(
    list=extend_schema(summary="List coaching sessions visible to the caller"),
    retrieve=extend_schema(summary="One coaching session with its action items"),
)
class CoachingSessionViewSet(ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Coaching sessions with their action items. Operators see all; a manager the sessions they
    lead and those of the organizations they coach; an organization member their organization's."""

    serializer_class = CoachingSessionSerializer
    filterset_class = CoachingSessionFilterSet
    ordering_fields = ["id", "scheduled_at"]

    def get_queryset(self):
        return (
            CoachingSession.objects.for_user(self.request.user)
            .prefetch_related("action_items")
            .order_by("-scheduled_at", "-id")
        )
