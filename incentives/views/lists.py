"""A cycle's reward list from computation to payment (operators)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from incentives import policy, selectors, services
from incentives.forms import (
    AdjustmentForm,
    ResultForm,
    ReturnForm,
)
from incentives.models import (
    ListStatus,
    RewardLine,
    RewardList,
)
from incentives.selectors import (
    ORGANIZATION_OPTIONS_ID,
    needs_second_approval,
    payment_progress,
)
from incentives.services.payments import EXPORT_HEADERS, exported_entries, payment_rows
from portal.accounts.permissions import action_required
from portal.core.rendering import is_partial_request, render_page
from portal.core.tabular import write_csv, write_xlsx

from .common import error_text, lines_context, lines_page


def _reward_list(request, pk: int) -> RewardList:
    return get_object_or_404(
        RewardList.objects.for_user(request.user).select_related(
            "cycle__program", "rule_version", "first_approved_by", "approved_by"
        ),
        pk=pk,
    )


@require_GET
@action_required("settlement.compute")
def reward_list_detail(request, pk: int):
    reward_list = _reward_list(request, pk)
    page, filters = lines_page(request, RewardLine.objects.filter(reward_list=reward_list))
    context = {"reward_list": reward_list, **lines_context(request, page, filters)}
    if not is_partial_request(request):
        # The rest of the page, which a swap of the lines region does not draw. Its figures are
        # the ones stored on the list (summing ~190,000 lines took 150-220 ms), and the
        # adjustment's organization is typed with suggestions, not a <select> of every
        # organization on the list (about half the page's CPU at 1,000).
        context |= _list_context(request, reward_list)
    return render_page(request, "incentives/reward_list.html", context, partial="lines")


def _list_context(request, reward_list) -> dict:
    return {
        "cycle": reward_list.cycle,
        "program": reward_list.cycle.program,
        "second_needed": needs_second_approval(reward_list),
        "progress": payment_progress(reward_list),
        "return_form": ReturnForm(),
        "result_form": ResultForm(),
        "adjust_form": AdjustmentForm(
            search_url=reverse("incentives:list_adjust_organizations", args=[reward_list.pk])
        ),
        "organization_options_id": ORGANIZATION_OPTIONS_ID,
        "steps": _steps(reward_list),
        "offered": policy.offered(request.user, reward_list, policy.LIST_STEPS),
    }


@require_GET
@action_required("settlement.approve")
def list_adjust_organizations(request, pk: int):
    """The suggestions of the adjustment form's organization field: `<option>`s of at most
    ORGANIZATION_MATCHES organizations of the list whose name contains what was typed (or whose
    id it is), for its <datalist>."""
    reward_list = _reward_list(request, pk)
    query = request.GET.get("organization", "")[:220]
    organizations = selectors.organization_suggestions(
        selectors.adjustable_organizations(request.user, reward_list), query
    )
    if is_partial_request(request):
        return render(
            request, "incentives/_organization_options.html", {"organizations": organizations}
        )
    # Opened as a page (no JavaScript, or the address typed): the same search, as a page.
    context = {"reward_list": reward_list, "organizations": organizations, "query": query}
    return render_page(request, "incentives/adjust_organizations.html", context)


def _steps(reward_list):
    order = [
        ListStatus.DRAFT,
        ListStatus.IN_REVIEW,
        ListStatus.APPROVED,
        ListStatus.PUBLISHED,
        ListStatus.EXPORTED,
        ListStatus.PAID,
    ]
    here = order.index(reward_list.status)
    return [
        {"label": label, "done": i < here, "current": i == here}
        for i, (value, label) in enumerate(
            (value, dict(ListStatus.choices)[value]) for value in order
        )
    ]


def _list_step(request, pk: int, step) -> HttpResponse:
    """Run one step on the list; a refusal is a message on the list page."""
    reward_list = _reward_list(request, pk)
    try:
        response = step(request.user, reward_list)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        if response is not None:
            return response
    return redirect("incentives:list", reward_list.pk)


@require_POST
@action_required("settlement.compute")
def list_submit(request, pk: int):
    def step(actor, reward_list):
        services.settlement_submit(actor=actor, reward_list=reward_list)
        messages.success(request, _("Sent to review."))

    return _list_step(request, pk, step)


@require_POST
@action_required("settlement.compute")
def list_return(request, pk: int):
    def step(actor, reward_list):
        form = ReturnForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Say what should change."))
        services.settlement_return(
            actor=actor, reward_list=reward_list, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Returned to draft."))

    return _list_step(request, pk, step)


@require_POST
@action_required("settlement.compute")
def list_export(request, pk: int):
    return _list_step(request, pk, lambda actor, reward_list: _export(request, reward_list))


@require_POST
@action_required("settlement.compute")
def list_result(request, pk: int):
    def step(actor, reward_list):
        form = ResultForm(request.POST, request.FILES)
        if not form.is_valid():
            raise ValidationError(_("Choose the payment result file."))
        result = services.settlement_mark_paid(
            actor=actor, reward_list=reward_list, upload=form.cleaned_data["file"]
        )
        messages.success(
            request,
            _(
                "Payment result applied: %(paid)s paid, %(failed)s failed, %(same)s already recorded."
            )
            % {"paid": result.paid, "failed": result.failed, "same": result.unchanged},
        )

    return _list_step(request, pk, step)


def _export(request, reward_list):
    export = services.settlement_export(actor=request.user, reward_list=reward_list)
    entries = exported_entries(export)
    english = (request.LANGUAGE_CODE or "").startswith("en")
    headers = [en if english else zh for zh, en in EXPORT_HEADERS]
    name = f"payment-{reward_list.cycle.program_id}-{reward_list.cycle.number}-{export.number}"
    if request.POST.get("format") == "xlsx":
        response = HttpResponse(
            write_xlsx(headers, payment_rows(entries), sheet_title="payment"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        extension = "xlsx"
    else:
        response = StreamingHttpResponse(
            write_csv(headers, payment_rows(entries)), content_type="text/csv"
        )
        extension = "csv"
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response
