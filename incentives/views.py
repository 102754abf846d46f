"""Incentive pages: programs and their rules (operators), reward lists from computation to payment,
statements and the special incentive list (everyone, once published)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from creators.views.roster import own_organization
from incentives import services
from incentives.explain import explain_lines
from incentives.forms import (
    AdjustmentForm,
    OrgTierFormSet,
    ProgramForm,
    ResultForm,
    ReturnForm,
    RuleVersionForm,
    SubsidyRuleFormSet,
    TrafficBandFormSet,
    formset_rows,
)
from incentives.models import (
    Cycle,
    LineKind,
    ListStatus,
    OrgTier,
    Program,
    RewardLine,
    RewardList,
    RuleStatus,
    RuleVersion,
    SubsidyRule,
    TrafficBand,
)
from incentives.selectors import (
    burn_by_category,
    burn_by_kind,
    pool_burn,
    share,
    special_list,
    statement_totals,
    tier_counts,
)
from incentives.services.payments import EXPORT_HEADERS, payment_rows
from incentives.services.simulation import simulate
from organizations.models import Organization
from portal.accounts.permissions import action_required, can
from portal.core.rendering import render_page
from portal.core.tabular import write_csv, write_xlsx

LINES_PER_PAGE = 50


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@action_required("rewards.view")
def index(request):
    """Operators: the programs and a form for a new one. Everyone else: the published lists."""
    if can(request.user, "program.manage"):
        return _programs(request)
    lists = (
        RewardList.objects.for_user(request.user)
        .select_related("cycle__program")
        .order_by("-cycle__starts_on", "-pk")
    )
    organization = own_organization(request.user)
    return render_page(
        request,
        "incentives/index.html",
        {"lists": lists, "organization": organization},
    )


def _programs(request):
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            program = services.program_create(
                actor=request.user,
                name=data["name"],
                description=data["description"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                cycle_months=data["cycle_months"],
                cash_budget=data["cash_budget"],
                traffic_budget=data["traffic_budget"],
                second_approval_above=data["second_approval_above"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Program created with its pools and cycles."))
            return redirect("incentives:program", program.pk)
    programs = Program.objects.for_user(request.user).prefetch_related("pools")
    rows = []
    for program in programs:
        pools = list(program.pools.all())
        for pool in pools:
            pool.share = share(pool.committed, pool.budget)
        rows.append({"program": program, "pools": pools})
    return render_page(request, "incentives/programs.html", {"rows": rows, "form": form})


@action_required("program.manage")
def program_detail(request, pk: int):
    program = get_object_or_404(Program.objects.for_user(request.user), pk=pk)
    if request.method == "POST":
        try:
            response = _program_action(request, program)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            if response is not None:
                return response
        return redirect("incentives:program", program.pk)
    cycles = list(
        program.cycles.order_by("number").select_related("reward_list", "compute_requested_by")
    )
    for cycle in cycles:
        cycle.list = getattr(cycle, "reward_list", None)
    pools, burn = list(program.pools.all()), pool_burn(program)
    for pool in pools:
        pool.burn_rows = burn[pool.kind]
    context = {
        "program": program,
        "pools": pools,
        "by_kind": burn_by_kind(program),
        "by_category": burn_by_category(program),
        "cycles": cycles,
        "computing": any(cycle.computing for cycle in cycles),
        "versions": program.rule_versions.select_related("published_by").order_by("-number"),
        "today": timezone.localdate(),
    }
    return render_page(request, "incentives/program.html", context, partial="cycles")


def _program_action(request, program):
    action = request.POST.get("action")
    if action in ("open", "close"):
        status = "active" if action == "open" else "closed"
        services.program_set_status(actor=request.user, program=program, status=status)
        messages.success(
            request, _("The program is now %(status)s.") % {"status": program.get_status_display()}
        )
    elif action == "draft":
        latest = program.rule_versions.order_by("-number").first()
        day = request.POST.get("effective_from") or (
            latest.effective_from.isoformat() if latest else program.starts_on.isoformat()
        )
        try:
            effective = timezone.datetime.fromisoformat(day).date()
        except ValueError:
            raise ValidationError(_("Enter a valid date.")) from None
        version = services.rule_version_draft(
            actor=request.user, program=program, effective_from=effective
        )
        return redirect("incentives:rules", version.pk)
    elif action == "compute":
        cycle = get_object_or_404(Cycle, pk=request.POST.get("cycle"), program=program)
        services.settlement_request(actor=request.user, cycle=cycle)
        messages.success(
            request, _("Computation started for cycle %(number)s.") % {"number": cycle.number}
        )
    return None


@action_required("program.manage")
def rule_version(request, pk: int):
    version = get_object_or_404(
        RuleVersion.objects.filter(
            program__in=Program.objects.for_user(request.user)
        ).select_related("program", "published_by"),
        pk=pk,
    )
    program = version.program
    editable = version.status == RuleStatus.DRAFT
    prefixes = {"subsidy": SubsidyRule, "tier": OrgTier, "band": TrafficBand}
    data = request.POST if request.method == "POST" and editable else None
    form = RuleVersionForm(data, instance=version) if editable else None
    formsets = {
        "subsidy": SubsidyRuleFormSet(
            data,
            prefix="subsidy",
            queryset=SubsidyRule.objects.filter(version=version).select_related("category"),
        ),
        "tier": OrgTierFormSet(
            data, prefix="tier", queryset=OrgTier.objects.filter(version=version)
        ),
        "band": TrafficBandFormSet(
            data, prefix="band", queryset=TrafficBand.objects.filter(version=version)
        ),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "publish":
                services.rule_version_publish(actor=request.user, version=version)
                messages.success(request, _("Version published. Cycles from its first day use it."))
                return redirect("incentives:rules", version.pk)
            if action == "save" and editable:
                if form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
                    services.rule_version_update(
                        actor=request.user,
                        version=version,
                        fields=form.cleaned_data,
                        subsidy_rules=formset_rows(formsets["subsidy"]),
                        org_tiers=formset_rows(formsets["tier"]),
                        traffic_bands=formset_rows(formsets["band"]),
                    )
                    messages.success(request, _("Rules saved."))
                    return redirect("incentives:rules", version.pk)
                messages.error(request, _("Some values need attention; see the marked fields."))
        except ValidationError as error:
            if hasattr(error, "error_dict") and form is not None:
                for field, errors in error.error_dict.items():
                    target = field if field in form.fields else None
                    for message in errors:
                        form.add_error(target, message)
            else:
                messages.error(request, _error_text(error))
    simulation = _simulation(request, version)
    context = {
        "version": version,
        "program": program,
        "editable": editable,
        "form": form,
        "formsets": formsets,
        "prefixes": prefixes,
        "subsidy_rules": SubsidyRule.objects.filter(version=version).select_related("category"),
        "org_tiers": OrgTier.objects.filter(version=version),
        "traffic_bands": TrafficBand.objects.filter(version=version),
        "cycles": program.cycles.order_by("number"),
        **simulation,
    }
    return render_page(request, "incentives/rules.html", context, partial="simulation")


def _simulation(request, version):
    """?simulate=<cycle>: the cycle under this version, side by side with the version in force."""
    cycle_id = request.GET.get("simulate")
    if not cycle_id:
        return {"simulated": None}
    cycle = get_object_or_404(Cycle, pk=cycle_id, program=version.program)
    current = services.rule_version_in_force(version.program, cycle.starts_on)
    proposed = simulate(cycle, version)
    baseline = simulate(cycle, current) if current is not None and current != version else None
    pools = {pool.kind: pool for pool in version.program.pools.all()}
    kinds = dict(LineKind.choices)

    def rows(key, labels=None):
        names = list(getattr(proposed, key))
        if baseline is not None:
            names += [name for name in getattr(baseline, key) if name not in names]
        out = []
        for name in names:
            new = getattr(proposed, key).get(name)
            old = getattr(baseline, key).get(name) if baseline is not None else None
            if key == "by_tier":
                new = new[1] if new else None
                old = old[1] if old else None
            out.append(
                {
                    "label": (labels or {}).get(name, name),
                    "new": new or 0,
                    "old": old,
                    "delta": (new or 0) - (old or 0) if old is not None else None,
                }
            )
        return out

    burn = []
    for kind, pool in pools.items():
        room = pool.budget - pool.committed
        new = proposed.by_pool.get(kind, 0)
        old = baseline.by_pool.get(kind, 0) if baseline is not None else None
        burn.append(
            {
                "pool": pool,
                "room": room,
                "new": new,
                "old": old,
                "new_share": share(new, pool.budget),
                "old_share": share(old or 0, pool.budget),
                "fits": new <= room,
            }
        )
    tiers = {level: _("Tier %(level)s") % {"level": level} for level in proposed.by_tier}
    if baseline is not None:
        tiers.update({level: _("Tier %(level)s") % {"level": level} for level in baseline.by_tier})
    return {
        "simulated": cycle,
        "proposed": proposed,
        "baseline": baseline,
        "current": current,
        "sim_tables": [
            (_("By kind"), rows("by_kind", kinds)),
            (_("By creative field"), rows("by_category")),
            (_("By special incentive tier"), rows("by_tier", tiers)),
        ],
        "pool_burn": burn,
    }


def _lines(request, reward_list, base):
    lines = base.select_related("creator", "organization", "rule_version").order_by(
        "kind", "-amount", "pk"
    )
    kind = request.GET.get("kind", "")
    if kind in LineKind.values:
        lines = lines.filter(kind=kind)
    query = request.GET.get("q", "").strip()
    if query:
        lines = lines.filter(
            Q(creator__platform_account_id=query)
            | Q(creator__display_name__icontains=query)
            | Q(organization__legal_name__icontains=query)
        )
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = explain_lines(page.object_list)
    return page, kind, query


def _filter_query(request) -> str:
    """The page's filters, for the pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@action_required("settlement.compute")
