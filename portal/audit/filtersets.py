import django_filters
from django import forms
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from portal.core.api.filters import IdFilter
from portal.core.forms import DateInput, PortalFilterSet

from .models import AuditEntry
from .services import action_choices


def audited_types(request=None):
    """The kinds of object the log is about: the portal's models that name themselves (a
    declared, translatable verbose name); internal tables (import rows, a snapshot's lines) and
    the libraries' models are not."""
    models = [
        model
        for config in apps.get_app_configs()
        if "site-packages" not in str(config.path) and config.label != "audit"
        for model in config.get_models()
        if "verbose_name" in model._meta.original_attrs
    ]
    ids = [ct.pk for ct in ContentType.objects.get_for_models(*models).values()]
    return ContentType.objects.filter(pk__in=ids)


class _AlphabeticalChoices(forms.models.ModelChoiceIterator):
    def __iter__(self):
        choices = list(super().__iter__())
        blank = [choice for choice in choices if choice[0] == ""]
        return iter(blank + sorted((c for c in choices if c[0] != ""), key=lambda c: str(c[1])))


class ObjectTypeField(forms.ModelChoiceField):
    """Object types by their name in the reader's language, in alphabetical order."""

    iterator = _AlphabeticalChoices

    def label_from_instance(self, obj):
        model = obj.model_class()
        return capfirst(model._meta.verbose_name) if model else obj.model


class ObjectTypeFilter(django_filters.ModelChoiceFilter):
    field_class = ObjectTypeField


class AuditEntryFilterSet(PortalFilterSet):
    """Filters shared by the audit log page and the audit API."""

    q = django_filters.CharFilter(
        label=_("Search"), method="filter_search", help_text=_("Actor, object or reason")
    )
    action = django_filters.ChoiceFilter(label=_("Action"), choices=action_choices)
    actor = django_filters.CharFilter(
        label=_("Actor email"), field_name="actor_label", lookup_expr="icontains"
    )
    object_type = ObjectTypeFilter(label=_("Object type"), queryset=audited_types)
    organization = IdFilter(label=_("Organization id"))
    since = django_filters.DateFilter(
        label=_("From"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=DateInput,
    )
    until = django_filters.DateFilter(
        label=_("Until"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=DateInput,
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
