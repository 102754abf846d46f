"""Read-side figures of the incentive pages: pool burn against plan, the special incentive list,
statements and an organization's progress toward the next tier."""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from creators.introduced import counting_bindings
from creators.models import Binding
from incentives.models import (
    COUPON_KINDS,
    Cycle,
    LedgerEntry,
    LineKind,
    OrgTier,
    PaymentStatus,
    PoolKind,
    Program,
    ProgramStatus,
    RewardLine,
    RewardList,
    RuleStatus,
    RuleVersion,
)
from incentives.services.simulation import simulate
from portal.core.models import Category
from portal.core.money import money_sum

ZERO = Decimal(0)


def share(part, whole) -> float:
    """part/whole as a percentage for bar widths, 0-100."""
    if not whole:
        return 0.0
    return max(0.0, min(100.0, float(part) * 100 / float(whole)))


@dataclass
class BurnRow:
    cycle: Cycle
    committed: Decimal  # cumulative, this pool, up to and including this cycle
    plan: Decimal  # cumulative plan: the budget spread evenly over the cycles
    committed_share: float
    plan_share: float
    over_plan: bool


def pool_burn(program: Program) -> dict[str, list[BurnRow]]:
    """Per pool, cumulative commitments per cycle so far against an even plan over all cycles."""
    all_cycles = list(program.cycles.order_by("number"))
    today = timezone.localdate()
    # Cumulative burn up to the current cycle; the plan still spreads over every cycle.
    cycles = [cycle for cycle in all_cycles if cycle.starts_on <= today] or all_cycles[:1]
    pools = {pool.kind: pool for pool in program.pools.all()}
    per_cycle = defaultdict(lambda: ZERO)
    for row in (
        LedgerEntry.objects.filter(cycle__program=program)
        .values("cycle_id", "pool__kind")
        .order_by()
        .annotate(total=Sum("amount"))
    ):
        per_cycle[(row["cycle_id"], row["pool__kind"])] = row["total"]
    burn = {}
    for kind, pool in pools.items():
        rows, running = [], ZERO
        for index, cycle in enumerate(cycles, start=1):
            running += per_cycle[(cycle.pk, kind)]
            plan = (pool.budget * index / len(all_cycles)).quantize(Decimal("0.01"))
            rows.append(
                BurnRow(
                    cycle=cycle,
                    committed=running,
                    plan=plan,
                    committed_share=share(running, pool.budget),
                    plan_share=share(plan, pool.budget),
                    over_plan=running > plan,
                )
            )
        burn[kind] = rows
    return burn


def burn_by_kind(program: Program) -> list[dict]:
    labels = dict(LineKind.choices)
    rows = list(
        LedgerEntry.objects.filter(cycle__program=program)
        .values("kind")
        .order_by()
        .annotate(total=Sum("amount"))
        .order_by("-total")
    )
    top = max((row["total"] for row in rows), default=ZERO)
    return [
        {
            "label": labels.get(row["kind"], row["kind"]),
            "value": f"{row['total']:,.2f}",
            "share": share(row["total"], top),
            "key": row["kind"],
        }
        for row in rows
    ]


def burn_by_category(program: Program, limit: int = 12) -> list[dict]:
    """Commitments per creative field: a creator's primary field, an organization's main one."""
    totals = defaultdict(lambda: ZERO)
    entries = LedgerEntry.objects.filter(cycle__program=program).order_by()
    for row in (
        entries.exclude(creator=None)
        .values("creator__primary_category")
        .annotate(total=Sum("amount"))
    ):
        totals[row["creator__primary_category"]] += row["total"]
    for row in (
        entries.filter(creator=None)
        .values("organization__main_category")
        .annotate(total=Sum("amount"))
    ):
        totals[row["organization__main_category"]] += row["total"]
    return category_rows(totals, limit)


