import django_filters
from django.utils.translation import gettext_lazy as _

from portal.core.forms import PortalFilterSet

from .models import CoachingSession


class CoachingSessionFilterSet(PortalFilterSet):
    scheduled_after = django_filters.DateFilter(
        label=_("On or after"), field_name="scheduled_at", lookup_expr="date__gte"
    )
    scheduled_before = django_filters.DateFilter(
        label=_("On or before"), field_name="scheduled_at", lookup_expr="date__lte"
    )

    class Meta:
        model = CoachingSession
        fields = ["organization", "manager", "status", "scheduled_after", "scheduled_before"]
