"""Reads the incubation pages and other apps need: the pool as a reader may see it, its stage
figures, an organization's nominations against the monthly limit."""

from django.db.models import Count, Q
from django.utils import timezone

from incubation.explain import hold_reason_text
from incubation.models import (
    SHORTLIST_SLOTS,
    PoolMember,
    PoolStage,
    ScoreSnapshot,
    ShortlistExclusion,
)
from incubation.services.pool import nominations_used, organization_nomination_limit
from incubation.services.shortlist import latest_scores_day
from portal.core.kit import own_organization

STAGE_BARS = [PoolStage.RESERVE, PoolStage.INCUBATING, PoolStage.TOP_100, PoolStage.EXITED]


def nomination_quota(user) -> dict | None:
    """An organization's nominations this month against the limit (None for staff)."""
    organization = own_organization(user)
    if organization is None:
        return None
    today = timezone.localdate()
    limit = organization_nomination_limit(organization, today)
    used = nominations_used(organization, today)
    return {
        "organization": organization,
        "limit": limit,
        "used": used,
        "left": None if limit is None else max(limit - used, 0),
        "share": 0 if not limit else round(100 * min(used, limit) / limit, 1),
        "month": today,
    }


def pool_members(user, filters: dict):
    """The members the user may see, filtered (stage, category, source, name or account id);
    without a stage, those still in the pool; newest stage change first."""
    members = PoolMember.objects.for_user(user).select_related("creator__primary_category")
    if filters.get("category"):
        members = members.filter(creator__primary_category=filters["category"])
    if filters.get("source"):
        members = members.filter(source=filters["source"])
    if q := filters.get("q"):
        members = members.filter(
            Q(creator__display_name__icontains=q) | Q(creator__platform_account_id=q)
        )
    stage = filters.get("stage")
    members = members.filter(stage=stage) if stage else members.in_pool()
    return members.order_by("-stage_changed_at", "-id")


def attach_scores(members) -> object:
    """Each member's latest score row as `score_row` (one query); returns the day scored."""
    day = latest_scores_day()
    scores = {
        row.creator_id: row
        for row in ScoreSnapshot.objects.filter(
            day=day, creator_id__in=[m.creator_id for m in members]
        ).only("creator_id", "score", "rank", "held_out")
    }
    for member in members:
        member.score_row = scores.get(member.creator_id)
    return day


def stage_rows(user) -> list[dict]:
    """How many members the user may see are at each stage, as bars."""
    counts = dict(
        PoolMember.objects.for_user(user).values_list("stage").annotate(n=Count("id")).order_by()
    )
    top = max(counts.values(), default=0)
    labels = dict(PoolStage.choices)
    return [
        {
            "label": labels[s],
            "value": counts.get(s, 0),
            "share": round(100 * counts.get(s, 0) / top, 1) if top else 0,
            "key": f"stage-{s}",
        }
        for s in STAGE_BARS
    ]


def shortlist_figures(shortlist, entries: list) -> dict:
    """How full the shortlist is (filled, pinned, proposed, free, as shares of the slots), its
    exclusions and its latest snapshots."""
    filled = len(entries)
    pinned = sum(1 for e in entries if e.pinned)
    return {
        "filled": filled,
        "pinned": pinned,
        "proposed": filled - pinned,
        "free": SHORTLIST_SLOTS - filled,
        "filled_share": round(100 * filled / SHORTLIST_SLOTS, 1),
        "pinned_share": round(100 * pinned / SHORTLIST_SLOTS, 1),
        "slots": SHORTLIST_SLOTS,
        "exclusions": ShortlistExclusion.objects.filter(shortlist=shortlist).select_related(
            "creator", "excluded_by"
        ),
        "snapshots": list(
            shortlist.snapshots.annotate(size=Count("rows")).order_by("-taken_on", "-id")[:12]
        ),
    }


def ranking_base(user, filters: dict):
    """The score rows the user may see, filtered by creative field, stage and name or account."""
    base = ScoreSnapshot.objects.for_user(user)
    if filters.get("category"):
        base = base.filter(category=filters["category"])
    if filters.get("stage"):
        base = base.filter(creator__pool_member__stage=filters["stage"])
    if q := filters.get("q"):
        base = base.filter(
            Q(creator__display_name__icontains=q) | Q(creator__platform_account_id=q)
        )
    return base


def ranked(base, day, key: str):
    """The rows of `day` that hold a place (`rank`, or `category_rank`), in order."""
    return (
        base.filter(day=day, held_out=False, **{f"{key}__isnull": False})
        .select_related("creator__pool_member", "category")
        .order_by(key, "creator_id")
    )


def mark_moves(rows, day, key: str, *, since) -> None:
    """Each row's place a week before (`was`) and how many places it moved (one query)."""
    previous = (
        dict(
            ScoreSnapshot.objects.filter(
                day=day - since, creator_id__in=[row.creator_id for row in rows]
            ).values_list("creator_id", key)
        )
        if day and rows
        else {}
    )
    for row in rows:
        row.position = getattr(row, key)
        row.was = previous.get(row.creator_id)
        row.move = None if row.was is None else row.was - row.position
        row.places = None if row.move is None else abs(row.move)


def held_out(base, day, shown: int) -> tuple[list, int]:
    """The first `shown` creators held out on `day`, each with its reason, and how many are."""
    held = base.filter(day=day, held_out=True)
    rows = list(
        held.select_related("creator", "category").order_by("creator__display_name", "creator_id")[
            :shown
        ]
    )
    for row in rows:
        row.reason = hold_reason_text(row.hold_reason)
    return rows, held.count() if len(rows) == shown else len(rows)
