"""Traffic coupons: granting them from the traffic pool, delivery reports, and returning what
was not delivered.

A coupon is posted as a ledger entry of the traffic pool (`incentives.LedgerEntry`, kind
`coupon`) under the same pool locks and the same `pool_never_overspent` constraint as cash:
`lock_pools` → `check_room` → entry → `commit_to_pools`. Its value is the impressions at the
rule's rate per 1,000, rounded half up to the fen. Nothing is granted twice: a placement has
at most one coupon (one-to-one) and a video at most one grade grant (a partial unique key).
Closing a coupon posts a negative `coupon_return` entry for the undelivered share, rounded
down, so the pool never gets back more than the coupon took.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from content.models import Originality, Video
from incentives.models import Cycle, LedgerEntry, LineKind, PoolKind
from incentives.services.review import check_room, commit_to_pools, lock_pools
from placements.models import (
    Coupon,
    CouponSource,
    Delivery,
    GradeGrant,
    Placement,
    PlacementRule,
)
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core.money import from_fen, money_sum, to_fen

# Originality that stands for display and grants: not rejected, not waiting for a decision.
NOT_STANDING = (Originality.COPY, Originality.SUSPECTED)
MAX_DELIVERY_ROWS = 5000


def coupon_value_fen(impressions: int, rate_per_thousand) -> int:
    """Impressions at the rate per 1,000, rounded half up to the fen (integers only)."""
    return (impressions * to_fen(rate_per_thousand) * 2 + 1000) // 2000


def returned_fen(coupon: Coupon) -> int:
    """The undelivered share of the coupon's value, rounded down."""
    return to_fen(coupon.value) * (coupon.impressions - coupon.delivered) // coupon.impressions


def rule_in_force(day: datetime.date) -> PlacementRule:
    rule = PlacementRule.objects.in_force(day)
    if rule is None:
        raise ValidationError(
            _("No placement rule is in force on %(day)s: an operator adds one first.")
            % {"day": day.isoformat()}
        )
    return rule


def cycle_of(program, day: datetime.date) -> Cycle:
    cycle = Cycle.objects.filter(program=program, starts_on__lte=day, ends_on__gt=day).first()
    if cycle is None:
        raise ValidationError(
            _("%(program)s has no cycle on %(day)s; its traffic pool cannot pay for this day.")
            % {"program": program, "day": day.isoformat()}
        )
    return cycle


def _post(pools, cycle, coupons: list[Coupon], kind: str, reason_code: str) -> None:
    """One ledger entry per coupon (value, or minus the returned value)."""
    entries = LedgerEntry.objects.bulk_create(
        LedgerEntry(
            pool=pools[PoolKind.TRAFFIC],
            cycle=cycle,
            kind=kind,
            creator_id=coupon.creator_id,
            organization_id=coupon.organization_id,
            amount=coupon.value if kind == LineKind.COUPON else -coupon.returned_value,
            reason_code=reason_code,
        )
        for coupon in coupons
    )
    for coupon, entry in zip(coupons, entries, strict=True):
        if kind == LineKind.COUPON:
            coupon.entry = entry
        else:
            coupon.returned_entry = entry


def grant_for_placement(placement: Placement) -> Coupon:
    """The coupon a new placement carries (inside the scheduling transaction)."""
    rule = rule_in_force(placement.day)
    cycle = cycle_of(rule.program, placement.day)
    video = placement.video
    fen = coupon_value_fen(placement.impressions, rule.rate_per_thousand)
    if fen <= 0:
        raise ValidationError(_("This slot's impressions are worth less than one fen."))
    pools = lock_pools(rule.program)
    if PoolKind.TRAFFIC not in pools:
        raise ValidationError(_("The program has no traffic pool."))
    check_room(pools, {PoolKind.TRAFFIC: fen})
    coupon = Coupon(
        video=video,
        creator_id=video.creator_id,
        organization_id=video.organization_id,
        source=CouponSource.PLACEMENT,
        placement=placement,
        rule=rule,
        grade=video.grade,
        impressions=placement.impressions,
        value=from_fen(fen),
    )
    _post(pools, cycle, [coupon], LineKind.COUPON, f"placement:{placement.surface.code}")
    commit_to_pools(pools, {PoolKind.TRAFFIC: fen})
    coupon.save()
    return coupon


