"""Reads shown to people and to the feed."""

import calendar
import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from incentives.models import LedgerEntry, LineKind, PoolKind
from incentives.selectors import share
from placements.models import (
    BOOST_ORIGINALITIES,
    GRADES,
    BoostFactor,
    Coupon,
    CouponSource,
    InventoryDay,
    InventoryRule,
    Nomination,
    NominationStatus,
    Placement,
    PlacementRule,
    PlacementStatus,
    Surface,
)
from portal.accounts.models import Role
from portal.accounts.permissions import manager_category_ids
from portal.core.models import Category, localized
from portal.core.money import money_sum

ONE = Decimal("1.00")


def boost_table(day: datetime.date, cache: dict) -> tuple[int | None, dict]:
    """The rule in force on `day` and its boost factors by (grade, originality)."""
    if "rules" not in cache:
        cache["rules"] = list(PlacementRule.objects.order_by("-effective_from"))
    rules = cache["rules"]
    rule = next((r for r in rules if r.effective_from <= day), None)
    if rule is None:
        return None, {}
    factors = cache.setdefault("factors", {})
    if rule.pk not in factors:
        factors[rule.pk] = {
            (b.grade, b.originality): b.factor for b in BoostFactor.objects.filter(rule=rule)
        }
    return rule.pk, factors[rule.pk]


def boost_for(video, day: datetime.date, cache: dict) -> tuple[Decimal, int | None]:
    rule_id, table = boost_table(day, cache)
    return table.get((video.grade, video.originality), ONE), rule_id


def with_boosts(placements):
    """Annotate each placement with `boost_factor` and `boost_rule` (two queries a page)."""
    placements = list(placements)
    cache: dict = {}
    for placement in placements:
        placement.boost_factor, placement.boost_rule = boost_for(
            placement.video, placement.day, cache
        )
    return placements


# --- the feed -------------------------------------------------------------------------------------
# The columns of a feed row in the serializer's names and order (PlacementSerializer describes
# them), each with the path `.values()` reads it from.
FEED_COLUMNS = {
    "id": "id",
    "surface": "surface__code",
    "date": "day",
    "field": "category__code",
    "video_id": "video__video_id",
    "creator": "video__creator__platform_account_id",
    "sku": "product__sku_id",
    "impressions": "impressions",
    "status": "status",
    "withdrawn_reason": "withdrawn_reason",
    "grade": "video__grade",
    "originality": "video__originality",
    "boost_factor": "boost_factor",
    "boost_rule": "boost_rule",
    "updated_at": "updated_at",
}


def feed(user, *, surface="", day=None, field="", sku="", status=""):
    """The placement feed as `.values()` rows in one query, answered from an index: the codes
    the front ends send become their ids in scalar subqueries (one indexed row each), so the
    placements are read by `placement_feed_idx` (surface, day, field, id),
    `placement_feed_day_idx` (surface, day, id) or `placement_sku_feed_idx` (product, id)
    already in the cursor's id order; the video, creator and product come by primary key, and
    the boost factor (the rule in force on the day, its factor for the video's grade and
    originality, 1.00 when it names none) by two unique-index lookups, for the page's rows
    only. A withdrawal is an update of the placement's row: the next request shows it."""
    from content.models import Product

    placements = Placement.objects.for_user(user)
    if surface:
        placements = placements.filter(
            surface_id=Subquery(Surface.objects.filter(code=surface).values("pk")[:1])
        )
    if field:
        placements = placements.filter(
            category_id=Subquery(Category.objects.filter(code=field).values("pk")[:1])
        )
    if sku:
        placements = placements.filter(
            product_id=Subquery(Product.objects.filter(sku_id=sku).values("pk")[:1])
        )
    if day is not None:
        placements = placements.filter(day=day)
    if status:
        placements = placements.filter(status=status)
    rule_of_day = PlacementRule.objects.filter(effective_from__lte=OuterRef("day")).order_by(
        "-effective_from", "-id"
    )
    factor = BoostFactor.objects.filter(
        rule_id=OuterRef("boost_rule"),
        grade=OuterRef("video__grade"),
        originality=OuterRef("video__originality"),
    ).order_by()  # one row by the unique index: no join to the rule for its default ordering
    return (
        placements.order_by()
        .annotate(boost_rule=Subquery(rule_of_day.values("pk")[:1]))
        .annotate(
            boost_factor=Coalesce(
                Subquery(factor.values("factor")[:1]),
                Value(ONE),
                output_field=DecimalField(max_digits=4, decimal_places=2),
            )
        )
        .values(*FEED_COLUMNS.values())
    )


