"""Demo data of placements and traffic coupons, through the services: the rule and inventory of
the four surfaces in the fields with the most graded videos, a calendar filled for the current
month (decided as on the month's first day), delivery reports for the days shown so far, grade
grants, and nominations still waiting for the managers."""

import datetime
import random
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count

from content.models import Video
from incentives.models import PUBLISHED_STATUSES, Cycle, Program, ProgramStatus
from placements.models import Coupon, CouponSource, DeclineReason, Placement, Surface
from placements.services import (
    DeliveryRow,
    coupons_grant_grades,
    deliveries_report,
    inventory_set,
    placement_accept,
    placement_decline,
    placement_nominate,
    placement_rule_add,
)
from placements.services.schedule import coupons_close_ended_cycles
from placements.services.scheduling import fill_candidates
from portal.accounts.permissions import SYSTEM

FIELDS = 2  # fields with inventory: the showcase organization's, then the most graded
SLOTS = {"browse_review": 3, "browse_outfit": 3, "product_review": 2, "product_outfit": 2}
IMPRESSIONS = {
    "browse_review": 50_000,
    "browse_outfit": 50_000,
    "product_review": 20_000,
    "product_outfit": 20_000,
}


def demo_placements(*, seed: int, operator, showcase_owner, today: datetime.date) -> dict:
    rng = random.Random(seed * 7_919)
    program = Program.objects.filter(status=ProgramStatus.ACTIVE).order_by("starts_on").first()
    if program is None:
        return {"placements": 0, "coupons": 0, "delivered": 0, "pending": 0}
    month_start = today.replace(day=1)
    placement_rule_add(
        actor=operator,
        program=program,
        effective_from=min(program.starts_on, month_start),
        rate_per_thousand=Decimal("2.00"),
        monthly_quota=10,
        grade_grants={"S": 50_000, "A": 20_000},
        boosts={
            ("S", "original"): Decimal("1.60"),
            ("S", "clear"): Decimal("1.40"),
            ("S", "transformative"): Decimal("1.20"),
            ("A", "original"): Decimal("1.30"),
            ("A", "clear"): Decimal("1.20"),
            ("B", "original"): Decimal("1.10"),
        },
        note="首版展示位与流量券规则",
    )
    showcase_fields = []
    if showcase_owner is not None:
        organization = showcase_owner.membership.organization
        showcase_fields = [organization.main_category_id]
    graded = (
        Video.objects.exclude(grade="")
        .values("category_id")
        .annotate(n=Count("id"))
        .order_by("-n", "category_id")
    )
    fields = list(dict.fromkeys(showcase_fields + [row["category_id"] for row in graded]))[:FIELDS]
    surfaces = list(Surface.objects.filter(code__in=SLOTS).order_by("sort_order"))
    from portal.core.models import Category

    for surface in surfaces:
        for category in Category.objects.filter(pk__in=fields):
            inventory_set(
                actor=operator,
                surface=surface,
                category=category,
                effective_from=month_start,
                slots_per_day=SLOTS[surface.code],
                impressions_per_slot=IMPRESSIONS[surface.code],
            )
    days = [month_start + datetime.timedelta(days=i) for i in range(31)]
    days = [d for d in days if d.month == month_start.month]
    reserved = _reserve(showcase_owner)
    placed = 0
    for surface in surfaces:
        for field in fields:
            candidates = [v for v in fill_candidates(surface, field)[:300] if v.pk not in reserved]
            rng.shuffle(candidates)
            # Each video runs for up to three days; some days keep a free slot.
            free = {d: SLOTS[surface.code] - rng.choice((0, 0, 1)) for d in days}
            for video in candidates:
                open_days = [d for d in days if free[d] > 0]
                if not open_days:
                    break
                start = days.index(open_days[0])
                run = [d for d in days[start : start + 3] if free[d] > 0]
                if _place(operator, surface, video, run, month_start):
                    placed += len(run)
                    for d in run:
                        free[d] -= 1
    delivered = _deliver(rng, today)
    granted, delivered_grants = _grade_grants(rng, operator, program, today)
    delivered += delivered_grants
    pending = _pending(showcase_owner, reserved)
    return {
        "placements": placed,
        "coupons": Coupon.objects.count(),
        "grade_grants": granted,
        "delivered": delivered,
        "pending": pending,
    }


def _grade_grants(rng, operator, program, today) -> tuple[int, int]:
    """Grade grants made on the last day of the newest published cycle (so its statements show
    them), delivered in part during it and closed at its end: the undelivered impressions went
    back to the pool. Without a published cycle, granted today."""
    published = (
        Cycle.objects.filter(
            program=program, reward_list__status__in=PUBLISHED_STATUSES, ends_on__lte=today
        )
        .order_by("-starts_on")
        .first()
    )
    if published is None:
        return coupons_grant_grades(actor=operator, day=today), 0
    last_day = published.ends_on - datetime.timedelta(days=1)
    granted = coupons_grant_grades(actor=operator, day=last_day)
    rows = [
        DeliveryRow(coupon=pk, day=last_day, impressions=int(n * rng.uniform(0.4, 0.95)))
        for pk, n in Coupon.objects.filter(source=CouponSource.GRADE, entry__cycle=published)
        .order_by("pk")
        .values_list("pk", "impressions")
    ]
    delivered = 0
    for start in range(0, len(rows), 2000):
        delivered += deliveries_report(actor=SYSTEM, rows=rows[start : start + 2000]).applied
    coupons_close_ended_cycles(actor=SYSTEM, today=today)
    return granted, delivered


def _reserve(owner) -> set[int]:
    """A few of the showcase organization's eligible videos stay out of the calendar: they are
    its nominations waiting for review."""
    if owner is None:
        return set()
    organization = owner.membership.organization
    return {
        video.pk
        for surface in Surface.objects.filter(page="channel")
        for video in fill_candidates(surface, organization.main_category_id).filter(
            organization=organization
        )[:2]
    }


def _place(operator, surface, video, days, month_start) -> int:
    product = video.products.order_by("pk").first() if surface.product_required else None
    try:
        nomination = placement_nominate(
            actor=operator, video=video, surface=surface, product=product
        )
    except ValidationError:
        return 0
    try:
        placement_accept(actor=operator, nomination=nomination, days=days, as_of=month_start)
    except ValidationError:
        placement_decline(actor=operator, nomination=nomination, reason=DeclineReason.FULL)
        return 0
    return 1


def _deliver(rng, today) -> int:
    """The content system's reports: each placement shown so far delivered 55-100% of its
    impressions, reported on its day."""
    rows = [
        DeliveryRow(
            coupon=coupon_id, day=day, impressions=int(impressions * rng.uniform(0.55, 1.0))
        )
        for coupon_id, day, impressions in Placement.objects.filter(day__lt=today)
        .order_by("pk")
        .values_list("coupon__id", "day", "impressions")
    ]
    applied = 0
    for start in range(0, len(rows), 2000):
        applied += deliveries_report(actor=SYSTEM, rows=rows[start : start + 2000]).applied
    return applied


def _pending(owner, reserved: set[int]) -> int:
    """The showcase organization's nominations waiting for its manager."""
    if owner is None:
        return 0
    made = 0
    videos = list(Video.objects.filter(pk__in=reserved).order_by("pk"))
    for surface in Surface.objects.filter(page="channel").order_by("sort_order"):
        for video in videos:
            try:
                placement_nominate(
                    actor=owner,
                    video=video,
                    surface=surface,
                    note="画面干净、讲解清楚，适合频道展示",
                )
            except ValidationError:
                continue
            made += 1
    return made
