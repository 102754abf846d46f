"""Held entries of a cycle and the decisions that end a hold (operators): release a hold, forfeit
an entry, release the holding periods that are over now. One URL per action."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from incentives.models import Hold, HoldReason, LedgerEntry, PaymentStatus, RewardList
from incentives.payout_selectors import explain_holds
from incentives.services.holds import entry_forfeit, hold_release, holds_release_due
from portal.accounts.permissions import action_required
from portal.core.forms import PortalFormMixin
from portal.core.rendering import render_page

from .common import error_text

PER_PAGE = 50


class DecisionForm(PortalFormMixin, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        help_text=gettext_lazy("The organization reads it."),
    )


def _list(request, pk):
    return get_object_or_404(
        RewardList.objects.for_user(request.user).select_related("cycle__program"), pk=pk
    )


@action_required("payouts.release")
def holds(request, pk: int):
    """The cycle's held entries, each with its holds (why, what releases it)."""
    reward_list = _list(request, pk)
    entries = (
        LedgerEntry.objects.filter(cycle=reward_list.cycle, payment_status=PaymentStatus.HELD)
        .select_related("creator", "organization", "pool", "rule_version")
        .order_by("pk")
    )
    reason = request.GET.get("reason", "")
    if reason in HoldReason.values:
        entries = entries.filter(holds__reason=reason, holds__released_at=None).distinct()
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = explain_holds(list(page.object_list))
    active = {}
    for hold in Hold.objects.filter(
        entry_id__in=[e.pk for e in page.object_list], released_at=None
    ).order_by("placed_at", "pk"):
        active.setdefault(hold.entry_id, []).append(hold)
    for entry in page.object_list:
        entry.active = active.get(entry.pk, [])
    context = {
        "reward_list": reward_list,
        "cycle": reward_list.cycle,
        "page": page,
        "reason": reason,
        "reasons": HoldReason.choices,
        "form": DecisionForm(),
        "filter_query": f"reason={reason}" if reason else "",
    }
    return render_page(request, "incentives/holds.html", context)


@require_POST
@action_required("payouts.release")
def hold_release_view(request, pk: int, hold_pk: int):
    reward_list = _list(request, pk)
    hold = get_object_or_404(Hold, pk=hold_pk, entry__cycle=reward_list.cycle)
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the hold is released."))
        hold_release(actor=request.user, hold=hold, note=form.cleaned_data["note"])
        messages.success(request, _("Hold released."))
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("incentives:holds", pk=reward_list.pk)


@require_POST
@action_required("payouts.release")
def entry_forfeit_view(request, pk: int, entry_pk: int):
    reward_list = _list(request, pk)
    entry = get_object_or_404(LedgerEntry, pk=entry_pk, cycle=reward_list.cycle)
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the entry is forfeited."))
        entry_forfeit(actor=request.user, entry=entry, note=form.cleaned_data["note"])
        messages.success(request, _("Entry forfeited; its amount is back in the pool."))
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("incentives:holds", pk=reward_list.pk)


@require_POST
@action_required("payouts.release")
def holds_release_due_view(request, pk: int):
    reward_list = _list(request, pk)
    released = holds_release_due(actor=request.user)
    messages.success(
        request,
        _("%(count)s entries whose holding period is over are releasable now.")
        % {"count": released},
    )
    return redirect("incentives:holds", pk=reward_list.pk)