def feed_rows(found: list[dict], represent: dict) -> list[dict]:
    """Feed rows in the serializer's names and representations (see `value_rows`)."""
    return value_rows(found, FEED_COLUMNS, represent)


# --- boost factors for the recommendation system ---------------------------------------------------
BOOST_COLUMNS = {
    "id": "id",
    "video_id": "video_id",
    "creator": "creator__platform_account_id",
    "field": "category__code",
    "grade": "grade",
    "originality": "originality",
    "boost_factor": "boost_factor",
    "boost_rule": "boost_rule",
    "updated_at": "updated_at",
}


def boosts(user, *, day: datetime.date, since=None, field=""):
    """Every graded video whose originality stands (declared original, not rejected as a copy)
    with the boost factor of its grade and originality under the placement rule in force on
    `day` (1.00 when the rule names none, or when no rule is in force yet), as `.values()` rows
    in one query: the field's code becomes its id in a scalar subquery, the videos are read in
    the cursor's id order from the partial index `video_boost_field_idx` (field, id) or
    `video_boost_since_idx` (updated_at), the factor by a unique-index lookup per row of the
    page. `since`: only videos whose grade or originality changed (their row was updated) at
    or after it."""
    from content.models import Originality, Video

    rule = PlacementRule.objects.in_force(day)
    videos = (
        Video.objects.for_user(user)
        .filter(declared_original=True)
        .exclude(grade="")
        .exclude(originality=Originality.COPY)
    )
    if field:
        videos = videos.filter(
            category_id=Subquery(Category.objects.filter(code=field).values("pk")[:1])
        )
    if since is not None:
        videos = videos.filter(updated_at__gte=since)
    factor = BoostFactor.objects.filter(
        rule_id=rule.pk if rule else None,
        grade=OuterRef("grade"),
        originality=OuterRef("originality"),
    ).order_by()  # one row by the unique index: no join to the rule for its default ordering
    return (
        videos.order_by()
        .annotate(boost_rule=Value(rule.pk if rule else None, output_field=IntegerField()))
        .annotate(
            boost_factor=Coalesce(
                Subquery(factor.values("factor")[:1]),
                Value(ONE),
                output_field=DecimalField(max_digits=4, decimal_places=2),
            )
        )
        .values(*BOOST_COLUMNS.values())
    )


def value_rows(found: list[dict], columns: dict, represent: dict) -> list[dict]:
    """`.values()` rows in the serializer's names and representations (`represent`: name -> the
    serializer field's `to_representation`)."""
    columns = list(columns.items())
    return [
        {
            name: None if values[path] is None else represent[name](values[path])
            for name, path in columns
        }
        for values in found
    ]


# --- pages ----------------------------------------------------------------------------------------
def fill_class(booked: int, capacity: int) -> str:
    if not capacity:
        return "fill-none"
    ratio = booked / capacity
    if ratio >= 1:
        return "fill-full"
    if ratio >= 0.5:
        return "fill-high"
    if ratio > 0:
        return "fill-low"
    return "fill-empty"


def month_days(month: datetime.date) -> list[datetime.date]:
    first = month.replace(day=1)
    return [
        first + datetime.timedelta(days=i)
        for i in range(calendar.monthrange(first.year, first.month)[1])
    ]


