"""What the incentive pages share: the lines of a list, filtered and paged, and error text."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q

from incentives.explain import explain_lines
from incentives.models import LineKind

LINES_PER_PAGE = 50


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def lines_page(request, reward_list, base):
    lines = base.select_related("creator", "organization", "rule_version").order_by(
        "kind", "-amount", "pk"
    )
    kind = request.GET.get("kind", "")
    if kind in LineKind.values:
        lines = lines.filter(kind=kind)
    query = request.GET.get("q", "").strip()
    if query:
        lines = lines.filter(
            Q(creator__platform_account_id=query)
            | Q(creator__display_name__icontains=query)
            | Q(organization__legal_name__icontains=query)
        )
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = explain_lines(page.object_list)
    return page, kind, query


def filter_query(request) -> str:
    """The page's filters, for the pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
