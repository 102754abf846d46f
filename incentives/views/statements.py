"""Statements and the special incentive list (everyone, once published)."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404

from creators.views.roster import own_organization
from incentives.explain import explain_lines
from incentives.models import (
    LineKind,
    RewardLine,
    RewardList,
)
from incentives.selectors import (
    special_list,
    statement_totals,
    tier_counts,
)
from organizations.models import Organization
from portal.accounts.permissions import action_required, can
from portal.core.rendering import render_page

from .common import filter_query, lines_page


@action_required("rewards.view")
def statement(request, pk: int):
    """An organization's statement of a published list: its own lines and its creators'. Staff
    choose the organization."""
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
        chosen = request.GET.get("organization")
        organization = choices.filter(pk=chosen).first() if chosen else None
    if organization is None:
        return render_page(
            request,
            "incentives/statement.html",
            {"reward_list": reward_list, "choices": choices, "organization": None},
        )
    base = visible.filter(organization=organization)
    page, kind, query = lines_page(request, reward_list, base)
    context = {
        "reward_list": reward_list,
        "cycle": reward_list.cycle,
        "organization": organization,
        "choices": choices,
        "page": page,
        "kind": kind,
        "query": query,
        "kinds": LineKind.choices,
        "filter_query": filter_query(request),
        "totals": statement_totals(base),
        "tier_line": next(
            iter(
                explain_lines(
                    base.filter(kind=LineKind.ORG_TIER).select_related("rule_version")[:1]
                )
            ),
            None,
        ),
    }
    return render_page(request, "incentives/statement.html", context, partial="lines")


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