def calendar_for(user, surface: Surface, month: datetime.date) -> dict:
    """Days × fields of one surface: booked/capacity per cell, coloured by fill. Managers see
    their fields; operators every field with inventory. Three queries whatever the month."""
    days = month_days(month)
    rules = list(
        InventoryRule.objects.filter(surface=surface, effective_from__lte=days[-1])
        .select_related("category")
        .order_by("category__sort_order", "category_id", "effective_from")
    )
    if user.role == Role.MANAGER:
        mine = manager_category_ids(user)
        rules = [r for r in rules if r.category_id in mine]
    fields: dict[int, Category] = {}
    by_field = defaultdict(list)
    for rule in rules:
        fields[rule.category_id] = rule.category
        by_field[rule.category_id].append(rule)
    booked = {
        (row.category_id, row.day): row
        for row in InventoryDay.objects.filter(
            surface=surface, day__gte=days[0], day__lte=days[-1], category_id__in=list(fields)
        )
    }
    rows = []
    totals = {"booked": 0, "capacity": 0}
    for category_id, category in fields.items():
        cells = []
        for day in days:
            row = booked.get((category_id, day))
            if row is not None:
                capacity, taken = row.capacity, row.booked
            else:
                in_force = [r for r in by_field[category_id] if r.effective_from <= day]
                capacity, taken = (in_force[-1].slots_per_day if in_force else 0), 0
            totals["booked"] += taken
            totals["capacity"] += capacity
            cells.append(
                {
                    "day": day,
                    "booked": taken,
                    "capacity": capacity,
                    "css": fill_class(taken, capacity),
                }
            )
        rows.append({"field": category, "cells": cells})
    return {
        "surface": surface,
        "days": days,
        "rows": rows,
        "totals": totals,
        "fill": round(share(totals["booked"], totals["capacity"])),
    }


def burn_by_source(program) -> list[dict]:
    """What the traffic pool spent, by source: placements per surface, grade grants, the rank
    bands of the settlements, less undelivered impressions returned."""
    entries = LedgerEntry.objects.filter(cycle__program=program, pool__kind=PoolKind.TRAFFIC)
    totals = defaultdict(lambda: Decimal(0))
    for row in entries.values("kind", "reason_code").order_by().annotate(total=Sum("amount")):
        if row["kind"] == LineKind.COUPON:
            key = "grade" if row["reason_code"] == "grade_grant" else "placement"
        elif row["kind"] == LineKind.COUPON_RETURN:
            key = "returned"
        elif row["kind"] == LineKind.TRAFFIC:
            key = "bands"
        else:
            key = "other"
        totals[key] += row["total"] or 0
    labels = {
        "placement": _("Display placements"),
        "grade": _("Grade grants"),
        "bands": _("Rank bands (settlements)"),
        "other": _("Other traffic entries"),
        "returned": _("Returned undelivered"),
    }
    top = max((abs(v) for v in totals.values()), default=0)
    return [
        {
            "label": labels[key],
            "value": f"{totals[key]:,.2f}",
            "share": share(abs(totals[key]), top),
            "key": "rejected" if key == "returned" else "approved",
        }
        for key in labels
        if key in totals
    ]


def granted_vs_delivered(coupons) -> list[dict]:
    """Per source (each surface, grade grants): impressions granted and delivered, for the
    paired bars of the chart."""
    rows = (
        coupons.values("source", "placement__surface__name_zh", "placement__surface__name_en")
        .order_by("source", "placement__surface__name_en")
        .annotate(granted=Sum("impressions"), delivered=Sum("delivered"), n=Count("id"))
    )
    out = []
    for row in rows:
        if row["source"] == CouponSource.GRADE:
            label = _("Grade grants")
        else:
            label = localized(
                row["placement__surface__name_zh"], row["placement__surface__name_en"]
            )
        out.append(
            {
                "label": label,
                "granted": row["granted"] or 0,
                "delivered": row["delivered"] or 0,
                "n": row["n"],
            }
        )
    top = max((r["granted"] for r in out), default=0)
    for row in out:
        row["granted_share"] = share(row["granted"], top)
        row["delivered_share"] = share(row["delivered"], top)
        row["rate"] = round(share(row["delivered"], row["granted"]))
    return out


def manager_queue(user):
    return (
        Nomination.objects.for_user(user)
        .filter(status=NominationStatus.PENDING)
        .select_related(
            "video__creator",
            "video__content_type",
            "surface",
            "category",
            "organization",
            "product",
        )
        .order_by("nominated_at", "pk")
    )


