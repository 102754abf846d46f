"""Steps that cannot be taken back, each behind a confirmation that states the amount and what
cannot be undone: approving a reward list, publishing it, adding an adjustment, publishing a rule
version, closing a program (with a reason) and reopening one.

Each step has its own URL: GET is the confirmation (a page, or the same form inside a modal
`<dialog>` when htmx asks for it), POST takes the step through its service. A step the reader may
not take now (incentives.policy) is neither confirmed nor taken: the reader goes back with the
reason.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from incentives import confirmations, policy, services
from incentives.forms import AdjustmentForm, ReasonForm
from incentives.models import (
    ListStatus,
    Program,
    RewardList,
    RuleVersion,
)
from incentives.selectors import adjustable_organizations
from portal.accounts.permissions import action_required
from portal.core.rendering import is_partial_request, render_page

from .common import error_text


def _leave(request, url: str, reason: str | None = None):
    """Back to the page the step belongs to (a whole page, even from inside the dialog)."""
    if reason:
        messages.error(request, reason)
    if is_partial_request(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _confirm(request, context: dict, *, status: int = 200):
    context = {"dialog": is_partial_request(request), "form": None, "hidden": {}, **context}
    return render_page(request, "incentives/confirm.html", context, partial="dialog", status=status)


def _refused(request, step: str, obj, url: str):
    """The reader may not take the step now: say why and go back (None: they may)."""
    if policy.may(request.user, step, obj):
        return None
    reason = policy.refusal(request.user, step, obj) or _("You do not have permission to do this.")
    return _leave(request, url, reason)


def _take(request, back: str, step, done):
    """The POST half of a confirmation: take the step (a callable running its service), say how
    it went (`done`: a message, or a function of the step's result), and go back."""
    try:
        result = step()
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done(result) if callable(done) else done)
    return redirect(back)


# --- reward lists ------------------------------------------------------------------------------


def _reward_list(request, pk: int) -> RewardList:
    return get_object_or_404(
        RewardList.objects.for_user(request.user).select_related(
            "cycle__program", "rule_version", "first_approved_by"
        ),
        pk=pk,
    )


@action_required("settlement.approve")
def list_approve(request, pk: int):
    reward_list = _reward_list(request, pk)
    back = reverse("incentives:list", args=[pk])
    refused = _refused(request, "list.approve", reward_list, back)
    if refused:
        return refused
    if request.method == "POST":
        revision = request.POST.get("revision", "")
        if not revision.isdigit():
            return _leave(request, back, _("Reload the page and approve again."))
        return _take(
            request,
            back,
            lambda: services.settlement_approve(
                actor=request.user, reward_list=reward_list, revision=int(revision)
            ),
            lambda approved: (
                _("Approved: the ledger entries are posted.")
                if approved.status == ListStatus.APPROVED
                else _("Your approval is recorded; another operator must approve too.")
            ),
        )
    return _confirm(
        request,
        {
            **confirmations.list_approve(reward_list),
            "back_url": back,
            "back_label": _("Back to the reward list"),
        },
    )


@action_required("settlement.approve")
def list_publish(request, pk: int):
    reward_list = _reward_list(request, pk)
    back = reverse("incentives:list", args=[pk])
    refused = _refused(request, "list.publish", reward_list, back)
    if refused:
        return refused
    if request.method == "POST":
        return _take(
            request,
            back,
            lambda: services.settlement_publish(actor=request.user, reward_list=reward_list),
            _("Published; the organizations have been told."),
        )
    return _confirm(
        request,
        {
            **confirmations.list_publish(reward_list),
            "back_url": back,
            "back_label": _("Back to the reward list"),
        },
    )


def _adjust(actor, reward_list: RewardList, data: dict):
    return services.settlement_adjust(
        actor=actor,
        reward_list=reward_list,
        amount=data["amount"],
        reason_code=data["reason_code"],
        note=data["note"],
        creator=data["creator"],
        organization=data["organization"] if data["creator"] is None else None,
        pool=data["pool"],
    )


@action_required("settlement.approve")
def list_adjust(request, pk: int):
    """An adjustment is posted twice: the form, answered by its confirmation (the amount, who
    gets it, from which pool), then the confirmation itself (`confirmed`)."""
    reward_list = _reward_list(request, pk)
    back = reverse("incentives:list", args=[pk])
    refused = _refused(request, "list.adjust", reward_list, back)
    if refused:
        return refused
    if request.method != "POST":
        return redirect(back)
    form = AdjustmentForm(
        request.POST, organizations=adjustable_organizations(request.user, reward_list)
    )
    if not form.is_valid():
        return _leave(request, back, " ".join(m for errors in form.errors.values() for m in errors))
    data = form.cleaned_data
    if request.POST.get("confirmed") == "1":
        return _take(
            request,
            back,
            lambda: _adjust(request.user, reward_list, data),
            _("Adjustment added with its ledger entry."),
        )
    return _confirm(
        request,
        {
            **confirmations.list_adjust(
                reward_list,
                data,
                hidden={name: request.POST.get(name, "") for name in form.fields},
            ),
            "back_url": back,
            "back_label": _("Back to the reward list"),
        },
    )


# --- rule versions ------------------------------------------------------------------------------


@action_required("program.manage")
def rules_publish(request, pk: int):
    version = get_object_or_404(
        RuleVersion.objects.filter(
            program__in=Program.objects.for_user(request.user)
        ).select_related("program"),
        pk=pk,
    )
    back = reverse("incentives:rules", args=[pk])
    refused = _refused(request, "rules.publish", version, back)
    if refused:
        return refused
    if request.method == "POST":
        return _take(
            request,
            back,
            lambda: services.rule_version_publish(actor=request.user, version=version),
            _("Version published. Cycles from its first day use it."),
        )
    return _confirm(
        request,
        {
            **confirmations.rules_publish(version),
            "back_url": back,
            "back_label": _("Back to the rules"),
        },
    )


# --- programs ------------------------------------------------------------------------------------


def _program(request, pk: int) -> Program:
    return get_object_or_404(Program.objects.for_user(request.user), pk=pk)


def _program_step(request, pk: int, step: str, service, done: str):
    """POST half of close and reopen: the reason, then the service."""
    program = _program(request, pk)
    back = reverse("incentives:program", args=[pk])
    refused = _refused(request, step, program, back)
    if refused:
        return program, back, refused, None
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        taken = _take(
            request,
            back,
            lambda: service(actor=request.user, program=program, reason=reason),
            done,
        )
        return program, back, taken, form
    return program, back, None, form


@action_required("program.manage")
def program_close(request, pk: int):
    program, back, response, form = _program_step(
        request, pk, "program.close", services.program_close, _("The program is closed.")
    )
    if response:
        return response
    return _confirm(
        request,
        {
            **confirmations.program_close(program),
            "form": form,
            "back_url": back,
            "back_label": _("Back to the program"),
        },
        status=400 if request.method == "POST" else 200,
    )


@action_required("program.manage")
def program_reopen(request, pk: int):
    program, back, response, form = _program_step(
        request, pk, "program.reopen", services.program_reopen, _("The program is running again.")
    )
    if response:
        return response
    return _confirm(
        request,
        {
            **confirmations.program_reopen(program),
            "form": form,
            "back_url": back,
            "back_label": _("Back to the program"),
        },
        status=400 if request.method == "POST" else 200,
    )
