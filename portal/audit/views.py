from django.core.paginator import Paginator

from portal.accounts.permissions import action_required
from portal.core.rendering import render_page

from .filtersets import AuditEntryFilterSet
from .models import AuditEntry

PAGE_SIZE = 50


@action_required("audit.view")
def entry_list(request):
    queryset = AuditEntry.objects.for_user(request.user).select_related(
        "actor", "object_type", "organization"
    )
    filterset = AuditEntryFilterSet(request.GET or None, queryset=queryset)
    entries = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "audit/entry_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
        partial="results",
    )
