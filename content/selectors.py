"""Reads of videos shown to people and partners, each scoped by `for_user` and read in a bounded
number of queries whatever the number of videos."""

import datetime

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    Max,
    Min,
    Prefetch,
    Q,
    Sum,
    Value,
)
from django.utils import timezone

from portal.core.rights import organizations_granted

from .models import (
    Appeal,
    AppealStatus,
    Decision,
    Finding,
    Grade,
    GradingItem,
    GradingItemStatus,
    Originality,
    OriginalityReview,
    OriginalityRule,
    ReviewStatus,
    Video,
    VideoMetric,
)

WAITING = (ReviewStatus.OPEN,)


def videos_for(user):
    """Every video the user may see, with what a list row shows joined in."""
    return Video.objects.for_user(user).select_related(
        "creator", "organization", "category", "content_type"
    )


def filter_videos(videos, params: dict):
    """The content page's filters (all optional): creator, field, type, originality, grade,
    published from/to, a text search in titles and ids."""
    if params.get("creator"):
        videos = videos.filter(creator_id=params["creator"])
    if params.get("category"):
        videos = videos.filter(category_id=params["category"])
    if params.get("content_type"):
        videos = videos.filter(content_type_id=params["content_type"])
    if params.get("originality"):
        videos = videos.filter(originality=params["originality"])
    if params.get("grade"):
        grade = params["grade"]
        videos = videos.filter(grade="") if grade == "none" else videos.filter(grade=grade)
    if params.get("published_from"):
        videos = videos.filter(published_on__gte=params["published_from"])
    if params.get("published_to"):
        videos = videos.filter(published_on__lte=params["published_to"])
    if params.get("q"):
        query = params["q"]
        videos = videos.filter(Q(title__icontains=query) | Q(video_id=query))
    return videos


def video_summary(videos) -> dict:
    """Counts for the head of a content page: one aggregate query."""
    return videos.order_by().aggregate(
        total=Count("id"),
        standing=Count("id", filter=Q(declared_original=True) & ~Q(originality="copy")),
        suspected=Count("id", filter=Q(originality="suspected")),
        rejected=Count("id", filter=Q(originality="copy")),
        graded=Count("id", filter=~Q(grade="")),
        plays=Sum("plays"),
        valid_plays=Sum("valid_plays"),
    )


def video_detail(user, pk: int) -> Video:
    return (
        videos_for(user)
        .prefetch_related(
            "products",
            Prefetch(
                "findings",
                Finding.objects.select_related(
                    "matched_video__creator", "matched_video__organization", "stock_image"
                ),
            ),
            Prefetch("grades", Grade.objects.select_related("rubric", "graded_by")),
        )
        .get(pk=pk)
    )


def decisions_of(video: Video) -> list[Decision]:
    return list(
        Decision.objects.filter(review__video=video)
        .select_related("reason", "decided_by", "appeal__filed_by", "appeal__heard_by")
        .order_by("decided_at", "id")
    )


def daily_figures(video: Video, days: int = 60) -> list[VideoMetric]:
    since = timezone.localdate() - datetime.timedelta(days=days)
    return list(video.metrics.filter(date__gte=since).order_by("date"))


def review_queue(user):
    """Open reviews of the user's fields, oldest first, with the video and its best match. The
    videos of organizations whose growth level grants the dedicated review lane come first
    (`lane`)."""
    granted = organizations_granted("review_lane")
    lane = (
        ExpressionWrapper(Q(video__organization_id__in=granted), output_field=BooleanField())
        if granted is not None
        else Value(False)
    )
    return (
        OriginalityReview.objects.for_user(user)
        .filter(status__in=WAITING)
        .annotate(lane=lane)
        .select_related("video__creator", "video__organization", "category")
        .order_by("-lane", "opened_at", "id")
    )


def appeal_queue(user):
    """Open appeals the user may hear (not their own decisions)."""
    return (
        Appeal.objects.filter(
            status=AppealStatus.OPEN,
            decision__review__in=OriginalityReview.objects.for_user(user),
        )
        .exclude(decision__decided_by=user)
        .select_related(
            "decision__review__video__creator",
            "decision__review__video__organization",
            "decision__reason",
            "decision__decided_by",
            "filed_by",
        )
        .order_by("filed_at", "id")
    )


def queue_figures(queryset, field: str) -> dict:
    """How many are waiting and how old the oldest is, in days."""
    figures = queryset.order_by().aggregate(n=Count("id"), oldest=Min(field))
    oldest = figures["oldest"]
    age = (timezone.now() - oldest).days if oldest else None
    return {"count": figures["n"], "oldest_days": age}


def grading_queue(user):
    return (
        GradingItem.objects.for_user(user)
        .filter(status=GradingItemStatus.OPEN)
        .select_related("video__creator", "video__organization", "video__category")
        .order_by("created_at", "id")
    )


def best_match(review: OriginalityReview) -> Finding | None:
    """The finding to compare side by side: the closest matched video."""
    return (
        Finding.objects.filter(video_id=review.video_id, matched_video__isnull=False)
        .select_related("matched_video__creator", "matched_video__organization")
        .order_by("distance", "-frames_matched", "id")
        .first()
    )


def next_after(queryset, current_id: int | None):
    """The next item of a queue after the current one (for decide-and-next)."""
    items = queryset
    if current_id is not None:
        items = items.exclude(pk=current_id)
    return items.first()


def creator_content(creator_ids) -> dict[int, dict]:
    """Per creator: videos, standing originals, latest publication (for roster rows)."""
    rows = (
        Video.objects.filter(creator_id__in=creator_ids)
        .values("creator_id")
        .order_by()
        .annotate(
            videos=Count("id"),
            standing=Count("id", filter=Q(declared_original=True) & ~Q(originality="copy")),
            latest=Max("published_at"),
        )
    )
    return {row["creator_id"]: row for row in rows}


APPEALABLE = (Originality.COPY,)


def appeal_deadline(decision: Decision) -> datetime.datetime:
    day = timezone.localdate(decision.decided_at)
    rule = OriginalityRule.objects.in_force(day)
    days = rule.appeal_window_days if rule else 14
    return decision.decided_at + datetime.timedelta(days=days)


def can_still_appeal(decision: Decision) -> bool:
    return (
        not decision.on_appeal
        and decision.outcome in APPEALABLE
        and not hasattr(decision, "appeal")
        and timezone.now() <= appeal_deadline(decision)
    )
