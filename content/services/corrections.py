"""Correcting lists already approved or paid when a decision changes what counts.

An approved list never changes: a correction is an adjustment line (and its ledger entry) made by
`incentives.services.settlement_adjust`. For the video's creator, on every such list whose cycle
contains the video's publication day, the creator's cash (creator subsidy and playback, under the
cap) and traffic reward are computed again with the rule version of the list, the other figures as
they were paid (valid plays, followers), and the original videos as they count now. The difference
from what was paid (the lines and earlier originality corrections) is one adjustment per pool.

A decision corrects a list once: (decision, list, pool) is unique in the database, and a run again
finds nothing left to correct (the difference is then zero). An appeal that restores the video
pays back what its rejection took.
"""

import datetime

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from content.models import CreatorDay, Decision, OriginalityCorrection, Video
from incentives.models import (
    LineKind,
    ListStatus,
    PoolKind,
    RewardLine,
    RewardList,
    SubsidyRule,
)
from incentives.services import settlement_adjust
from incentives.services.clawbacks import originality_org_correct
from portal.accounts.permissions import SYSTEM
from portal.audit.services import audit_record
from portal.core.money import from_fen, to_fen

CORRECTABLE = (ListStatus.APPROVED, ListStatus.PUBLISHED, ListStatus.EXPORTED, ListStatus.PAID)
CASH_KINDS = (LineKind.CREATOR_SUBSIDY, LineKind.PLAYBACK)
REASON_CODE = "originality"


def originals_in(creator_id: int, start: datetime.date, end: datetime.date) -> int:
    return (
        CreatorDay.objects.filter(creator_id=creator_id, date__gte=start, date__lt=end).aggregate(
            n=Sum("original_videos")
        )["n"]
        or 0
    )


def creator_targets(reward_list: RewardList, lines: list[RewardLine], originals: int) -> dict:
    """What the creator's cash and traffic would be on this list with `originals` original
    videos, every other figure as paid. Integer fen, the computation's own arithmetic."""
    version = reward_list.rule_version
    figures = lines[0]
    plays, followers = figures.valid_plays or 0, figures.followers or 0
    subsidy_line = next((x for x in lines if x.kind == LineKind.CREATOR_SUBSIDY), None)
    rules = SubsidyRule.objects.filter(version=version)
    if subsidy_line is not None and subsidy_line.rule_id:
        category_id = SubsidyRule.objects.get(pk=subsidy_line.rule_id).category_id
    else:
        category_id = figures.creator.primary_category_id
    level = (
        rules.filter(
            category_id=category_id,
            min_original_videos__lte=originals,
            min_valid_plays__lte=plays,
            min_followers__lte=followers,
        )
        .order_by("-level")
        .first()
    )
    cap = to_fen(version.creator_cap)
    subsidy = min(to_fen(level.amount) if level else 0, cap)
    playback = min(plays * to_fen(version.playback_rate) // 1000, cap - subsidy)
    traffic_line = next((x for x in lines if x.kind == LineKind.TRAFFIC), None)
    traffic = (
        to_fen(traffic_line.amount)
        if traffic_line is not None and originals >= version.traffic_min_original
        else 0
    )
    return {PoolKind.CASH: subsidy + playback, PoolKind.TRAFFIC: traffic}


def _paid(reward_list, lines, creator_id) -> dict:
    paid = {PoolKind.CASH: 0, PoolKind.TRAFFIC: 0}
    for line in lines:
        if line.kind in CASH_KINDS:
            paid[PoolKind.CASH] += to_fen(line.amount)
        elif line.kind == LineKind.TRAFFIC:
            paid[PoolKind.TRAFFIC] += to_fen(line.amount)
    for correction in OriginalityCorrection.objects.filter(
        reward_list=reward_list, creator_id=creator_id
    ).select_related("line"):
        paid[correction.pool] += to_fen(correction.line.amount)
    return paid


def _note(video: Video, decision: Decision, before: int, after: int) -> str:
    verdict = {"copy": ("判定为非原创", "rejected as a copy")}.get(
        decision.outcome, ("恢复为原创", "restored as original")
    )
    return (
        f"视频《{video.title}》（{video.video_id}）经原创审核{verdict[0]}：本周期原创视频 "
        f"{before} → {after}。 / Video “{video.title}” ({video.video_id}) {verdict[1]} on "
        f"originality review: original videos in the cycle {before} → {after}."
    )


@transaction.atomic
def originality_correct(*, decision: Decision) -> list[OriginalityCorrection]:
    """Adjust every approved list that paid for the decided video's creator in its cycle."""
    video = Video.objects.select_related("creator").get(pk=decision.review.video_id)
    lists = (
        RewardList.objects.select_for_update(of=("self",))
        .filter(
            status__in=CORRECTABLE,
            cycle__starts_on__lte=video.published_on,
            cycle__ends_on__gt=video.published_on,
        )
        .select_related("cycle__program", "rule_version")
        .order_by("pk")
    )
    made = []
    for reward_list in lists:
        lines = list(
            RewardLine.objects.filter(
                reward_list=reward_list,
                creator_id=video.creator_id,
                kind__in=(*CASH_KINDS, LineKind.TRAFFIC, LineKind.COMMISSION),
            ).select_related("creator")
        )
        if not lines:
            continue
        cycle = reward_list.cycle
        before = lines[0].original_videos or 0
        after = originals_in(video.creator_id, cycle.starts_on, cycle.ends_on)
        targets = creator_targets(reward_list, lines, after)
        paid = _paid(reward_list, lines, video.creator_id)
        for pool in (PoolKind.CASH, PoolKind.TRAFFIC):
            difference = targets[pool] - paid[pool]
            if difference == 0:
                continue
            if OriginalityCorrection.objects.filter(
                decision=decision, reward_list=reward_list, pool=pool
            ).exists():
                continue
            line = settlement_adjust(
                actor=SYSTEM,
                reward_list=reward_list,
                amount=from_fen(difference),
                reason_code=REASON_CODE,
                note=_note(video, decision, before, after),
                creator=video.creator,
                pool=pool,
            )
            made.append(
                OriginalityCorrection.objects.create(
                    decision=decision,
                    reward_list=reward_list,
                    pool=pool,
                    creator=video.creator,
                    line=line,
                    original_videos_before=before,
                    original_videos_after=after,
                )
            )
    if made:
        audit_record(
            actor=SYSTEM,
            action="originality.correct",
            obj=video,
            organization=video.organization,
            after={
                "decision": decision.pk,
                "corrections": [
                    {"list": c.reward_list_id, "pool": c.pool, "amount": c.line.amount}
                    for c in made
                ],
            },
            reason=_("Originality decision after settlement"),
        )
    return made


def decision_corrections(*, decision: Decision) -> list[OriginalityCorrection]:
    """Every correction a decided video calls for: the creator's paid lines (above) and the
    organization's basic and tier incentives that counted the video (issue 18)."""
    corrections = originality_correct(decision=decision)
    originality_org_correct(video=decision.review.video, decision_outcome=decision.outcome)
    return corrections


__all__ = ["creator_targets", "decision_corrections", "originality_correct"]
