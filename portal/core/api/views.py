from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from portal.accounts.permissions import ActionPermission
from portal.core.api.conditional import ConditionalRetrieveMixin
from portal.core.models import Category

from .serializers import CategorySerializer


@extend_schema_view(
    list=extend_schema(summary="List the creative-field categories"),
    retrieve=extend_schema(summary="One category"),
)
class CategoryViewSet(ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """The program's creative fields, named in Chinese and English."""

    serializer_class = CategorySerializer
    permission_classes = [ActionPermission]
    required_action = "category.view"
    scope_resource = "categories"
    filterset_fields = ["is_active", "code"]
    ordering_fields = ["id", "code"]

    def get_queryset(self):
        return Category.objects.for_user(self.request.user)
