"""Statements and the special incentive list (everyone, once published)."""

import itertools

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from incentives.explain import explain_lines
from incentives.models import (
    LineKind,
    PaymentStatus,
    PoolKind,
    RewardLine,
    RewardList,
)
from incentives.payout_selectors import (
    organization_entries,
    organization_estimate,
    state_totals,
    statement_corrections,
)
from incentives.selectors import (
    payment_totals,
    special_list,
    statement_totals,
    tier_counts,
)
from organizations.models import Organization
from portal.accounts.permissions import action_required, can
from portal.core.kit import own_organization
from portal.core.rendering import render_page
from portal.core.statements import statement_sections
from portal.core.tabular import write_csv, write_xlsx

from .common import filtered_lines, lines_context, lines_page, with_entries

EXPORT_BATCH = 2000


def _statement_scope(request, pk: int):
    """The published list, the organization whose statement it is (a member's own; staff
    choose one with ?organization=), the organizations staff may choose from, and its lines."""
    reward_list = get_object_or_404(
        RewardList.objects.for_user(request.user).select_related("cycle__program", "rule_version"),
        pk=pk,
    )
    organization = own_organization(request.user)
    visible = RewardLine.objects.for_user(request.user).filter(reward_list=reward_list)
    choices = None
    if organization is None:
        choices = Organization.objects.filter(pk__in=visible.values("organization_id")).order_by(
            "legal_name"
        )
        chosen = request.GET.get("organization", "")
        organization = choices.filter(pk=chosen).first() if chosen.isdigit() else None
    base = visible.filter(organization=organization) if organization else visible.none()
    return reward_list, organization, choices, base


@action_required("rewards.view")
def statement(request, pk: int):
    """An organization's statement of a published list: its own lines and its creators', each
    with its payment state; totals, what to do about a failed payment, and an export. Staff
    choose the organization."""
    return statement_page(request, pk)


def statement_page(request, pk: int, *, invoice_form=None):
    """The statement, with the invoice form as a refused upload left it (if any)."""
    from .invoices import invoice_context

    reward_list, organization, choices, base = _statement_scope(request, pk)
    if organization is None:
        return render_page(
            request,
            "incentives/statement.html",
            {"reward_list": reward_list, "choices": choices, "organization": None},
        )
    page, filters = lines_page(request, base)
    assignment = organization.manager_assignments.active().select_related("manager").first()
    context = {
        "reward_list": reward_list,
        "cycle": reward_list.cycle,
        "organization": organization,
        "corrections": statement_corrections(reward_list.cycle, organization, request.user),
        "sections": statement_sections(request.user, organization, reward_list.cycle),
        "program_states": state_totals(
            organization_entries(organization, reward_list.cycle.program)
        ),
        "estimate": organization_estimate(organization, reward_list.cycle.program),
        "choices": choices,
        **lines_context(request, page, filters),
        "totals": statement_totals(base),
        "payments": payment_totals(base),
        "manager": assignment.manager if assignment else None,
        "tier_line": next(
            iter(
                explain_lines(
                    base.filter(kind=LineKind.ORG_TIER).select_related("rule_version")[:1]
                )
            ),
            None,
        ),
        **invoice_context(request, reward_list, organization, invoice_form),
    }
    return render_page(request, "incentives/statement.html", context, partial="lines")


def statement_headers() -> list[str]:
    return [
        _("Kind"),
        _("Beneficiary"),
        _("Platform account id"),
        _("Pool"),
        _("Amount (CNY)"),
        _("Before the cap (CNY)"),
        _("Payment"),
        _("Paid on"),
        _("Payment reference"),
        _("Why the payment failed"),
        _("Entry"),
        _("Why this amount"),
    ]


def statement_rows(lines):
    """The statement's rows in the reader's language, explained in batches (the explanation reads
    the rules of each batch at once)."""
    kinds, pools = dict(LineKind.choices), dict(PoolKind.choices)
    states = dict(PaymentStatus.choices)
    for batch in itertools.batched(lines.iterator(chunk_size=EXPORT_BATCH), EXPORT_BATCH):
        for line in with_entries(explain_lines(batch)):
            entry = line.entry
            yield (
                str(kinds.get(line.kind, line.kind)),
                line.creator.display_name if line.creator else line.organization.legal_name,
                line.creator.platform_account_id if line.creator else "",
                str(pools.get(line.pool, line.pool)),
                line.amount,
                line.amount_before_cap if line.amount_before_cap is not None else "",
                str(states[entry.payment_status]) if entry else _("Nothing to pay"),
                timezone.localtime(entry.paid_at).date() if entry and entry.paid_at else "",
                entry.payment_reference if entry else "",
                entry.payment_failure if entry else "",
                entry.pk if entry else "",
                " ".join(str(sentence) for sentence in line.explanation),
            )


@action_required("rewards.view")
def statement_export(request, pk: int, extension: str):
    """The statement (with the page's filters) as CSV or XLSX, in the reader's language."""
    reward_list, organization, _choices, base = _statement_scope(request, pk)
    if organization is None:
        raise Http404
    lines, _filters = filtered_lines(request, base)
    name = f"statement-{reward_list.cycle.program_id}-{reward_list.cycle.number}-{organization.pk}"
    if extension == "xlsx":
        response = HttpResponse(
            write_xlsx(statement_headers(), statement_rows(lines), sheet_title=_("Statement")),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = StreamingHttpResponse(
            write_csv(statement_headers(), statement_rows(lines)), content_type="text/csv"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response


@action_required("rewards.view")
def special(request, pk: int):
    """The special incentive list of a published cycle: organizations ranked by introduced
    creators, with their tier and amount."""
    reward_list = get_object_or_404(
        RewardList.objects.for_user(request.user).select_related("cycle__program", "rule_version"),
        pk=pk,
    )
    if not reward_list.is_published and not can(request.user, "settlement.compute"):
        raise Http404
    rows = special_list(reward_list)
    own = own_organization(request.user)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    context = {
        "reward_list": reward_list,
        "cycle": reward_list.cycle,
        "page": page,
        "tiers": tier_counts(reward_list),
        "own_id": own.pk if own else None,
        "own_row": next((row for row in rows if own and row.organization_id == own.pk), None),
        "total": sum((row.amount for row in rows), start=0),
    }
    return render_page(request, "incentives/special.html", context, partial="ranking")
