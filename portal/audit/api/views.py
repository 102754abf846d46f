from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from portal.accounts.permissions import ActionPermission
from portal.audit.filtersets import AuditEntryFilterSet
from portal.audit.models import AuditEntry
from portal.core.api.conditional import ConditionalRetrieveMixin

from .serializers import AuditEntrySerializer


@extend_schema_view(
    list=extend_schema(summary="Browse the audit log (operators)"),
    retrieve=extend_schema(summary="One audit entry (operators)"),
)
class AuditEntryViewSet(ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """The append-only record of every state change, newest first."""

    serializer_class = AuditEntrySerializer
    permission_classes = [ActionPermission]
    required_action = "audit.view"
    filterset_class = AuditEntryFilterSet
    ordering_fields = ["id"]

    def get_queryset(self):
        return AuditEntry.objects.for_user(self.request.user).select_related("object_type")
