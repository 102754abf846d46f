"""Reading the scorecards: a score component by component, the trend, what would raise a level,
the distribution and the movers, and the one call other apps make for a right
(`right_for(organization, key)`). Definitions are in growth/services/scorecard.py."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, F, FilteredRelation, OuterRef, Q, Subquery
from django.utils import timezone

from growth.models import (
    COMPONENT_CODES,
    COMPONENT_LABELS,
    RIGHT_KINDS,
    Level,
    LevelRight,
    Scorecard,
)
from growth.services.scorecard import BETTER, month_bounds, previous_month

MILLI = Decimal("0.001")


def level_of(organization, on: datetime.date | None = None) -> int:
    """The level an organization holds now: the level of its newest scorecard of a month that
    started on or before `on` (today by default); 0 without a scorecard."""
    on = on or timezone.localdate()
    row = (
        Scorecard.objects.filter(organization=organization, month__lte=on)
        .order_by("-month")
        .values_list("level", flat=True)
        .first()
    )
    return row or 0


def right_for(organization, key: str, on: datetime.date | None = None) -> int | None:
    """The value of right `key` at the organization's current level (None: its level does not
    grant it, and the program's general rule applies). Read where the right is applied."""
    if key not in RIGHT_KINDS:
        raise ValueError(f"unknown right {key!r}")
    level = level_of(organization, on)
    if not level:
        return None
    return (
        LevelRight.objects.filter(level__number=level, key=key)
        .values_list("value", flat=True)
        .first()
    )


def organizations_granted(key: str, on: datetime.date | None = None):
    """The ids of the organizations whose current level grants `key` (a value above 0), as a
    subquery: for queues that put them first (the dedicated review lane)."""
    on = on or timezone.localdate()
    newest = (
        Scorecard.objects.filter(organization=OuterRef("organization"), month__lte=on)
        .order_by("-month")
        .values("month")[:1]
    )
    levels = LevelRight.objects.filter(key=key, value__gt=0).values("level__number")
    return Scorecard.objects.filter(month=Subquery(newest), level__in=levels).values(
        "organization_id"
    )


def granted_values(key: str, on: datetime.date | None = None) -> dict[int, int]:
    """{organization id: value} of right `key` for every organization whose current level (on
    `on`) grants it: for set-based work over many organizations (the payout holds)."""
    if key not in RIGHT_KINDS:
        raise ValueError(f"unknown right {key!r}")
    on = on or timezone.localdate()
    newest = (
        Scorecard.objects.filter(organization=OuterRef("organization"), month__lte=on)
        .order_by("-month")
        .values("month")[:1]
    )
    values = dict(LevelRight.objects.filter(key=key).values_list("level__number", "value"))
    rows = Scorecard.objects.filter(month=Subquery(newest), level__in=list(values))
    return {
        organization: values[level]
        for organization, level in rows.values_list("organization_id", "level")
    }


def rights_by_level() -> dict[int, dict[str, int]]:
    rights: dict[int, dict[str, int]] = {}
    for number, key, value in LevelRight.objects.values_list("level__number", "key", "value"):
        rights.setdefault(number, {})[key] = value
    return rights


@dataclass(frozen=True)
class ComponentLine:
    """One component of a scorecard: the figure (a share 0-1, or violations per creator), its
    numerator and denominator as counted, the percentile (0-100), the weight and the points."""

    code: str
    label: str
    figure: float
    numerator: int
    denominator: int
    better: str
    percentile: float
    weight: int
    points: Decimal


def figures(card: Scorecard) -> dict[str, tuple[float, int, int]]:
    """Each component's figure with the counts behind it (the same definitions as the SQL)."""

    def share(numerator, denominator, empty=0.0):
        return (numerator / denominator if denominator > 0 else empty, numerator, denominator)

    return {
        "original_share": share(card.original_videos, card.videos),
        "active_share": share(card.active_creators, card.creators),
        "qualification_rate": share(card.qualified, card.recruited),
        "violations": (
            card.violations / max(card.creators, 1),
            card.violations,
            card.creators,
        ),
        "items_on_time": share(card.items_on_time, card.items_due, 1.0),
        "growth": (
            (card.roster_end - card.roster_start) / max(card.roster_start, 1),
            card.roster_end,
            card.roster_start,
        ),
    }


def points(card: Scorecard) -> dict[str, Decimal]:
    """Each component's points in thousandths adding up exactly to the stored score: the exact
    shares w x (r - 1) / (N - 1) rounded down, the missing thousandths given to the largest
    remainders (ties: the earlier component)."""
    n = card.scored
    weights = card.version.weights()
    exact = {}
    for code in COMPONENT_CODES:
        below = round(getattr(card, f"p_{code}") * (n - 1)) if n > 1 else 0
        exact[code] = Fraction(1000 * weights[code] * below, n - 1) if n > 1 else Fraction(0)
    floors = {code: int(value) for code, value in exact.items()}
    missing = int(card.score / MILLI) - sum(floors.values())
    if 0 <= missing <= len(floors):
        order = sorted(exact, key=lambda code: -(exact[code] - floors[code]))
        for code in order[:missing]:
            floors[code] += 1
    return {code: Decimal(value) * MILLI for code, value in floors.items()}


def explain(card: Scorecard) -> list[ComponentLine]:
    weights = card.version.weights()
    earned = points(card)
    return [
        ComponentLine(
            code=code,
            label=str(COMPONENT_LABELS[code]),
            figure=figure,
            numerator=numerator,
            denominator=denominator,
            better=BETTER[code],
            percentile=getattr(card, f"p_{code}") * 100,
            weight=weights[code],
            points=earned[code],
        )
        for code, (figure, numerator, denominator) in figures(card).items()
    ]