def category_rows(totals: dict, limit: int = 12) -> list[dict]:
    """Bar rows of {category id: amount}, largest first, labelled in the reader's language."""
    names = {c.pk: c.name for c in Category.objects.filter(pk__in=[k for k in totals if k])}
    ranked = sorted(totals.items(), key=lambda item: -item[1])[:limit]
    top = ranked[0][1] if ranked else ZERO
    return [
        {"label": names.get(key, "—"), "value": f"{total:,.2f}", "share": share(total, top)}
        for key, total in ranked
    ]


@dataclass
class SpecialRow:
    rank: int
    organization_id: int
    name: str
    introduced: int
    level: int
    amount: Decimal


def special_list(reward_list: RewardList) -> list[SpecialRow]:
    """The special incentive list: organizations that reached a tier, most introduced first."""
    lines = (
        RewardLine.objects.filter(reward_list=reward_list, kind=LineKind.ORG_TIER)
        .select_related("organization")
        .order_by("-introduced", "organization__legal_name", "organization_id")
    )
    tiers = OrgTier.objects.filter(version=reward_list.rule_version).in_bulk()
    rows = []
    for rank, line in enumerate(lines, start=1):
        tier = tiers.get(line.rule_id)
        rows.append(
            SpecialRow(
                rank=rank,
                organization_id=line.organization_id,
                name=line.organization.legal_name,
                introduced=line.introduced or 0,
                level=tier.level if tier else 0,
                amount=line.amount,
            )
        )
    return rows


def tier_counts(reward_list: RewardList) -> list[dict]:
    """How many organizations reached each tier, for the bar chart of the special list."""
    tiers = list(OrgTier.objects.filter(version=reward_list.rule_version).order_by("level"))
    counts = dict(
        RewardLine.objects.filter(reward_list=reward_list, kind=LineKind.ORG_TIER)
        .values_list("rule_id")
        .order_by()
        .annotate(n=Count("id"))
    )
    top = max(counts.values(), default=0)
    return [
        {
            "tier": tier,
            "count": counts.get(tier.pk, 0),
            "share": share(counts.get(tier.pk, 0), top),
        }
        for tier in tiers
    ]


def statement_totals(lines) -> dict:
    """Sums of a statement's lines: by kind, organization lines vs creator lines, by pool."""
    total = money_sum()
    by_kind = {
        row["kind"]: row["total"]
        for row in lines.values("kind").order_by("kind").annotate(total=total)
    }
    aggregate = lines.aggregate(
        own=money_sum(filter=Q(creator=None)),
        creators=money_sum(filter=Q(creator__isnull=False)),
        cash=money_sum(filter=Q(pool=PoolKind.CASH)),
        traffic=money_sum(filter=Q(pool=PoolKind.TRAFFIC)),
        creator_count=Count("creator", distinct=True),
    )
    return {"by_kind": by_kind, **aggregate}


@dataclass
class TierProgress:
    program: Program
    cycle: Cycle
    introduced: int
    tiers: list  # OrgTier rows of the version in force, lowest first
    current: OrgTier | None
    next: OrgTier | None
    days_left: int
    per_week_needed: Decimal | None  # creators per week to reach the next tier in time
    share: float  # how far along the bar (0-100) the count is
    marks: list[tuple[float, OrgTier]]  # each tier's position on the bar


