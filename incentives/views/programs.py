"""Operators' pages of programs and their rule versions, with the simulator."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from incentives import policy, services
from incentives.forms import (
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
    simulation_compared,
)
from portal.accounts.permissions import action_required, can
from portal.core.kit import add_service_errors, own_organization
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


def _program(request, pk: int) -> Program:
    return get_object_or_404(Program.objects.for_user(request.user), pk=pk)


@require_GET
@action_required("program.manage")
def program_detail(request, pk: int):
    program = _program(request, pk)
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


@require_POST
@action_required("program.manage")
def program_open(request, pk: int):
    program = _program(request, pk)
    try:
        services.program_open(actor=request.user, program=program)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The program is open to participants."))
    return redirect("incentives:program", program.pk)


@require_POST
@action_required("program.manage")
def rules_draft(request, pk: int):
    """A new draft rule version, in force from the day asked (default: the latest version's)."""
    program = _program(request, pk)
    latest = program.rule_versions.order_by("-number").first()
    day = request.POST.get("effective_from") or (
        latest.effective_from.isoformat() if latest else program.starts_on.isoformat()
    )
    try:
        effective = timezone.datetime.fromisoformat(day).date()
    except ValueError:
        messages.error(request, _("Enter a valid date."))
        return redirect("incentives:program", program.pk)
    try:
        version = services.rule_version_draft(
            actor=request.user, program=program, effective_from=effective
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("incentives:program", program.pk)
    return redirect("incentives:rules", version.pk)


@require_POST
@action_required("program.manage")
def cycle_compute(request, pk: int, cycle_pk: int):
    program = _program(request, pk)
    cycle = get_object_or_404(Cycle, pk=cycle_pk, program=program)
    try:
        services.settlement_request(actor=request.user, cycle=cycle)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, _("Computation started for cycle %(number)s.") % {"number": cycle.number}
        )
    return redirect("incentives:program", program.pk)


def _version(request, pk: int) -> RuleVersion:
    return get_object_or_404(
        RuleVersion.objects.filter(
            program__in=Program.objects.for_user(request.user)
        ).select_related("program", "published_by"),
        pk=pk,
    )


def _rule_forms(version, data=None):
    """The version's form, its subsidy categories and its three formsets (bound to `data`)."""
    editable = version.status == RuleStatus.DRAFT
    data = data if editable else None
    subsidy, categories = subsidy_formset(data, version)
    formsets = {
        "subsidy": subsidy,
        "tier": OrgTierFormSet(
            data, prefix="tier", queryset=OrgTier.objects.filter(version=version)
        ),
        "band": TrafficBandFormSet(
            data, prefix="band", queryset=TrafficBand.objects.filter(version=version)
        ),
    }
    return (RuleVersionForm(data, instance=version) if editable else None), categories, formsets


@require_GET
@action_required("program.manage")
def rule_version(request, pk: int):
    version = _version(request, pk)
    form, categories, formsets = _rule_forms(version)
    return _rule_version_page(request, version, form, categories, formsets)


@require_POST
@action_required("program.manage")
def rules_save(request, pk: int):
    version = _version(request, pk)
    if version.status != RuleStatus.DRAFT:
        return redirect("incentives:rules", version.pk)
    form, categories, formsets = _rule_forms(version, request.POST)
    if not (form.is_valid() and all(fs.is_valid() for fs in formsets.values())):
        messages.error(request, _("Some values need attention; see the marked fields."))
        return _rule_version_page(request, version, form, categories, formsets)
    try:
        services.rule_version_update(
            actor=request.user,
            version=version,
            fields=form.cleaned_data,
            subsidy_rules=formset_rows(formsets["subsidy"]),
            org_tiers=formset_rows(formsets["tier"]),
            traffic_bands=formset_rows(formsets["band"]),
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            add_service_errors(form, error)
        else:
            messages.error(request, error_text(error))
        return _rule_version_page(request, version, form, categories, formsets)
    messages.success(request, _("Rules saved."))
    # Reopen the fields just edited, so the operator sees what was saved.
    edited = {str(f["category"].value()) for f in formsets["subsidy"].forms if f.has_changed()}
    codes = [c.code for c in categories if str(c.pk) in edited]
    url = reverse("incentives:rules", args=[version.pk])
    return redirect(f"{url}?open={','.join(codes)}#subsidy" if codes else url)


def _rule_version_page(request, version, form, categories, formsets):
    program = version.program
    editable = version.status == RuleStatus.DRAFT
    context = {
        "version": version,
        "program": program,
        "editable": editable,
        "form": form,
        "formsets": formsets,
        "prefixes": {"subsidy": SubsidyRule, "tier": OrgTier, "band": TrafficBand},
        "subsidy_groups": subsidy_groups(
            formsets["subsidy"], categories, open_codes=request.GET.get("open", "")
        ),
        "subsidy_matrix": None if editable else _subsidy_matrix(version),
        "may_publish": policy.may(request.user, "rules.publish", version),
        "org_tiers": OrgTier.objects.filter(version=version),
        "traffic_bands": TrafficBand.objects.filter(version=version),
        "cycles": program.cycles.order_by("number"),
        **_simulation(request, version),
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
    return simulation_compared(cycle, version)