def close_coupons(coupons, *, reason_code: str) -> int:
    """Close open coupons: the undelivered share of each returns to its pool as a negative
    entry of the cycle it was granted in. Returns the fen given back. Caller holds the lock
    on the coupons and runs in a transaction."""
    now = timezone.now()
    coupons = list(coupons)
    given_back = 0
    by_cycle: dict = {}
    for coupon in coupons:
        coupon.returned_value = from_fen(returned_fen(coupon))
        coupon.closed_at = now
        if coupon.returned_value > 0:
            by_cycle.setdefault(coupon.entry.cycle_id, []).append(coupon)
    for cycle_id, group in by_cycle.items():
        cycle = Cycle.objects.select_related("program").get(pk=cycle_id)
        pools = lock_pools(cycle.program)
        fen = sum(to_fen(c.returned_value) for c in group)
        _post(pools, cycle, group, LineKind.COUPON_RETURN, reason_code)
        commit_to_pools(pools, {PoolKind.TRAFFIC: -fen})
        given_back += fen
    Coupon.objects.bulk_update(coupons, ["returned_value", "closed_at", "returned_entry"])
    return given_back


def _standing_videos():
    return Video.objects.filter(declared_original=True).exclude(originality__in=NOT_STANDING)


@transaction.atomic
def coupons_grant_grades(*, actor, day: datetime.date | None = None, limit: int = 50_000) -> int:
    """Grade grants of the rule in force on `day`: every standing original video whose grade has
    a grant and that never had one gets a coupon, all within the traffic pool's room or none.
    Returns the number granted (at most `limit` a run; the next run continues)."""
    authorize(actor, "coupons.grant")
    day = day or timezone.localdate()
    rule = rule_in_force(day)
    cycle = cycle_of(rule.program, day)
    grants = {g.grade: g.impressions for g in GradeGrant.objects.filter(rule=rule)}
    if not grants:
        return 0
    had = Coupon.objects.filter(video=OuterRef("pk"), source=CouponSource.GRADE)
    videos = list(
        _standing_videos()
        .filter(grade__in=list(grants))
        .filter(~Exists(had))
        .order_by("pk")
        .values_list("pk", "creator_id", "organization_id", "grade")[:limit]
    )
    if not videos:
        return 0
    coupons = [
        Coupon(
            video_id=pk,
            creator_id=creator_id,
            organization_id=organization_id,
            source=CouponSource.GRADE,
            rule=rule,
            grade=grade,
            impressions=grants[grade],
            value=from_fen(coupon_value_fen(grants[grade], rule.rate_per_thousand)),
        )
        for pk, creator_id, organization_id, grade in videos
    ]
    total = sum(to_fen(c.value) for c in coupons)
    pools = lock_pools(rule.program)
    check_room(pools, {PoolKind.TRAFFIC: total})
    _post(pools, cycle, coupons, LineKind.COUPON, "grade_grant")
    commit_to_pools(pools, {PoolKind.TRAFFIC: total})
    Coupon.objects.bulk_create(coupons)
    audit_record(
        actor=actor,
        action="coupons.grant_grades",
        obj=rule,
        after={"coupons": len(coupons), "value": from_fen(total), "cycle": cycle.pk},
    )
    return len(coupons)


@dataclass
class DeliveryRow:
    coupon: int
    day: datetime.date
    impressions: int


@dataclass
class DeliveryResult:
    applied: int = 0
    unchanged: int = 0
    errors: dict[int, str] = field(default_factory=dict)


