"""What the incentive pages share: the lines of a list, filtered and paged, and error text."""

from dataclasses import dataclass

from django.db.models import Q

from incentives.explain import explain_lines
from incentives.models import LineKind, PaymentStatus
from portal.core.kit import error_text  # noqa: F401 - the incentive views import it from here
from portal.core.paging import CappedPaginator

LINES_PER_PAGE = 50
# The pages a list's lines offer (2,000 lines); past them the count says "more than" and the
# filters narrow the list: a list of a million lines is never counted row by row (issue #17).
MAX_PAGES = 40


@dataclass
class LineFilters:
    kind: str = ""
    query: str = ""
    payment: str = ""


def filtered_lines(request, base):
    """The lines of `base` the page's filters keep (kind, creator or organization, payment
    state), with what each line needs to be shown and explained, and the filters."""
    lines, filters = _filtered(request, base)
    return _displayed(lines), filters


def _displayed(lines):
    # The order is the (reward list, kind, amount descending, id) index's: a page of a list of
    # any length reads its rows from the index (migration 0013).
    return lines.select_related(
        "creator", "organization", "rule_version", "ledger_entry__rule_version"
    ).order_by("kind", "-amount", "pk")


def _filtered(request, base):
    lines = base
    filters = LineFilters()
    kind = request.GET.get("kind", "")
    if kind in LineKind.values:
        lines, filters.kind = lines.filter(kind=kind), kind
    query = request.GET.get("q", "").strip()
    if query:
        filters.query = query
        lines = lines.filter(
            Q(creator__platform_account_id=query)
            | Q(creator__display_name__icontains=query)
            | Q(organization__legal_name__icontains=query)
        )
    payment = request.GET.get("payment", "")
    if payment in PaymentStatus.values:
        lines, filters.payment = lines.filter(ledger_entry__payment_status=payment), payment
    return lines, filters


def with_entries(lines) -> list:
    """`.entry` on each line: its ledger entry (payment state, why it is held, whether it was
    carried over), or None when it pays nothing."""
    from incentives.payout_selectors import explain_holds

    lines = list(lines)
    for line in lines:
        line.entry = getattr(line, "ledger_entry", None)
    explain_holds([line.entry for line in lines])
    return lines


def lines_page(request, base):
    """A page of the filtered lines. The count stops past the pages offered, and counts the
    filtered lines without the joins that only show them."""
    lines, filters = _filtered(request, base)
    paginator = CappedPaginator(
        _displayed(lines), LINES_PER_PAGE, max_pages=MAX_PAGES, count_list=lines
    )
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = with_entries(explain_lines(page.object_list))
    return page, filters


def lines_context(request, page, filters: LineFilters) -> dict:
    """What the line filters and the lines table of a page need."""
    return {
        "page": page,
        "kind": filters.kind,
        "query": filters.query,
        "payment": filters.payment,
        "kinds": LineKind.choices,
        "payment_states": PaymentStatus.choices,
        "filter_query": filter_query(request),
    }


def filter_query(request) -> str:
    """The page's filters, for the pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
