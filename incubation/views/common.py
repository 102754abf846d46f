"""Helpers shared by the incubation pages."""

from django.utils.translation import gettext_lazy as _

from incubation.models import Shortlist, ShortlistStatus
from portal.accounts.permissions import can
from portal.core.kit import error_text, own_organization

__all__ = ["error_text", "filter_query", "own_organization", "tabs"]

# (label, url name, action that shows the tab)
TABS = [
    (_("Reserve pool"), "incubation:pool", "incubation.view"),
    (_("Ranking"), "incubation:ranking", "incubation.view"),
    (_("Nominations"), "incubation:nominations", "incubation.nominations"),
    (_("Review"), "incubation:review", "incubation.review"),
    (_("Shortlist"), "incubation:shortlist", "shortlist.edit"),
    (_("Settings"), "incubation:settings", "incubation.manage"),
]


def tabs(request) -> dict:
    """The incubation sub-navigation the user may see, and the published top-100 lists."""
    current = request.resolver_match.view_name if request.resolver_match else ""
    return {
        "tabs": [
            {"label": label, "name": name, "current": current == name}
            for label, name, action in TABS
            if can(request.user, action)
        ],
        "published_years": list(
            Shortlist.objects.filter(status=ShortlistStatus.PUBLISHED)
            .order_by("-year")
            .values_list("year", flat=True)[:5]
        ),
    }


def filter_query(request) -> str:
    """The page's filters, for the pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
