"""What a creator reads on their own self-service page: the organization holding them and since
when (and before), their reward lines with each line's payment state, why it is held and what
releases it, why the amount is what it is, and their videos with each one's originality and
placements. Everything is filtered by the one creator the link names: nothing of another
creator is read."""

from content.models import Video
from creators.models import SCOPE_HELP, Binding, BindingConsent, Creator, Scope
from incentives.explain import explain_lines
from incentives.models import PUBLISHED_STATUSES, RewardLine
from incentives.payout_selectors import explain_holds
from placements.models import Placement, PlacementStatus

LINES_SHOWN = 60
VIDEOS_SHOWN = 30


def creator_bindings(creator: Creator) -> list[Binding]:
    return list(
        Binding.objects.filter(creator=creator)
        .select_related("organization")
        .order_by("-started_on", "-pk")
    )


def creator_lines(creator: Creator) -> list[RewardLine]:
    """The creator's lines in published reward lists, newest cycle first, each with `.entry`
    (its ledger entry, None when it pays nothing), `.why_held` and `.explanation`."""
    lines = list(
        RewardLine.objects.filter(creator=creator, reward_list__status__in=PUBLISHED_STATUSES)
        .select_related("rule_version", "reward_list__cycle__program", "organization")
        .select_related("ledger_entry__rule_version")
        .order_by("-reward_list__cycle__starts_on", "kind", "pk")[:LINES_SHOWN]
    )
    explain_lines(lines)
    for line in lines:
        line.entry = getattr(line, "ledger_entry", None)
    explain_holds([line.entry for line in lines])
    return lines


def creator_videos(creator: Creator) -> list[Video]:
    """The creator's newest videos with their originality decision (`.review`, its decisions)
    and their scheduled placements (`.shown`)."""
    videos = list(
        Video.objects.filter(creator=creator)
        .select_related("category", "content_type", "review")
        .prefetch_related("review__decisions__reason")
        .order_by("-published_at", "-pk")[:VIDEOS_SHOWN]
    )
    shown: dict[int, list[Placement]] = {}
    for placement in (
        Placement.objects.filter(video__in=[v.pk for v in videos], status=PlacementStatus.SCHEDULED)
        .select_related("surface")
        .order_by("day", "pk")
    ):
        shown.setdefault(placement.video_id, []).append(placement)
    for video in videos:
        video.shown = shown.get(video.pk, [])
        decisions = list(video.review.decisions.all()) if _has_review(video) else []
        video.decision = decisions[-1] if decisions else None
    return videos


def _has_review(video) -> bool:
    try:
        return video.review is not None
    except Video.review.RelatedObjectDoesNotExist:
        return False


def creator_consent(holder: Binding | None) -> dict | None:
    """The consent the creator gave the organization holding them now: its state and, per scope,
    whether it is shared and what it means (None when nobody holds them)."""
    if holder is None:
        return None
    consent = BindingConsent.objects.filter(binding=holder).first()
    if consent is None:
        return None
    return {
        "consent": consent,
        "scopes": [
            {
                "code": scope.value,
                "label": scope.label,
                "help": SCOPE_HELP[scope],
                "shared": getattr(consent, scope.value),
            }
            for scope in Scope
        ],
    }
