"""Operators' pages of programs and their rule versions, with the simulator."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from incentives import policy, services
from incentives.forms import (
    HoldingPeriodFormSet,
    OrgTierFormSet,
    ProgramForm,
    RuleVersionForm,
    TrafficBandFormSet,
    formset_rows,
    subsidy_formset,
    subsidy_groups,
)
from incentives.models import (
    Cycle,
    HoldingPeriod,
    LineKind,
    OrgTier,
    Program,
    ProgramStatus,
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
    program_status_note,
    share,
)
from incentives.services.simulation import simulate
from portal.accounts.permissions import action_required, can
from portal.core.kit import own_organization
from portal.core.rendering import render_page

from .common import error_text


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
            messages.error(request, error_text(error))
        else:
            if response is not None:
                return response
        return redirect("incentives:program", program.pk)
    cycles = list(
        program.cycles.order_by("number").select_related("reward_list", "compute_requested_by")
    )
    for cycle in cycles:
        cycle.program = program
        cycle.list = getattr(cycle, "reward_list", None)
        cycle.may_compute = policy.may(request.user, "cycle.compute", cycle)
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
        "offered": policy.offered(request.user, program, policy.PROGRAM_STEPS),
        "status_note": program_status_note(program)
        if program.status == ProgramStatus.CLOSED
        else None,
    }
    return render_page(request, "incentives/program.html", context, partial="cycles")


def _program_action(request, program):
    action = request.POST.get("action")
    if action == "open":
        services.program_open(actor=request.user, program=program)
        messages.success(request, _("The program is open to participants."))
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
    prefixes = {
        "subsidy": SubsidyRule,
        "tier": OrgTier,
        "band": TrafficBand,
        "hold": HoldingPeriod,
    }
    data = request.POST if request.method == "POST" and editable else None
    form = RuleVersionForm(data, instance=version) if editable else None
    subsidy, categories = subsidy_formset(data, version)
    formsets = {
        "subsidy": subsidy,
        "tier": OrgTierFormSet(
            data, prefix="tier", queryset=OrgTier.objects.filter(version=version)
        ),
        "band": TrafficBandFormSet(
            data, prefix="band", queryset=TrafficBand.objects.filter(version=version)
        ),
        "hold": HoldingPeriodFormSet(
            data, prefix="hold", queryset=HoldingPeriod.objects.filter(version=version)
        ),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "save" and editable:
                if form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
                    services.rule_version_update(
                        actor=request.user,
                        version=version,
                        fields=form.cleaned_data,
                        subsidy_rules=formset_rows(formsets["subsidy"]),
                        org_tiers=formset_rows(formsets["tier"]),
                        traffic_bands=formset_rows(formsets["band"]),
                        holding_periods=formset_rows(formsets["hold"]),
                    )
                    messages.success(request, _("Rules saved."))
                    # Reopen the fields just edited, so the operator sees what was saved.
                    edited = {
                        str(form["category"].value())
                        for form in formsets["subsidy"].forms
                        if form.has_changed()
                    }
                    codes = [c.code for c in categories if str(c.pk) in edited]
                    url = reverse("incentives:rules", args=[version.pk])
                    return redirect(f"{url}?open={','.join(codes)}#subsidy" if codes else url)
                messages.error(request, _("Some values need attention; see the marked fields."))
        except ValidationError as error:
            if hasattr(error, "error_dict") and form is not None:
                for field, errors in error.error_dict.items():
                    target = field if field in form.fields else None
                    for message in errors:
                        form.add_error(target, message)
            else:
                messages.error(request, error_text(error))
    simulation = _simulation(request, version)
    context = {
        "version": version,
        "program": program,
        "editable": editable,
        "form": form,
        "formsets": formsets,
        "prefixes": prefixes,
        "subsidy_groups": subsidy_groups(
            subsidy, categories, open_codes=request.GET.get("open", "")
        ),
        "subsidy_matrix": None if editable else _subsidy_matrix(version),
        "may_publish": policy.may(request.user, "rules.publish", version),
        "org_tiers": OrgTier.objects.filter(version=version),
        "traffic_bands": TrafficBand.objects.filter(version=version),
        "holding_periods": HoldingPeriod.objects.filter(version=version),
        "kind_labels": dict(LineKind.choices),
        "cycles": program.cycles.order_by("number"),
        **simulation,
    }
    return render_page(request, "incentives/rules.html", context, partial="simulation")


def _subsidy_matrix(version) -> dict:
    """A published version's subsidy levels as one row per creative field, one column per
    level."""
    rules = SubsidyRule.objects.filter(version=version).select_related("category")
    rows, top = {}, 0
    for rule in rules.order_by("category__sort_order", "category__code", "level"):
        row = rows.setdefault(rule.category_id, {"category": rule.category, "levels": {}})
        row["levels"][rule.level] = rule
        top = max(top, rule.level)
    levels = list(range(1, top + 1))
    for row in rows.values():
        row["cells"] = [row["levels"].get(level) for level in levels]
    return {"levels": levels, "rows": list(rows.values())}


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
