"""Reconciliation with finance (operators): a cycle's money by pool and organization in every
state, tied to the ledger; its finance export; a payment result file checked against the exports."""

from django import forms
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from incentives.models import PaymentExport, RewardList
from incentives.reconciliation import (
    STATE_COLUMNS,
    cycle_reconciliation,
    finance_headers,
    finance_rows,
    result_check,
)
from portal.accounts.permissions import action_required
from portal.core.forms import PortalFormMixin
from portal.core.rendering import render_page
from portal.core.tabular import TableError, write_csv, write_xlsx

STATE_LABELS = {
    "held": pgettext_lazy("payment", "Held"),
    "releasable": gettext_lazy("Releasable"),
    "exported": gettext_lazy("Exported"),
    "paid": gettext_lazy("Paid"),
    "failed": gettext_lazy("Failed"),
    "forfeited": gettext_lazy("Forfeited"),
}


class ResultCheckForm(PortalFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Payment result file"),
        help_text=gettext_lazy("Checked against the export; nothing is changed."),
    )
    export = forms.ModelChoiceField(
        label=gettext_lazy("Export"),
        queryset=PaymentExport.objects.none(),
        required=False,
        empty_label=gettext_lazy("Every export of this list"),
    )

    def __init__(self, *args, reward_list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["export"].queryset = reward_list.exports.order_by("-number")
        self.fields["export"].label_from_instance = lambda e: (
            _("Export %(number)s of %(day)s: %(count)s entries, %(total)s CNY")
            % {
                "number": e.number,
                "day": e.created_at.date(),
                "count": e.entry_count,
                "total": f"{e.total:,.2f}",
            }
        )


def _list(request, pk):
    return get_object_or_404(
        RewardList.objects.for_user(request.user).select_related("cycle__program", "rule_version"),
        pk=pk,
    )


@action_required("payouts.reconcile")
def reconciliation(request, pk: int):
    """The cycle's money by state, tied to the ledger, and the result-file check (POST: a file
    to compare; nothing changes)."""
    reward_list = _list(request, pk)
    pool_rows, org_rows, tie = cycle_reconciliation(reward_list)
    form = ResultCheckForm(reward_list=reward_list)
    check = None
    if request.method == "POST":
        form = ResultCheckForm(request.POST, request.FILES, reward_list=reward_list)
        if form.is_valid():
            try:
                check = result_check(
                    reward_list, form.cleaned_data["file"], form.cleaned_data["export"]
                )
            except TableError as error:
                form.add_error("file", " ".join(error.messages))
    context = {
        "reward_list": reward_list,
        "cycle": reward_list.cycle,
        "pool_rows": pool_rows,
        "org_rows": org_rows,
        "tie": tie,
        "states": [(name, STATE_LABELS[name]) for name, _state in STATE_COLUMNS],
        "exports": reward_list.exports.order_by("-number").select_related("created_by"),
        "form": form,
        "check": check,
    }
    return render_page(request, "incentives/reconciliation.html", context)


@action_required("payouts.reconcile")
def reconciliation_export(request, pk: int, extension: str):
    """The finance export of the cycle: per pool and per organization, every state, in the
    reader's language."""
    reward_list = _list(request, pk)
    name = f"finance-{reward_list.cycle.program_id}-{reward_list.cycle.number}"
    if extension == "xlsx":
        response = HttpResponse(
            write_xlsx(finance_headers(), finance_rows(reward_list), sheet_title=_("Finance")),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = StreamingHttpResponse(
            write_csv(finance_headers(), finance_rows(reward_list)), content_type="text/csv"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response