def reward_list_detail(request, pk: int):
    reward_list = get_object_or_404(
        RewardList.objects.for_user(request.user).select_related(
            "cycle__program", "rule_version", "first_approved_by", "approved_by"
        ),
        pk=pk,
    )
    if request.method == "POST":
        response = _list_action(request, reward_list)
        if response is not None:
            return response
        return redirect(request.get_full_path())
    page, kind, query = _lines(
        request, reward_list, RewardLine.objects.filter(reward_list=reward_list)
    )
    organizations = Organization.objects.filter(
        pk__in=RewardLine.objects.filter(reward_list=reward_list).values("organization_id")
    ).order_by("legal_name")
    context = {
        "reward_list": reward_list,
        "cycle": reward_list.cycle,
        "program": reward_list.cycle.program,
        "page": page,
        "kind": kind,
        "query": query,
        "kinds": LineKind.choices,
        "filter_query": _filter_query(request),
        "totals": statement_totals(RewardLine.objects.filter(reward_list=reward_list)),
        "second_needed": services.needs_second_approval(reward_list),
        "progress": services.payment_progress(reward_list),
        "return_form": ReturnForm(),
        "result_form": ResultForm(),
        "adjust_form": AdjustmentForm(organizations=organizations),
        "steps": _steps(reward_list),
    }
    return render_page(request, "incentives/reward_list.html", context, partial="lines")


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


