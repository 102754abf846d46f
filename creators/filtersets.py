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

# A search matching at most this many creators is read as their ids first (a trigram index and
# the account id's unique index), and the page then sorts those few rows; a broader search walks
# the sort's index, where its matches are dense enough to fill a page quickly (issue #17).
SEARCH_IDS = 1000


class RosterSort(SortFilter):
    """The roster's orders, each ending on the creator's id so that pages never overlap; the
    joined dates' tie-break is the binding's creator id in the same direction, which the
    bindings' (start date, creator) indexes read in either direction."""

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        last = ordering[-1]
        if last.lstrip("-") == "active__started_on":
            tie = ("-" if last.startswith("-") else "") + "active__creator_id"
        else:
            tie = "id"
        return qs.order_by(*ordering, tie)


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
    sort = RosterSort(
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
        matches = Q(display_name__icontains=value) | Q(platform_account_id=value)
        # Read once per filter set: the roster applies its filters to two querysets (the page's
        # and the leaner one it counts).
        if getattr(self, "_search", (None,))[0] != value:
            limited = Creator.objects.filter(matches).values_list("pk", flat=True)
            self._search = (value, list(limited[: SEARCH_IDS + 1]))
        ids = self._search[1]
        if len(ids) <= SEARCH_IDS:
            return queryset.filter(pk__in=ids)
        return queryset.filter(matches)

    def filter_introduced(self, queryset, name, value):
        counts = introduced_exists(cycle_start=cycle_of(timezone.localdate())[0])
        return queryset.filter(counts) if value == "yes" else queryset.exclude(counts)
