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
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from incentives import policy, services
from incentives.forms import AdjustmentForm, ReasonForm
from incentives.models import (
    ListStatus,
    Pool,
    PoolKind,
    Program,
    RewardLine,
    RewardList,
    RuleVersion,
)
from incentives.selectors import program_status_note
from incentives.services import AdjustmentReason
from organizations.models import Membership, Organization, OrgRole
from portal.accounts.permissions import action_required
from portal.core.rendering import is_partial_request, render_page
from portal.core.templatetags.portal_tags import money

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


def _cny(amount) -> str:
    return _("%(amount)s CNY") % {"amount": money(amount)}


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
    total = reward_list.cash_total + reward_list.traffic_total
    first_of_two = (
        services.needs_second_approval(reward_list) and reward_list.first_approved_by_id is None
    )
    cycle = reward_list.cycle
    facts = [
        (
            _("Reward list"),
            _("Cycle %(n)s of %(program)s") % {"n": cycle.number, "program": cycle.program.name},
        ),
        (_("Lines"), f"{reward_list.line_count:,}"),
    ]
    pools = {pool.kind: pool for pool in Pool.objects.filter(program=cycle.program)}
    for kind, amount in (
        (PoolKind.CASH, reward_list.cash_total),
        (PoolKind.TRAFFIC, reward_list.traffic_total),
    ):
        pool = pools[kind]
        room = pool.budget - pool.committed
        facts.append(
            (
                pool.get_kind_display(),
                _("%(amount)s of the %(room)s CNY left (%(after)s CNY left after)")
                % {"amount": money(amount), "room": money(room), "after": money(room - amount)},
            )
        )
    if first_of_two:
        title = _("Give the first of two approvals")
        button = _("Give the first approval")
        consequences = [
            _("Nothing is posted yet: another operator must approve the same figures."),
            _("Computing the list again or returning it to draft drops your approval."),
        ]
        undo = ""
    else:
        title = (
            _("Give the second approval and post the ledger")
            if reward_list.first_approved_by_id
            else _("Approve and post the ledger")
        )
        button = _("Approve and post %(amount)s") % {"amount": _cny(total)}
        consequences = [
            _(
                "One ledger entry per paying line is posted and its amount is committed to its pool."
            ),
            _("The organizations see nothing until the list is published."),
        ]
        if reward_list.first_approved_by_id:
            consequences.insert(
                0,
                _("%(who)s gave the first approval.")
                % {"who": reward_list.first_approved_by.full_name},
            )
        undo = _(
            "An approved list never changes and its entries stay posted; a correction is a new "
            "adjustment line."
        )
    return _confirm(
        request,
        {
            "title": title,
            "amount": _cny(total),
            "facts": facts,
            "consequences": consequences,
            "undo": undo,
            "hidden": {"revision": reward_list.revision},
            "button": button,
            "button_class": "btn-ok",
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
    organizations = RewardLine.objects.filter(reward_list=reward_list).values("organization_id")
    counts = RewardLine.objects.filter(reward_list=reward_list).aggregate(
        organizations=Count("organization", distinct=True)
    )
    people = Membership.objects.filter(
        organization_id__in=organizations, role__in=[OrgRole.OWNER, OrgRole.ADMIN]
    ).count()
    total = reward_list.cash_total + reward_list.traffic_total
    return _confirm(
        request,
        {
            "title": _("Publish the reward list of cycle %(n)s") % {"n": reward_list.cycle.number},
            "amount": _cny(total),
            "facts": [
                (_("Organizations with lines"), f"{counts['organizations']:,}"),
                (_("People told (owners and admins)"), f"{people:,}"),
                (_("Lines"), f"{reward_list.line_count:,}"),
            ],
            "consequences": [
                _(
                    "Each organization reads its statement and the special incentive list, line "
                    "by line with the rule behind every amount."
                ),
                _("Their owners and admins get a notification now; partner systems a webhook."),
                _("Then the entries can be exported for payment."),
            ],
            "undo": _(
                "A published list cannot be withdrawn and the notifications cannot be recalled."
            ),
            "button": _("Publish to the organizations"),
            "button_class": "",
            "back_url": back,
            "back_label": _("Back to the reward list"),
        },
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
    organizations = Organization.objects.filter(
        pk__in=RewardLine.objects.filter(reward_list=reward_list).values("organization_id")
    )
    form = AdjustmentForm(request.POST, organizations=organizations)
    if not form.is_valid():
        return _leave(request, back, " ".join(m for errors in form.errors.values() for m in errors))
    data = form.cleaned_data
    if request.POST.get("confirmed") == "1":
        return _take(
            request,
            back,
            lambda: services.settlement_adjust(
                actor=request.user,
                reward_list=reward_list,
                amount=data["amount"],
                reason_code=data["reason_code"],
                note=data["note"],
                creator=data["creator"],
                organization=data["organization"] if data["creator"] is None else None,
                pool=data["pool"],
            ),
            _("Adjustment added with its ledger entry."),
        )
    creator, amount = data["creator"], data["amount"]
    pool = dict(PoolKind.choices)[data["pool"]]
    if amount > 0:
        effect = _(
            "A new line and ledger entry of %(amount)s from the %(pool)s, paid with the next payment file."
        )
    else:
        effect = _(
            "A new line and ledger entry of %(amount)s: it is taken back from the beneficiary's next payment and returns to the %(pool)s."
        )
    return _confirm(
        request,
        {
            "title": _("Add an adjustment to cycle %(n)s") % {"n": reward_list.cycle.number},
            "amount": _cny(amount),
            "facts": [
                (
                    _("For"),
                    f"{creator.display_name} ({creator.platform_account_id})"
                    if creator
                    else data["organization"].legal_name,
                ),
                (_("Pool"), pool),
                (_("Reason"), AdjustmentReason.LABELS[data["reason_code"]]),
                (_("Explanation"), data["note"]),
            ],
            "consequences": [
                effect % {"amount": _cny(amount), "pool": str(pool).lower()},
                _("The beneficiary reads the explanation on its statement."),
            ],
            "undo": _(
                "An adjustment is never edited or deleted; a mistake is corrected by another "
                "adjustment."
            ),
            "hidden": {
                **{name: request.POST.get(name, "") for name in form.fields},
                "confirmed": "1",
            },
            "button": _("Add the adjustment of %(amount)s") % {"amount": _cny(amount)},
            "button_class": "",
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
    cycles = policy.unsettled_cycles(version.program).filter(starts_on__gte=version.effective_from)
    subsidy = version.subsidy_rules.aggregate(
        levels=Count("id"), fields=Count("category", distinct=True)
    )
    return _confirm(
        request,
        {
            "title": _("Publish rules version %(n)s") % {"n": version.number},
            "amount": "",
            "facts": [
                (_("In force from"), version.effective_from.isoformat()),
                (_("Cycles it will settle"), f"{cycles.count():,}"),
                (
                    _("Creator subsidy"),
                    _("%(levels)s levels in %(fields)s creative fields")
                    % {"levels": subsidy["levels"], "fields": subsidy["fields"]},
                ),
                (_("Special incentive tiers"), f"{version.org_tiers.count():,}"),
                (_("Traffic reward bands"), f"{version.traffic_bands.count():,}"),
            ],
            "consequences": [
                _(
                    "Every cycle starting on or after its first day that is not settled yet is "
                    "computed with these rules."
                ),
            ],
            "undo": _("A published version never changes; a later change is a new version."),
            "button": _("Publish version %(n)s") % {"n": version.number},
            "button_class": "",
            "back_url": back,
            "back_label": _("Back to the rules"),
        },
    )


# --- programs ------------------------------------------------------------------------------------


def _program(request, pk: int) -> Program:
    return get_object_or_404(Program.objects.for_user(request.user), pk=pk)


def _pool_facts(program: Program) -> list:
    facts = []
    for pool in program.pools.all():
        facts.append(
            (
                pool.get_kind_display(),
                _("%(committed)s of %(budget)s CNY committed, %(left)s CNY not committed")
                % {
                    "committed": money(pool.committed),
                    "budget": money(pool.budget, 0),
                    "left": money(pool.budget - pool.committed),
                },
            )
        )
    return facts


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
    waiting = program.cycles.filter(
        reward_list__status__in=(ListStatus.DRAFT, ListStatus.IN_REVIEW)
    ).aggregate(n=Count("id"))["n"]
    budget = program.pools.aggregate(budget=Sum("budget"), committed=Sum("committed"))
    return _confirm(
        request,
        {
            "title": _("Close %(program)s") % {"program": program.name},
            "amount": _("%(budget)s CNY budget, %(committed)s CNY committed")
            % {"budget": money(budget["budget"], 0), "committed": money(budget["committed"])},
            "facts": [
                *_pool_facts(program),
                (_("Cycles not settled"), f"{policy.unsettled_cycles(program).count():,}"),
                (_("Lists in draft or review"), f"{waiting:,}"),
            ],
            "consequences": [
                _(
                    "No cycle is computed, sent to review or approved any more; lists in draft "
                    "or review wait as they are."
                ),
                _("What is not committed stays in the pools, unspent."),
                _(
                    "Lists already approved are still published and paid, and corrected by "
                    "adjustments."
                ),
            ],
            "undo": _(
                "The close and its reason stay in the audit log. If it was a mistake, the program "
                "can be reopened while a cycle is still to be settled."
            ),
            "form": form,
            "button": _("Close the program"),
            "button_class": "btn-danger",
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
    note = program_status_note(program)
    facts = _pool_facts(program)
    if note is not None:
        facts.insert(
            0,
            (
                _("Closed"),
                _("%(when)s by %(who)s: %(why)s")
                % {
                    "when": note.created_at.strftime("%Y-%m-%d %H:%M"),
                    "who": note.actor.full_name if note.actor else note.actor_label,
                    "why": note.reason,
                },
            ),
        )
    facts.append((_("Cycles not settled"), f"{policy.unsettled_cycles(program).count():,}"))
    return _confirm(
        request,
        {
            "title": _("Reopen %(program)s") % {"program": program.name},
            "amount": "",
            "facts": facts,
            "consequences": [
                _("Cycles can be computed, sent to review and approved again."),
                _("Organizations see the program as running."),
            ],
            "undo": _("The reopening and its reason stay in the audit log."),
            "form": form,
            "button": _("Reopen the program"),
            "button_class": "",
            "back_url": back,
            "back_label": _("Back to the program"),
        },
        status=400 if request.method == "POST" else 200,
    )
