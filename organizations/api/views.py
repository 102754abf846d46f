from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from organizations.filtersets import OrganizationFilterSet
from organizations.models import Organization

from .serializers import OrganizationSerializer


@extend_schema_view(
    list=extend_schema(summary="List organizations visible to the caller"),
    retrieve=extend_schema(summary="One organization"),
)
class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """MCN organizations. Operators see all; managers those in their categories (drafts excluded);
    organization members only their own. Another organization's id answers 404."""

    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    ordering_fields = ["id"]

    def get_queryset(self):
        return Organization.objects.for_user(self.request.user).prefetch_related(
            "primary_categories"
        )