@transaction.atomic
def deliveries_report(*, actor, rows: list[DeliveryRow]) -> DeliveryResult:
    """Impressions delivered per coupon and day. A (coupon, day) reported again with the same
    figure changes nothing; a different figure replaces the day. Rows naming an unknown or
    closed coupon, a day outside its cycle so far, or more than it granted are reported by position
    and the rest are applied. Coupons are locked in id order, as metric batches lock creators,
    so two overlapping reports queue instead of deadlocking."""
    authorize(actor, "coupons.deliver")
    result = DeliveryResult()
    if len(rows) > MAX_DELIVERY_ROWS:
        raise ValidationError(
            _("Send at most %(n)s rows at a time.") % {"n": f"{MAX_DELIVERY_ROWS:,}"}
        )
    ids = sorted({row.coupon for row in rows})
    coupons = {
        c.pk: c
        for c in Coupon.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("entry__cycle")
        .order_by("pk")
    }
    existing = {
        (d.coupon_id, d.day): d for d in Delivery.objects.filter(coupon_id__in=list(coupons))
    }
    today = timezone.localdate()
    touched = set()
    for index, row in enumerate(rows):
        coupon = coupons.get(row.coupon)
        if coupon is None:
            result.errors[index] = _("No such coupon.")
            continue
        if coupon.closed_at is not None:
            result.errors[index] = _(
                "This coupon is closed; its undelivered impressions went back to the pool."
            )
            continue
        if row.day > today or row.day < coupon.entry.cycle.starts_on:
            result.errors[index] = _("The day is outside the coupon's life.")
            continue
        if not 0 <= row.impressions <= coupon.impressions:
            result.errors[index] = _("Impressions are between 0 and the coupon's %(n)s.") % {
                "n": f"{coupon.impressions:,}"
            }
            continue
        before = existing.get((coupon.pk, row.day))
        if before is not None and before.impressions == row.impressions:
            result.unchanged += 1
            continue
        other_days = coupon.delivered - (before.impressions if before else 0)
        if other_days + row.impressions > coupon.impressions:
            result.errors[index] = _(
                "This would deliver %(total)s impressions; the coupon granted %(n)s."
            ) % {"total": f"{other_days + row.impressions:,}", "n": f"{coupon.impressions:,}"}
            continue
        if before is None:
            existing[(coupon.pk, row.day)] = Delivery.objects.create(
                coupon=coupon, day=row.day, impressions=row.impressions
            )
        else:
            Delivery.objects.filter(pk=before.pk).update(
                impressions=row.impressions, received_at=timezone.now()
            )
            before.impressions = row.impressions
        coupon.delivered = other_days + row.impressions
        touched.add(coupon.pk)
        result.applied += 1
    for pk in sorted(touched):
        Coupon.objects.filter(pk=pk).update(delivered=coupons[pk].delivered)
    if result.applied:
        audit_record(
            actor=actor,
            action="coupons.deliver",
            after={"applied": result.applied, "coupons": len(touched)},
        )
    return result


@transaction.atomic
def coupons_close_cycle(*, actor, cycle: Cycle, as_of: datetime.date | None = None) -> int:
    """At a cycle's end, every still-open coupon granted in it gives back its undelivered
    impressions. Idempotent: a closed coupon is never closed again. Returns coupons closed."""
    authorize(actor, "coupons.grant")
    if cycle.ends_on > (as_of or timezone.localdate()):
        raise ValidationError(_("This cycle has not ended yet."))
    coupons = list(
        Coupon.objects.select_for_update()
        .filter(entry__cycle=cycle, closed_at__isnull=True)
        .select_related("entry")
        .order_by("pk")
    )
    if not coupons:
        return 0
    fen = close_coupons(coupons, reason_code="cycle_end")
    audit_record(
        actor=actor,
        action="coupons.close",
        obj=cycle,
        after={"coupons": len(coupons), "returned": from_fen(fen)},
    )
    return len(coupons)


def delivered_totals(coupons) -> dict:
    """Granted, delivered and returned totals of a coupon queryset."""
    row = coupons.aggregate(
        granted=Sum("impressions"),
        delivered=Sum("delivered"),
        value_total=money_sum("value"),
        returned_total=money_sum("returned_value"),
    )
    return {
        "granted": row["granted"] or 0,
        "delivered": row["delivered"] or 0,
        "value": row["value_total"],
        "returned": row["returned_total"],
    }