def tier_progress(organization, today: datetime.date | None = None) -> TierProgress | None:
    """Where the organization stands in the current cycle of the running program."""
    today = today or timezone.localdate()
    cycle = (
        Cycle.objects.filter(
            program__status=ProgramStatus.ACTIVE, starts_on__lte=today, ends_on__gt=today
        )
        .select_related("program")
        .order_by("starts_on", "pk")
        .first()
    )
    if cycle is None:
        return None
    version = rule_version_in_force(cycle.program, cycle.starts_on)
    tiers = list(version.org_tiers.order_by("min_introduced")) if version else []
    if not tiers:
        return None
    introduced = counting_bindings(
        Binding.objects.filter(organization=organization),
        cycle_start=cycle.starts_on,
        cycle_end=cycle.ends_on,
    ).count()
    current = next((t for t in reversed(tiers) if introduced >= t.min_introduced), None)
    upcoming = next((t for t in tiers if introduced < t.min_introduced), None)
    days_left = (cycle.ends_on - today).days
    per_week = None
    if upcoming is not None and days_left > 0:
        missing = upcoming.min_introduced - introduced
        per_week = (Decimal(missing) * 7 / days_left).quantize(Decimal("0.1"))
    return TierProgress(
        program=cycle.program,
        cycle=cycle,
        introduced=introduced,
        tiers=tiers,
        current=current,
        next=upcoming,
        days_left=days_left,
        per_week_needed=per_week,
        share=tier_scale(introduced, [t.min_introduced for t in tiers]),
        marks=[(100 * (i + 1) / len(tiers), t) for i, t in enumerate(tiers)],
    )


def tier_scale(count: int, thresholds: list[int]) -> float:
    """Where `count` sits on a bar whose tiers are evenly spaced (tier i of n at i/n of the
    bar, so each tier's label has the same room under its mark), linear within each step."""
    steps, below = len(thresholds), 0
    for index, threshold in enumerate(thresholds):
        if count < threshold:
            within = (count - below) / (threshold - below) if threshold > below else 0
            return 100 * (index + within) / steps
        below = threshold
    return 100.0


