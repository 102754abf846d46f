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
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record


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


def rule_version_in_force(program: Program, day: datetime.date) -> RuleVersion | None:
    """The newest published version in force on `day` (a cycle uses its first day)."""
    return (
        RuleVersion.objects.filter(
            program=program, status=RuleStatus.PUBLISHED, effective_from__lte=day
        )
        .order_by("-effective_from", "-number")
        .first()
    )


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
        ):
            setattr(draft, field, getattr(latest, field))
    draft.full_clean()
    draft.save()
    if latest is not None:
        for model in (SubsidyRule, OrgTier, TrafficBand):
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
    if not version.org_tiers.exists() and not version.subsidy_rules.exists():
        raise ValidationError(_("Add at least one subsidy rule or organization tier first."))
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


@transaction.atomic
def program_set_status(*, actor, program: Program, status: str) -> Program:
    """Open a draft program to participants (active) or close a running one."""
    authorize(actor, "program.manage", program)
    allowed = {
        ProgramStatus.DRAFT: ProgramStatus.ACTIVE,
        ProgramStatus.ACTIVE: ProgramStatus.CLOSED,
    }
    before = program.status
    if allowed.get(before) != status:
        raise ValidationError(
            _("A %(status)s program cannot move to that state.")
            % {"status": program.get_status_display().lower()}
        )
    if (
        status == ProgramStatus.ACTIVE
        and not program.rule_versions.filter(status=RuleStatus.PUBLISHED).exists()
    ):
        raise ValidationError(_("Publish a rule version before opening the program."))
    Program.objects.filter(pk=program.pk, status=before).update(status=status)
    program.refresh_from_db()
    audit_record(
        actor=actor,
        action="program.status",
        obj=program,
        before={"status": before},
        after={"status": status},
    )
    return program


RULE_FIELDS = (
    "effective_from",
    "note",
    "creator_cap",
    "playback_rate",
    "commission_bp",
    "basic_per_introduced",
    "traffic_min_original",
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
) -> RuleVersion:
    """Replace a draft's settings and its rule rows in one go (a published version never
    changes). Rows are dicts of model fields; the whole edit is refused on the first problem."""
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
    for model, rows in (
        (SubsidyRule, subsidy_rules),
        (OrgTier, org_tiers),
        (TrafficBand, traffic_bands),
    ):
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
