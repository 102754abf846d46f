"""Reading the scores: a snapshot's score component by component, the hold reason in the reader's
language, and the biggest rank changes over a week. The definitions are in
incubation/services/scoring.py."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import ExpressionWrapper, F, FilteredRelation, IntegerField, Q
from django.db.models.functions import Abs
from django.utils.translation import ngettext

from incubation.models import COMPONENTS, HOLD_OPEN_FLAG, NORMALIZED_FIELD, ScoreSnapshot
from portal.core.money import from_fen

MILLI = Decimal("0.001")


@dataclass(frozen=True)
class ComponentLine:
    """One component of a score. `raw` is the component's figure over the window: a count
    ("count"), a share between 0 and 1 ("share") or an amount in yuan ("money"). `percentile` is
    the normalized value x 100 (None when held out); `points` what it adds to the score, in
    thousandths that add up exactly to the score."""

    code: str
    label: str
    kind: str
    raw: int | float | Decimal
    percentile: float | None
    weight: int
    points: Decimal | None


@dataclass(frozen=True)
class ScoreExplanation:
    lines: list[ComponentLine]
    score: Decimal | None
    held_out: bool
    hold_reason: str  # in the reader's language; "" when scored


def hold_reason_text(code: str) -> str:
    """A stored hold reason ("open_flag:<days>") in the active language."""
    kind, _sep, value = code.partition(":")
    if kind == HOLD_OPEN_FLAG and value.isdigit():
        days = int(value)
        return ngettext(
            "Held out: %(days)s day in the scoring window has an abnormal-play flag still open.",
            "Held out: %(days)s days in the scoring window have an abnormal-play flag still open.",
            days,
        ) % {"days": days}
    return code


def raw_figures(snapshot: ScoreSnapshot) -> dict[str, tuple[str, int | float | Decimal]]:
    """Each component's figure before normalization (the same definitions as the SQL)."""
    return {
        "play_growth": ("count", snapshot.plays - snapshot.plays_before),
        "follower_growth": ("count", snapshot.followers_gained),
        "valid_plays": ("count", snapshot.valid_plays),
        "original_share": (
            "share",
            snapshot.original_videos / snapshot.videos if snapshot.videos > 0 else 0.0,
        ),
        "engagement": (
            "share",
            snapshot.interactions / snapshot.plays if snapshot.plays > 0 else 0.0,
        ),
        "gmv": ("money", from_fen(snapshot.gmv_fen)),
    }


def scored_count(day: datetime.date) -> int:
    """How many members were scored (not held out) on `day`: N of the percentile ranks."""
    return ScoreSnapshot.objects.filter(day=day, held_out=False).count()


def _points(snapshot: ScoreSnapshot, scored: int) -> dict[str, Decimal]:
    """The points of each component in thousandths adding up to the stored score: the exact
    shares w x (r - 1) / (N - 1), rounded down, and the missing thousandths (at most one per
    component) given to the largest remainders (ties: the earlier component)."""
    weights = snapshot.weights
    exact = {}
    for code, _label in COMPONENTS:
        normalized = getattr(snapshot, NORMALIZED_FIELD[code])
        below = round(normalized * (scored - 1)) if scored > 1 else 0  # r - 1, exactly
        exact[code] = (
            Fraction(1000 * getattr(weights, code) * below, scored - 1) if scored > 1 else 0
        )
    floors = {code: int(value) for code, value in exact.items()}
    missing = int(snapshot.score / MILLI) - sum(floors.values())
    if 0 <= missing <= len(floors):
        order = sorted(exact, key=lambda code: -(exact[code] - floors[code]))
        for code in order[:missing]:
            floors[code] += 1
    return {code: Decimal(value) * MILLI for code, value in floors.items()}


def explain_score(snapshot: ScoreSnapshot, *, scored: int | None = None) -> ScoreExplanation:
    """`snapshot`'s score line by line: label, raw figure, percentile, weight and points. Pass
    `scored` (`scored_count(day)`) when explaining many snapshots of one day."""
    weights = snapshot.weights
    figures = raw_figures(snapshot)
    points = {}
    if not snapshot.held_out and snapshot.score is not None:
        points = _points(snapshot, scored_count(snapshot.day) if scored is None else scored)
    lines = []
    for code, label in COMPONENTS:
        kind, raw = figures[code]
        normalized = getattr(snapshot, NORMALIZED_FIELD[code])
        lines.append(
            ComponentLine(
                code=code,
                label=str(label),
                kind=kind,
                raw=raw,
                percentile=None if normalized is None else normalized * 100,
                weight=getattr(weights, code),
                points=points.get(code),
            )
        )
    return ScoreExplanation(
        lines=lines,
        score=snapshot.score,
        held_out=snapshot.held_out,
        hold_reason=hold_reason_text(snapshot.hold_reason) if snapshot.held_out else "",
    )


def movers(
    day: datetime.date,
    days: int = 7,
    limit: int = 10,
    *,
    direction: str | None = None,
    queryset=None,
) -> list[ScoreSnapshot]:
    """The members whose rank changed most between `day - days` and `day` (by creator), biggest
    change first (then by today's rank). Each snapshot of `day` gets `rank_before` and `change`
    (positive: moved up). Members ranked on only one of the two days (new, exited or held out)
    are left out. `direction` "up" or "down" keeps one side; `queryset` narrows the snapshots
    (e.g. `ScoreSnapshot.objects.for_user(user)`)."""
    if direction not in (None, "up", "down"):
        raise ValueError(f"direction must be 'up', 'down' or None, not {direction!r}")
    # A join with the earlier day's rows (through the creator), not a subquery per row.
    earlier = FilteredRelation(
        "creator__score_snapshots",
        condition=Q(creator__score_snapshots__day=day - datetime.timedelta(days=days)),
    )
    rows = (
        (queryset if queryset is not None else ScoreSnapshot.objects.all())
        .filter(day=day, rank__isnull=False)
        .annotate(earlier=earlier)
        .annotate(rank_before=F("earlier__rank"))
        .filter(rank_before__isnull=False)
        .annotate(
            change=ExpressionWrapper(F("rank_before") - F("rank"), output_field=IntegerField())
        )
        .exclude(change=0)
    )
    if direction == "up":
        rows = rows.filter(change__gt=0)
    elif direction == "down":
        rows = rows.filter(change__lt=0)
    return list(
        rows.annotate(size=Abs("change"))
        .select_related("creator", "category", "weights")
        .order_by("-size", "rank")[:limit]
    )
