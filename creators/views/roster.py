"""The roster: every creator the person may see, searchable, sortable, exportable."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone, translation
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creators import services
from creators.filtersets import RosterFilterSet
from creators.models import BindingSource, Creator
from creators.selectors import bound_first, introduced_marks, roster_queryset
from portal.accounts.permissions import action_required, can
from portal.core.kit import error_text, own_organization
from portal.core.paging import CappedPaginator
from portal.core.rendering import render_page
from portal.core.tabular import write_csv, write_xlsx

PAGE_SIZE = 25
# The pages a roster offers (1,000 creators); past them the count says "more than" and filters
# narrow the list: a million creators are never counted row by row.
MAX_PAGES = 40
EXPORT_LIMIT = 100_000


def default_sort(user) -> str:
    """An organization reads its newest creators first (an index on its bindings' start dates);
    staff, looking across every creator, the most watched ones (an index on 30-day plays)."""
    return "-plays" if user.is_staff else "-joined"


def _filtered(request, queryset=None):
    filterset = RosterFilterSet(
        request.GET,
        queryset=queryset if queryset is not None else roster_queryset(request.user),
        default_sort=default_sort(request.user),
    )
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    return filterset, rows


def _by_joined_date(filterset) -> bool:
    sort = filterset.form.cleaned_data.get("sort") if filterset.is_valid() else None
    return bool(sort) and sort[0].lstrip("-") == "joined"


@action_required("roster.view")
def roster(request):
    filterset, rows = _filtered(request)
    # Count the same filters without the display joins (organization names and the like): the
    # filter set's cleaned values applied to a leaner queryset, not a second form to validate.
    lean_rows = Creator.objects.for_user(request.user).with_active_binding()
    lean_rows = filterset.filter_queryset(lean_rows) if filterset.is_valid() else lean_rows.none()
    if _by_joined_date(filterset) and not request.user.is_organization_member:
        rows, lean_rows = bound_first(rows), bound_first(lean_rows)
    paginator = CappedPaginator(rows, PAGE_SIZE, max_pages=MAX_PAGES, count_list=lean_rows)
    page = paginator.get_page(request.GET.get("page"))
    organization = own_organization(request.user)
    filtered = any(
        value for name, value in request.GET.items() if name not in ("page", "sort", "select")
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("select", None)
    return render_page(
        request,
        "creators/roster.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "marks": introduced_marks(page.object_list),
            "organization": organization,
            "can_manage": organization is not None
            and can(request.user, "binding.end", organization),
            "can_import": organization is not None
            and can(request.user, "creator.import", organization),
            "is_staff": request.user.is_staff,
            # An organization with nobody on its roster yet: the page says how to bring them in.
            "empty_roster": organization is not None and not filtered and not paginator.count,
            # Without JavaScript, ?select=all ticks every creator of the page.
            "select_all": request.GET.get("select") == "all",
        },
        partial="results",
    )


EXPORT_HEADERS = [
    ("平台账号ID", "platform account id"),
    ("昵称", "display name"),
    ("主类目", "primary category"),
    ("粉丝数", "followers"),
    ("实名认证", "real-name verified"),
    ("阶段", "stage"),
    ("机构", "organization"),
    ("来源", "source"),
    ("绑定日期", "start date"),
    ("30天播放量", "plays (30 days)"),
    ("30天有效播放量", "valid plays (30 days)"),
    ("30天成交额", "GMV (30 days)"),
]


# Export values in the reader's words, which the roster import reads back in either language.
SOURCE_WORDS = {
    BindingSource.RECRUITED: pgettext_lazy("binding source", "Recruited"),
    BindingSource.TRANSFERRED: pgettext_lazy("binding source", "Transferred"),
}


def _shared_figures(creator) -> tuple:
    """The 30-day figures, left empty where the creator does not share them (creators/consent.py)."""
    if not creator.shares_metrics:
        return ("", "", "")
    return (creator.plays_30d, creator.valid_plays_30d, creator.gmv_30d)


@action_required("roster.view")
def roster_export(request, extension: str):
    """The current filter as CSV or XLSX, headers and values in the person's language."""
    _filterset, rows = _filtered(request)
    language = get_language()
    english = (language or "").startswith("en")
    headers = [en if english else zh for zh, en in EXPORT_HEADERS]

    def data():
        # The file is written after the view returns (streamed): keep the reader's language.
        with translation.override(language):
            yes, no = str(_("Yes")), str(_("No"))
            sources = {code: str(word) for code, word in SOURCE_WORDS.items()}
            for c in rows[:EXPORT_LIMIT].iterator(chunk_size=2000):
                yield (
                    c.platform_account_id,
                    c.display_name,
                    c.primary_category.name,
                    c.follower_count,
                    yes if c.real_name_verified else no,
                    c.get_stage_display(),
                    c.organization_name or "",
                    sources.get(c.binding_source, c.binding_source or ""),
                    c.joined_on,
                    *_shared_figures(c),
                )

    stamp = timezone.localdate().isoformat()
    if extension == "xlsx":
        response = HttpResponse(
            write_xlsx(headers, data(), sheet_title="roster"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = StreamingHttpResponse(write_csv(headers, data()), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="roster-{stamp}.{extension}"'
    return response


@require_POST
@action_required("roster.view")
def bindings_end(request):
    """End the bindings of the selected creators of the person's own organization."""
    organization = own_organization(request.user)
    if organization is None or not can(request.user, "binding.end", organization):
        raise PermissionDenied
    ids = [int(pk) for pk in request.POST.getlist("creators") if pk.isdigit()]
    if not ids:
        messages.error(request, _("Select creators and an action first."))
        return redirect("creators:roster")
    try:
        ended = services.bindings_end(
            actor=request.user,
            organization=organization,
            creator_ids=ids,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("%(count)d bindings ended.") % {"count": ended})
    return redirect("creators:roster")


def get_visible_creator(request, pk):
    return get_object_or_404(roster_queryset(request.user), pk=pk)