def organization_figures(user, organization) -> dict:
    """An organization's nominations, quota, placements and coupons per video and per creator."""
    from placements.services.scheduling import monthly_quota, quota_used

    today = timezone.localdate()
    rule = PlacementRule.objects.in_force(today)
    coupons = Coupon.objects.for_user(user)
    per_video = (
        coupons.values("video_id", "video__title", "video__video_id", "video__grade")
        .order_by("-video_id")
        .annotate(
            granted=Sum("impressions"),
            delivered=Sum("delivered"),
            n=Count("id"),
            placements=Count("id", filter=Q(source=CouponSource.PLACEMENT)),
        )[:100]
    )
    per_creator = (
        coupons.values("creator_id", "creator__display_name")
        .order_by("creator__display_name")
        .annotate(granted=Sum("impressions"), delivered=Sum("delivered"), n=Count("id"))[:100]
    )
    return {
        "quota": monthly_quota(organization, rule, today) if rule else 0,
        "quota_used": quota_used(organization, today),
        "nominations": Nomination.objects.for_user(user)
        .select_related("video", "surface", "product")
        .order_by("-nominated_at")[:100],
        "placements": Placement.objects.for_user(user)
        .filter(day__gte=today - datetime.timedelta(days=31))
        .select_related("video", "surface", "product")
        .order_by("day", "pk")[:200],
        "per_video": [_rate(r) for r in per_video],
        "per_creator": [_rate(r) for r in per_creator],
        "coupons": coupons.select_related(
            "video", "rule", "placement__surface", "entry__cycle"
        ).order_by("-created_at")[:100],
        "withdrawn": PlacementStatus.WITHDRAWN,
    }


def _rate(row: dict) -> dict:
    row["rate"] = round(share(row["delivered"] or 0, row["granted"] or 0))
    return row


# --- the organization's statement (a section registered with portal.core.statements) -------------
STATEMENT_COUPONS = 100


def statement_coupons(user, organization, cycle) -> dict | None:
    """The organization's videos' traffic coupons granted in `cycle`: each with its video,
    creator, grade, the placement or grade rule that granted it, impressions granted and
    delivered, its value in CNY of the traffic pool and what went back. None when it has none.
    Three queries whatever the number of coupons (the newest 100 are listed, the totals count
    them all)."""
    coupons = Coupon.objects.for_user(user).filter(organization=organization, entry__cycle=cycle)
    totals = coupons.aggregate(
        n=Count("id"),
        granted=Sum("impressions"),
        delivered=Sum("delivered"),
        value=money_sum("value"),
        returned=money_sum("returned_value"),
    )
    if not totals["n"]:
        return None
    rows = list(
        coupons.select_related(
            "video", "creator", "rule", "placement__surface", "placement__product"
        ).order_by("-created_at", "-pk")[:STATEMENT_COUPONS]
    )
    for coupon in rows:
        coupon.rate = round(share(coupon.delivered, coupon.impressions))
    return {
        "coupons": rows,
        "count": totals["n"],
        "granted": totals["granted"] or 0,
        "delivered": totals["delivered"] or 0,
        "value": totals["value"],
        "returned": totals["returned"],
        "rate": round(share(totals["delivered"] or 0, totals["granted"] or 0)),
        "more": totals["n"] > len(rows),
    }


# --- the operators' editors ------------------------------------------------------------------------
def rule_versions(today: datetime.date) -> dict:
    """Every version of the placement rule, newest first, each with its grade grants and its
    boost factors as a grade × originality table; which one is in force today, which are still
    to come. Three queries."""
    from content.models import Originality

    originalities = [Originality(code) for code in BOOST_ORIGINALITIES]
    versions = list(
        PlacementRule.objects.select_related("program", "created_by")
        .prefetch_related("grade_grants", "boosts")
        .order_by("-effective_from", "-id")
    )
    current = next((v for v in versions if v.effective_from <= today), None)
    for version in versions:
        version.state = (
            "current"
            if version is current
            else "future"
            if version.effective_from > today
            else "past"
        )
        factors = {(b.grade, b.originality): b.factor for b in version.boosts.all()}
        version.boost_rows = [
            (grade, [factors.get((grade, o)) for o in BOOST_ORIGINALITIES]) for grade in GRADES
        ]
    return {"versions": versions, "current": current, "originalities": originalities}


def surfaces_for_setup():
    return Surface.objects.prefetch_related("content_types").order_by("sort_order", "code")


def inventory_for_setup(limit: int = 200):
    """The dated inventory rows the setup page lists: by surface and field, the newest first."""
    return InventoryRule.objects.select_related("surface", "category", "created_by")[:limit]