def program_status_note(program: Program):
    """The audit entry of the program's last close or reopen (who, when, why), or None."""
    from django.contrib.contenttypes.models import ContentType

    from portal.audit.models import AuditEntry

    return (
        AuditEntry.objects.filter(
            object_type=ContentType.objects.get_for_model(Program),
            object_id=str(program.pk),
            action__in=("program.close", "program.reopen"),
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )


def payment_totals(lines) -> dict:
    """The payment state of a statement's lines: per state of their ledger entries (awaiting
    payment, paid, failed) a count and a sum, the total of what is paid out and the lines that
    pay nothing (no entry)."""
    from portal.core.money import from_fen, to_fen

    states = {status: {"n": 0, "total": ZERO} for status in PaymentStatus.values}
    rows = (
        LedgerEntry.objects.filter(line__in=lines.values("pk"))
        .values("payment_status")
        .order_by()
        .annotate(n=Count("id"), total=money_sum())
    )
    for row in rows:
        states[row["payment_status"]] = {"n": row["n"], "total": row["total"]}
    total = from_fen(sum(to_fen(state["total"]) for state in states.values()))
    return {**states, "total": total, "entries": sum(state["n"] for state in states.values())}


@dataclass
class FailedPayments:
    reward_list: RewardList
    n: int
    total: Decimal


def failed_payments(organization=None) -> list[FailedPayments]:
    """Reward lists with failed payments (an organization's own and its creators' lines, or
    every list), newest cycle first: where a dashboard's "payments failed" leads."""
    entries = LedgerEntry.objects.filter(payment_status=PaymentStatus.FAILED)
    if organization is not None:
        entries = entries.filter(organization=organization)
    rows = list(entries.values("cycle_id").order_by().annotate(n=Count("id"), total=money_sum()))
    lists = RewardList.objects.filter(
        cycle_id__in=[row["cycle_id"] for row in rows]
    ).select_related("cycle__program")
    if organization is not None:
        lists = lists.published()
    by_cycle = {reward_list.cycle_id: reward_list for reward_list in lists}
    found = [
        FailedPayments(by_cycle[row["cycle_id"]], row["n"], row["total"])
        for row in rows
        if row["cycle_id"] in by_cycle
    ]
    return sorted(found, key=lambda item: item.reward_list.cycle.starts_on, reverse=True)


def simulation_compared(cycle, version) -> dict:
    """`cycle` computed under `version`, side by side with the version in force on its first day
    (when that is another one): totals by kind, creative field and tier, and each pool's burn."""
    current = rule_version_in_force(version.program, cycle.starts_on)
    proposed = simulate(cycle, version)
    baseline = simulate(cycle, current) if current is not None and current != version else None

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

    tiers = {level: _("Tier %(level)s") % {"level": level} for level in proposed.by_tier}
    if baseline is not None:
        tiers.update({level: _("Tier %(level)s") % {"level": level} for level in baseline.by_tier})
    return {
        "simulated": cycle,
        "proposed": proposed,
        "baseline": baseline,
        "current": current,
        "sim_tables": [
            (_("By kind"), rows("by_kind", dict(LineKind.choices))),
            (_("By creative field"), rows("by_category")),
            (_("By special incentive tier"), rows("by_tier", tiers)),
        ],
        "pool_burn": _simulated_burn(version.program, proposed, baseline),
    }


def _simulated_burn(program, proposed, baseline) -> list[dict]:
    burn = []
    for pool in program.pools.all():
        room = pool.budget - pool.committed
        new = proposed.by_pool.get(pool.kind, 0)
        old = baseline.by_pool.get(pool.kind, 0) if baseline is not None else None
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
    return burn


def rule_version_in_force(program: Program, day: datetime.date) -> RuleVersion | None:
    """The newest published version in force on `day` (a cycle uses its first day)."""
    return (
        RuleVersion.objects.filter(
            program=program, status=RuleStatus.PUBLISHED, effective_from__lte=day
        )
        .order_by("-effective_from", "-number")
        .first()
    )


def needs_second_approval(reward_list: RewardList) -> bool:
    total = reward_list.cash_total + reward_list.traffic_total
    return total > reward_list.cycle.program.second_approval_above


def payment_progress(reward_list: RewardList) -> dict:
    """Counts and sums of the list's ledger entries by payment status."""
    rows = (
        LedgerEntry.objects.filter(cycle_id=reward_list.cycle_id)
        .exclude(kind__in=COUPON_KINDS)
        .values("payment_status")
        .order_by()
        .annotate(n=Count("id"), total=Sum("amount"))
    )
    out = {status: {"n": 0, "total": Decimal(0)} for status in PaymentStatus.values}
    for row in rows:
        out[row["payment_status"]] = {"n": row["n"], "total": row["total"] or Decimal(0)}
    return out


# --- the organization of an adjustment ----------------------------------------------------------

ORGANIZATION_MATCHES = 20  # suggestions offered as the operator types
ORGANIZATION_OPTIONS_ID = "adjust-organizations"  # the <datalist> the suggestions fill
_REFERENCE = re.compile(r"^(?:(?P<name>.*?)\s*\(#)?(?P<pk>\d{1,18})\)?$")


def adjustable_organizations(user, reward_list: RewardList):
    """The organizations an adjustment of the list may be for: those with a line on it, among
    the organizations the user may see."""
    from organizations.models import Organization

    return Organization.objects.for_user(user).filter(
        pk__in=RewardLine.objects.filter(reward_list=reward_list).values("organization_id")
    )


def organization_suggestions(organizations, text: str) -> list:
    """At most ORGANIZATION_MATCHES of `organizations` whose legal name contains `text`, or whose
    id it is, by name."""
    text = text.strip()
    if not text:
        return []
    match = Q(legal_name__icontains=text)
    reference = _REFERENCE.match(text)
    if reference and reference["name"] is None:
        match |= Q(pk=int(reference["pk"]))
    return list(
        organizations.filter(match)
        .order_by("legal_name", "pk")
        .only("pk", "legal_name")[:ORGANIZATION_MATCHES]
    )


def organization_named(organizations, text: str) -> list:
    """The organizations of `organizations` that `text` names: an id, a suggestion as offered
    ("legal name (#id)"), or else a legal name, whatever its case. Two at most: more than one is
    ambiguous."""
    reference = _REFERENCE.match(text)
    if reference:
        found = list(organizations.filter(pk=int(reference["pk"]))[:1])
        if found or reference["name"] is not None:
            return found
    return list(organizations.filter(legal_name__iexact=text).order_by("pk")[:2])