def _list_action(request, reward_list):
    action = request.POST.get("action")
    actor = request.user
    try:
        if action == "submit":
            services.settlement_submit(actor=actor, reward_list=reward_list)
            messages.success(request, _("Sent to review."))
        elif action == "return":
            form = ReturnForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Say what should change."))
            services.settlement_return(
                actor=actor, reward_list=reward_list, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Returned to draft."))
        elif action == "approve":
            try:
                revision = int(request.POST.get("revision", ""))
            except ValueError:
                raise ValidationError(_("Reload the page and approve again.")) from None
            approved = services.settlement_approve(
                actor=actor, reward_list=reward_list, revision=revision
            )
            if approved.status == ListStatus.APPROVED:
                messages.success(request, _("Approved: the ledger entries are posted."))
            else:
                messages.success(
                    request, _("Your approval is recorded; another operator must approve too.")
                )
        elif action == "publish":
            services.settlement_publish(actor=actor, reward_list=reward_list)
            messages.success(request, _("Published; the organizations have been told."))
        elif action == "export":
            return _export(request, reward_list)
        elif action == "result":
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
        elif action == "adjust":
            organizations = Organization.objects.filter(
                pk__in=RewardLine.objects.filter(reward_list=reward_list).values("organization_id")
            )
            form = AdjustmentForm(request.POST, organizations=organizations)
            if not form.is_valid():
                raise ValidationError([m for errors in form.errors.values() for m in errors])
            data = form.cleaned_data
            services.settlement_adjust(
                actor=actor,
                reward_list=reward_list,
                amount=data["amount"],
                reason_code=data["reason_code"],
                note=data["note"],
                creator=data["creator"],
                organization=data["organization"] if data["creator"] is None else None,
                pool=data["pool"],
            )
            messages.success(request, _("Adjustment added with its ledger entry."))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return None


def _export(request, reward_list):
    entries = services.settlement_export(actor=request.user, reward_list=reward_list)
    english = (request.LANGUAGE_CODE or "").startswith("en")
    headers = [en if english else zh for zh, en in EXPORT_HEADERS]
    name = f"payment-{reward_list.cycle.program_id}-{reward_list.cycle.number}"
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
    page, kind, query = _lines(request, reward_list, base)
    context = {
        "reward_list": reward_list,
        "cycle": reward_list.cycle,
        "organization": organization,
        "choices": choices,
        "page": page,
        "kind": kind,
        "query": query,
        "kinds": LineKind.choices,
        "filter_query": _filter_query(request),
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
