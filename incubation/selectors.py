"""Reads the incubation pages and other apps need: the pool as a reader may see it, its stage
figures, an organization's nominations against the monthly limit."""

import datetime

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from creators.models import Creator, DailyMetric, PlayFlag
from incubation.explain import hold_reason_text
from incubation.models import (
    SHORTLIST_SLOTS,
    EntryRule,
    Nomination,
    NominationLimit,
    NominationStatus,
    PoolMember,
    PoolStage,
    ScoreSnapshot,
    ScoreWeights,
    Shortlist,
    ShortlistEntry,
    ShortlistExclusion,
    ShortlistSnapshot,
    WeightsStatus,
)
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


def month_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = day.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, end


def nomination_limit(day: datetime.date) -> int | None:
    """Nominations an organization may make in `day`'s month (None: no limit set)."""
    limit = NominationLimit.objects.filter(effective_from__lte=day).order_by("-effective_from")
    row = limit.first()
    return row.per_organization if row else None


def organization_nomination_limit(organization, day: datetime.date) -> int | None:
    """Nominations `organization` may make in `day`'s month: the program's limit, raised to the
    nomination quota its growth level grants (`growth.selectors.right_for`). A level's quota
    never lowers the program's limit, and without a program limit there is none."""
    from growth.selectors import right_for

    limit = nomination_limit(day)
    if limit is None:
        return None
    quota = right_for(organization, "nomination_quota", day)
    return max(limit, quota) if quota is not None else limit


def nominations_used(organization, day: datetime.date) -> int:
    start, end = month_of(day)
    return (
        Nomination.objects.filter(
            organization=organization,
            created_at__date__gte=start,
            created_at__date__lt=end,
        )
        .exclude(status=NominationStatus.WITHDRAWN)
        .count()
    )


def entry_rule_candidates(rule: EntryRule, day: datetime.date):
    """Creators meeting `rule` over the window ending on `day`, not in the pool, with no open
    abnormal-play flag in the window."""
    start = day - datetime.timedelta(days=rule.window_days - 1)
    window = Q(metrics__date__gte=start, metrics__date__lte=day)
    creators = (
        Creator.objects.filter(follower_count__gte=rule.min_followers)
        .exclude(pool_member__stage__in=[s for s in PoolStage.values if s != PoolStage.EXITED])
        .exclude(
            pk__in=DailyMetric.objects.filter(
                date__gte=start, date__lte=day, flag=PlayFlag.OPEN
            ).values("creator")
        )
        .annotate(
            window_plays=Coalesce(Sum("metrics__counted_valid_plays", filter=window), 0),
            window_originals=Coalesce(Sum("metrics__original_videos", filter=window), 0),
            window_days=Count("metrics", filter=window),
        )
        .filter(
            window_days__gt=0,
            window_plays__gte=rule.min_valid_plays,
            window_originals__gte=rule.min_original_videos,
        )
    )
    if rule.category_id:
        creators = creators.filter(primary_category_id=rule.category_id)
    return creators


def latest_scores_day() -> datetime.date | None:
    return ScoreSnapshot.objects.aggregate(day=Max("day"))["day"]


def ordered_entries(shortlist: Shortlist, day: datetime.date | None = None) -> list:
    """The entries in list order: by the latest rank (unranked last), then slot. Each entry gets
    `.score_row` (its ScoreSnapshot of `day`, or None)."""
    day = day or latest_scores_day()
    entries = list(
        ShortlistEntry.objects.filter(shortlist=shortlist).select_related(
            "creator__primary_category", "added_by"
        )
    )
    scores = {
        row.creator_id: row
        for row in ScoreSnapshot.objects.filter(
            day=day, creator_id__in=[e.creator_id for e in entries]
        )
    }
    for entry in entries:
        entry.score_row = scores.get(entry.creator_id)
    big = SHORTLIST_SLOTS * 10**6
    entries.sort(
        key=lambda e: (e.score_row.rank if e.score_row and e.score_row.rank else big, e.slot)
    )
    return entries


def snapshot_diff(older: ShortlistSnapshot | None, newer: ShortlistSnapshot) -> dict:
    """Who came in, who went out and who moved (with the positions) between two snapshots."""
    new = {row.creator_id: row for row in newer.rows.select_related("creator")}
    old = {row.creator_id: row for row in older.rows.select_related("creator")} if older else {}
    moved = [
        (new[c], old[c].position, new[c].position)
        for c in new
        if c in old and old[c].position != new[c].position
    ]
    return {
        "in": sorted((new[c] for c in new if c not in old), key=lambda r: r.position),
        "out": sorted((old[c] for c in old if c not in new), key=lambda r: r.position),
        "moved": sorted(moved, key=lambda m: m[2]),
    }


def weights_in_force(day: datetime.date) -> ScoreWeights | None:
    """The newest published version in force on `day` (None when none is)."""
    return (
        ScoreWeights.objects.filter(status=WeightsStatus.PUBLISHED, effective_from__lte=day)
        .order_by("-effective_from", "-number")
        .first()
    )