def latest_scorecard(organization) -> Scorecard | None:
    return (
        Scorecard.objects.filter(organization=organization)
        .select_related("version")
        .order_by("-month")
        .first()
    )


def latest_by_organization(organization_ids) -> dict[int, Scorecard]:
    """Each organization's newest scorecard, by organization id (one query)."""
    newest = (
        Scorecard.objects.filter(organization=OuterRef("organization"))
        .order_by("-month")
        .values("month")[:1]
    )
    return {
        card.organization_id: card
        for card in Scorecard.objects.filter(
            organization_id__in=list(organization_ids), month=Subquery(newest)
        )
    }


def trend(organization, month: datetime.date, months: int = 12) -> list[dict]:
    """The organization's score and level for the `months` months up to `month`, oldest first;
    a month without a scorecard has None."""
    firsts = [month.replace(day=1)]
    for _ in range(months - 1):
        firsts.append(previous_month(firsts[-1]))
    firsts.reverse()
    cards = {
        card["month"]: card
        for card in Scorecard.objects.filter(
            organization=organization, month__gte=firsts[0], month__lte=firsts[-1]
        ).values("month", "score", "level")
    }
    return [
        {
            "month": first,
            "score": cards.get(first, {}).get("score"),
            "level": cards.get(first, {}).get("level"),
        }
        for first in firsts
    ]


@dataclass(frozen=True)
class Headroom:
    """A component where points are still to win: the points left (weight x (1 - percentile)),
    and the figure of the organization ranked at the percentile that would close the gap to the
    next level on this component alone (None when this component alone cannot)."""

    line: ComponentLine
    points_left: Decimal
    target_figure: float | None


@dataclass(frozen=True)
class RaisePlan:
    next_level: Level | None
    gap: Decimal  # points missing to the next level's score
    headroom: list[Headroom]  # most points left first
    below_note: bool  # held above the reached level by the hysteresis (a month of grace)


def what_would_raise(card: Scorecard) -> RaisePlan:
    """What would lift `card`'s organization to the next level: the gap in points, and per
    component the points still to win and the figure that would close the gap on its own (read
    from the month's own distribution)."""
    lines = explain(card)
    next_level = Level.objects.filter(number__gt=card.level).order_by("number").first()
    gap = max(next_level.min_score - card.score, Decimal(0)) if next_level else Decimal(0)
    headroom = []
    for line in lines:
        left = (Decimal(line.weight) * (Decimal(1) - Decimal(str(line.percentile / 100)))).quantize(
            MILLI
        )
        target = None
        if next_level and line.weight and left >= gap and gap > 0:
            needed = line.percentile / 100 + float(gap) / line.weight
            reference = (
                Scorecard.objects.filter(month=card.month, **{f"p_{line.code}__gte": needed})
                .select_related("version")
                .order_by(f"p_{line.code}", "pk")
                .first()
            )
            if reference is not None:
                target = figures(reference)[line.code][0]
        if left > 0:
            headroom.append(Headroom(line=line, points_left=left, target_figure=target))
    headroom.sort(key=lambda item: -item.points_left)
    return RaisePlan(
        next_level=next_level,
        gap=gap,
        headroom=headroom,
        below_note=card.months_below > 0,
    )


def latest_month(queryset=None) -> datetime.date | None:
    rows = queryset if queryset is not None else Scorecard.objects.all()
    return rows.order_by("-month").values_list("month", flat=True).first()


def distribution(queryset, month: datetime.date) -> dict:
    """Organizations per level and per 10-point score band in `month`."""
    rows = queryset.filter(month=month)
    levels = dict(rows.values_list("level").order_by().annotate(n=Count("pk")))
    bands = [0] * 10
    for score in rows.values_list("score", flat=True).iterator():
        bands[min(int(score // 10), 9)] += 1
    return {
        "levels": [
            {"level": level, "n": levels.get(level.number, 0)}
            for level in Level.objects.order_by("number")
        ],
        "unleveled": levels.get(0, 0),
        "bands": bands,
        "total": sum(bands),
    }


def movers(queryset, month: datetime.date, limit: int = 10) -> dict:
    """Organizations whose level changed in `month` (up and down), and the biggest score changes
    from the month before (a join with the earlier month's row)."""
    rows = queryset.filter(month=month).select_related("organization")
    changed = rows.filter(previous_level__isnull=False).exclude(level=F("previous_level"))
    earlier = FilteredRelation(
        "organization__scorecards",
        condition=Q(organization__scorecards__month=previous_month(month)),
    )
    scored = (
        rows.annotate(earlier=earlier)
        .annotate(score_before=F("earlier__score"))
        .filter(score_before__isnull=False)
        .annotate(change=F("score") - F("score_before"))
    )
    return {
        "up": list(
            changed.filter(level__gt=F("previous_level")).order_by("-level", "-score")[:limit]
        ),
        "down": list(
            changed.filter(level__lt=F("previous_level")).order_by("level", "score")[:limit]
        ),
        "rising": list(scored.filter(change__gt=0).order_by("-change", "pk")[:limit]),
        "falling": list(scored.filter(change__lt=0).order_by("change", "pk")[:limit]),
    }


def month_label_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    start, end = month_bounds(month)
    return start, end - datetime.timedelta(days=1)
