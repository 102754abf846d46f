import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from portal.core.api.filters import IdFilter

from .models import AuditEntry
from .services import action_choices


class AuditEntryFilterSet(django_filters.FilterSet):
    """Filters shared by the audit log page and the audit API."""

    q = django_filters.CharFilter(
        label=_("Search"), method="filter_search", help_text=_("Actor, object or reason")
    )
    action = django_filters.ChoiceFilter(label=_("Action"), choices=action_choices)
    actor = django_filters.CharFilter(
        label=_("Actor email"), field_name="actor_label", lookup_expr="icontains"
    )
    object_type = django_filters.ModelChoiceFilter(
        label=_("Object type"),
        queryset=ContentType.objects.filter(
            app_label__in=["accounts", "organizations", "creators", "incubation", "core"]
        ).order_by("app_label", "model"),
    )
    organization = IdFilter(label=_("Organization id"))
    since = django_filters.DateFilter(
        label=_("From"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("Until"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEntry
        fields = ["q", "action", "actor", "object_type", "organization", "since", "until"]

    def filter_search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(
            Q(actor_label__icontains=value)
            | Q(object_repr__icontains=value)
            | Q(reason__icontains=value)
        )
