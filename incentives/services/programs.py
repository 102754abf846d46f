"""Programs, their pools and cycles, and the life of a rule version (draft -> published)."""

import datetime
import itertools
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incentives.models import (
    Cycle,
    HoldingPeriod,
    LineKind,
    OrgTier,
    Pool,
    PoolKind,
    Program,
    ProgramStatus,
    RuleStatus,
    RuleVersion,
    SubsidyRule,
    TrafficBand,
)
from incentives.policy import require
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record

from .review import lock_pools


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1, day=1)


def cycles_for(
    starts_on: datetime.date, ends_on: datetime.date, months: int
) -> list[tuple[datetime.date, datetime.date]]:
    """Closed-open cycles of `months` calendar months from the program's first month; the last
    one ends with the program."""
    cycles, start = [], starts_on
    while start < ends_on:
        end = min(_add_months(start, months), ends_on)
        cycles.append((start, end))
        start = end
    return cycles


@transaction.atomic
def program_create(
    *,
    actor,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    cash_budget: Decimal,
    traffic_budget: Decimal,
    cycle_months: int = 1,
    second_approval_above: Decimal = Decimal(1_000_000),
    description: str = "",
) -> Program:
    """A program with its two pools and all its cycles."""
    authorize(actor, "program.manage")
    if cash_budget < 0 or traffic_budget < 0:
        raise ValidationError({"cash_budget": _("A budget cannot be negative.")})
    program = Program(
        name=name.strip(),
        description=description.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        cycle_months=cycle_months,
        second_approval_above=second_approval_above,
        created_by=actor,
    )
    program.full_clean()
    program.save()
    Pool.objects.bulk_create(
        [
            Pool(program=program, kind=PoolKind.CASH, budget=cash_budget),
            Pool(program=program, kind=PoolKind.TRAFFIC, budget=traffic_budget),
        ]
    )
    Cycle.objects.bulk_create(
        Cycle(program=program, number=n, starts_on=start, ends_on=end)
        for n, (start, end) in enumerate(cycles_for(starts_on, ends_on, cycle_months), start=1)
    )
    audit_record(
        actor=actor,
        action="program.create",
        obj=program,
        after={
            "name": program.name,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "cycle_months": cycle_months,
            "cash_budget": cash_budget,
            "traffic_budget": traffic_budget,
        },
    )
    return program


@transaction.atomic
def rule_version_draft(*, actor, program: Program, effective_from: datetime.date) -> RuleVersion:
    """A new draft version, a copy of the newest version's rules, ready to edit and simulate."""
    authorize(actor, "program.manage", program)
    latest = program.rule_versions.order_by("-number").first()
    draft = RuleVersion(
        program=program,
        number=(latest.number + 1) if latest else 1,
        effective_from=effective_from,
        created_by=actor,
    )
    if latest is not None:
        for field in (
            "creator_cap",
            "playback_rate",
            "commission_bp",
            "basic_per_introduced",
            "traffic_min_original",
            "minimum_payout",
        ):
            setattr(draft, field, getattr(latest, field))
    draft.full_clean()
    draft.save()
    if latest is not None:
        for model in (SubsidyRule, OrgTier, TrafficBand, HoldingPeriod):
            rows = list(model.objects.filter(version=latest))
            for row in rows:
                row.pk, row.version = None, draft
            model.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="rules.draft",
        obj=draft,
        after={"number": draft.number, "effective_from": effective_from},
    )
    return draft


@transaction.atomic
def rule_version_publish(*, actor, version: RuleVersion) -> RuleVersion:
    """Publish a draft: from now on it never changes."""
    authorize(actor, "program.manage", version.program)
    require(actor, "rules.publish", version)
    updated = RuleVersion.objects.filter(pk=version.pk, status=RuleStatus.DRAFT).update(
        status=RuleStatus.PUBLISHED, published_by=actor, published_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("This version is already published."))
    audit_record(
        actor=actor,
        action="rules.publish",
        obj=version,
        after={"number": version.number, "effective_from": version.effective_from},
    )
    version.refresh_from_db()
    return version


def _program_move(*, actor, program: Program, step: str, status: str, action: str, reason=""):
    """Move a program under its row lock, after the step's check on the fresh row."""
    authorize(actor, "program.manage", program)
    program = Program.objects.select_for_update().get(pk=program.pk)
    require(actor, step, program)
    before = program.status
    Program.objects.filter(pk=program.pk).update(status=status)
    program.refresh_from_db()
    audit_record(
        actor=actor,
        action=action,
        obj=program,
        before={"status": before},
        after={"status": status},
        reason=reason,
    )
    return program


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why; the audit log keeps it.")})
    return reason


