import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.core.api.filters import IdFilter
from portal.core.forms import PortalFilterSet, SortFilter
from portal.core.models import Category

from .introduced import cycle_of, introduced_exists
from .models import BindingSource, Creator, CreatorStage


class RosterFilterSet(PortalFilterSet):
    """Filters shared by the roster page, its exports and the creators API."""

    q = django_filters.CharFilter(label=_("Name or account id"), method="filter_search")
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), field_name="primary_category", queryset=Category.objects.active()
    )
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=CreatorStage.choices)
    source = django_filters.ChoiceFilter(
        label=_("Source"), choices=BindingSource.choices, field_name="active__source"
    )
    introduced = django_filters.ChoiceFilter(
        label=_("Introduced this month"),
        choices=[("yes", _("Counts as introduced")), ("no", _("Does not count (yet)"))],
        method="filter_introduced",
    )
    organization = IdFilter(label=_("Organization id"), field_name="active__organization_id")
    sort = SortFilter(
        label=_("Sort by"),
        fields=(
            ("follower_count", "followers"),
            ("plays_30d", "plays"),
            ("gmv_30d", "gmv"),
            ("active__started_on", "joined"),
            ("display_name", "name"),
        ),
        field_labels={
            "-joined": _("Joined, newest first"),
            "joined": _("Joined, oldest first"),
            "-followers": _("Followers, most first"),
            "-plays": _("Plays in 30 days, most first"),
            "-gmv": _("GMV in 30 days, most first"),
            "name": pgettext_lazy("creator", "Name"),
        },
        empty_label=None,
    )

    class Meta:
        model = Creator
        fields = ["q", "category", "stage", "source", "introduced", "organization", "sort"]

    def __init__(self, data=None, *args, default_sort="-joined", **kwargs):
        if data is not None and not data.get("sort"):
            data = data.copy()
            data["sort"] = default_sort
        super().__init__(data, *args, **kwargs)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(display_name__icontains=value) | Q(platform_account_id=value))

    def filter_introduced(self, queryset, name, value):
        counts = introduced_exists(cycle_start=cycle_of(timezone.localdate())[0])
        return queryset.filter(counts) if value == "yes" else queryset.exclude(counts)
