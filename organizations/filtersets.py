import django_filters
from django.utils.translation import gettext_lazy as _

from portal.core.forms import PortalFilterSet
from portal.core.models import Category

from .models import ManagerAssignment, Organization, OrganizationStatus


class OrganizationFilterSet(PortalFilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=OrganizationStatus.choices
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        field_name="primary_categories",
        queryset=Category.objects.all(),
        distinct=True,
    )
    created_after = django_filters.DateFilter(
        label=_("Created on or after"), field_name="created_at", lookup_expr="date__gte"
    )
    created_before = django_filters.DateFilter(
        label=_("Created on or before"), field_name="created_at", lookup_expr="date__lte"
    )
    q = django_filters.CharFilter(label=_("Name or credit code"), method="filter_search")

    class Meta:
        model = Organization
        fields = ["status", "category", "created_after", "created_before", "q"]

    def filter_search(self, queryset, name, value):
        from django.db.models import Q

        value = value.strip()
        return queryset.filter(Q(legal_name__icontains=value) | Q(credit_code__iexact=value))


class AssignmentFilterSet(PortalFilterSet):
    active = django_filters.BooleanFilter(
        label=_("Active now"), field_name="ended_at", lookup_expr="isnull"
    )

    class Meta:
        model = ManagerAssignment
        fields = ["manager", "organization", "active"]