@transaction.atomic
def program_open(*, actor, program: Program) -> Program:
    """Open a draft program to participants (it needs a published rule version)."""
    return _program_move(
        actor=actor, program=program, step="program.open", status="active", action="program.open"
    )


@transaction.atomic
def program_close(*, actor, program: Program, reason: str) -> Program:
    """Close a running program: nothing more is computed, submitted or approved. Lists already
    approved are still published and paid, and corrected by adjustments. The pools are locked
    as an approval locks them, so an approval either commits before the close or is refused."""
    reason = _reason(reason)
    authorize(actor, "program.manage", program)
    lock_pools(program)
    return _program_move(
        actor=actor,
        program=program,
        step="program.close",
        status="closed",
        action="program.close",
        reason=reason,
    )


@transaction.atomic
def program_reopen(*, actor, program: Program, reason: str) -> Program:
    """Undo a close made by mistake: the program runs again. Possible while a cycle is still to
    be settled (see incentives.policy); a program whose every cycle is approved stays closed."""
    reason = _reason(reason)
    return _program_move(
        actor=actor,
        program=program,
        step="program.reopen",
        status="active",
        action="program.reopen",
        reason=reason,
    )


def program_set_status(*, actor, program: Program, status: str, reason: str = "") -> Program:
    """Open, close or reopen, by the state wanted (closing and reopening need a reason)."""
    if status == ProgramStatus.CLOSED:
        return program_close(actor=actor, program=program, reason=reason)
    if status == ProgramStatus.ACTIVE and program.status == ProgramStatus.CLOSED:
        return program_reopen(actor=actor, program=program, reason=reason)
    if status == ProgramStatus.ACTIVE:
        return program_open(actor=actor, program=program)
    raise ValidationError(_("A program cannot move back to draft."))


RULE_FIELDS = (
    "effective_from",
    "note",
    "creator_cap",
    "playback_rate",
    "commission_bp",
    "basic_per_introduced",
    "traffic_min_original",
    "minimum_payout",
)


@transaction.atomic
def rule_version_update(
    *,
    actor,
    version: RuleVersion,
    fields: dict,
    subsidy_rules: list[dict],
    org_tiers: list[dict],
    traffic_bands: list[dict],
    holding_periods: list[dict] | None = None,
) -> RuleVersion:
    """Replace a draft's settings and its rule rows in one go (a published version never
    changes). Rows are dicts of model fields; the whole edit is refused on the first problem.
    `holding_periods` ({kind, days} rows) is left as it is when None."""
    authorize(actor, "program.manage", version.program)
    version = RuleVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != RuleStatus.DRAFT:
        raise ValidationError(_("A published version never changes; draft a new one."))
    before = {name: getattr(version, name) for name in RULE_FIELDS}
    for name in RULE_FIELDS:
        if name in fields:
            setattr(version, name, fields[name])
    version.full_clean()
    version.save()
    _check_bands(traffic_bands)
    tables = [(SubsidyRule, subsidy_rules), (OrgTier, org_tiers), (TrafficBand, traffic_bands)]
    if holding_periods is not None:
        known = set(LineKind.values) - {LineKind.ADJUSTMENT}
        for row in holding_periods:
            if row.get("kind") not in known:
                raise ValidationError({"holding_periods": _("Choose a reward kind.")})
        tables.append((HoldingPeriod, holding_periods))
    for model, rows in tables:
        model.objects.filter(version=version).delete()
        objects = [model(version=version, **row) for row in rows]
        for obj in objects:
            obj.full_clean(exclude=["version"], validate_constraints=False)
        model.objects.bulk_create(objects)
        for obj in objects:
            obj.validate_constraints()
    audit_record(
        actor=actor,
        action="rules.update",
        obj=version,
        before=before,
        after={
            **{name: getattr(version, name) for name in RULE_FIELDS},
            "subsidy_rules": len(subsidy_rules),
            "org_tiers": len(org_tiers),
            "traffic_bands": len(traffic_bands),
            **(
                {"holding_periods": {row["kind"]: row["days"] for row in holding_periods}}
                if holding_periods is not None
                else {}
            ),
        },
    )
    return version


def _check_bands(bands: list[dict]) -> None:
    spans = sorted((row["rank_from"], row["rank_to"]) for row in bands)
    for (_a, end), (start, _b) in itertools.pairwise(spans):
        if start <= end:
            raise ValidationError(
                {"traffic_bands": _("Traffic bands overlap at rank %(rank)s.") % {"rank": start}}
            )
