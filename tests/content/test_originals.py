"""One source of truth for original videos: settlement gives the same totals whether the facts
arrive as reported daily figures or as videos; a rejection after payment is corrected once."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from content.models import Originality, OriginalityCorrection, OriginalityReview
from content.services import originality_correct, originality_decide
from creators.models import DailyMetric
from incentives.models import LineKind, RewardLine
from incentives.services import (
    settlement_approve,
    settlement_compute,
    settlement_publish,
    settlement_submit,
)
from tests.content.factories import make_videos, row
from tests.incentives.test_computation import setup_cycle

pytestmark = pytest.mark.django_db
D = datetime.date


def as_videos(originals: int):
    """The cycle's creator of `setup_cycle` with its originals sent as videos instead: the
    reported figure of those days says nothing, the videos say it."""
    metric = DailyMetric.objects.order_by("date").first()
    creator = metric.creator
    DailyMetric.objects.filter(creator=creator).update(original_videos=0, videos_published=0)
    rows = [
        row(
            creator,
            published_at=timezone.make_aware(datetime.datetime(2026, 11, 2 + n, 20, 0)),
            title=f"第{n + 1}期 粉底液实测",
        )
        for n in range(originals)
    ]
    return creator, make_videos(*rows)


def totals(reward_list):
    return (reward_list.cash_total, reward_list.traffic_total, reward_list.line_count)


def test_settlement_gives_the_same_totals_from_reported_figures_and_from_videos(
    operator, organization, beauty
):
    cycle, _version = setup_cycle(operator, organization, beauty)
    reported = totals(settlement_compute(actor=operator, cycle=cycle))
    lines = sorted(RewardLine.objects.values_list("kind", "amount", "original_videos"))
    as_videos(10)
    from_videos = totals(settlement_compute(actor=operator, cycle=cycle))
    assert from_videos == reported
    assert sorted(RewardLine.objects.values_list("kind", "amount", "original_videos")) == lines
    from incentives.explain import explain_lines

    subsidy = explain_lines(
        RewardLine.objects.filter(kind=LineKind.CREATOR_SUBSIDY).select_related("rule_version")
    )[0]
    assert "Original videos counted: 《第1期 粉底液实测》" in " ".join(subsidy.explanation)
    assert "and 5 more" in subsidy.explanation[-1]


def test_a_rejected_video_stops_counting_from_the_next_computation(
    operator, manager, organization, beauty, reasons
):
    cycle, _version = setup_cycle(operator, organization, beauty)
    _creator, videos = as_videos(5)
    settlement_compute(actor=operator, cycle=cycle)
    assert RewardLine.objects.get(kind=LineKind.CREATOR_SUBSIDY).amount == Decimal(2900)
    review = OriginalityReview.objects.create(video=videos[0], category=beauty)
    originality_decide(actor=manager, review=review, outcome="copy", reason=reasons["reupload"])
    settlement_compute(actor=operator, cycle=cycle)
    line = RewardLine.objects.get(kind=LineKind.CREATOR_SUBSIDY)
    assert (line.amount, line.original_videos) == (Decimal(1000), 4)


def paid_list(operator, cycle):
    reward_list = settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )
    settlement_approve(actor=operator, reward_list=reward_list, revision=reward_list.revision)
    return settlement_publish(actor=operator, reward_list=reward_list)


def test_a_rejection_after_payment_makes_one_adjustment_and_never_two(
    operator,
    manager,
    owner,
    second_manager,
    organization,
    beauty,
    reasons,
    django_capture_on_commit_callbacks,
):
    from content.services import originality_appeal, originality_appeal_hear

    cycle, _version = setup_cycle(operator, organization, beauty)
    creator, videos = as_videos(5)
    reward_list = paid_list(operator, cycle)
    review = OriginalityReview.objects.create(video=videos[0], category=beauty)
    with django_capture_on_commit_callbacks(execute=True):
        decision = originality_decide(
            actor=manager, review=review, outcome="copy", reason=reasons["reupload"]
        )
    adjustments = RewardLine.objects.filter(reward_list=reward_list, kind=LineKind.ADJUSTMENT)
    # Subsidy 2,900 + playback 100 (capped at 3,000) become 1,000 + 500: 1,500 back.
    assert list(adjustments.values_list("creator_id", "pool", "amount")) == [
        (creator.pk, "cash", Decimal(-1500))
    ]
    assert videos[0].video_id in adjustments.get().note
    for _again in range(2):
        assert originality_correct(decision=decision) == []
    assert adjustments.count() == 1 and OriginalityCorrection.objects.count() == 1
    # Upheld on appeal: what the rejection took is paid back, once.
    appeal = originality_appeal(actor=owner, decision=decision, statement="自己拍摄")
    with django_capture_on_commit_callbacks(execute=True):
        originality_appeal_hear(
            actor=second_manager,
            appeal=appeal,
            uphold=True,
            outcome="original",
            reason=reasons["own_footage"],
            response="确认原创",
        )
    assert sorted(adjustments.values_list("amount", flat=True)) == [Decimal(-1500), Decimal(1500)]
    videos[0].refresh_from_db()
    assert videos[0].originality == Originality.ORIGINAL


def test_settlement_counts_the_original_videos_the_view_defines(operator, organization, beauty):
    """Settlement reads the metric days once and applies the rule of `content.originals` from its
    pieces: reported figures before the creator's first video in the portal, the portal's videos
    (copies not) from that day on. Each line's original videos are the view's sum over the
    cycle, for a creator switching mid-cycle, one switched before the cycle and one reporting."""
    from django.db.models import Sum

    from content.models import CreatorDay, Video
    from tests.creators.factories import BindingFactory, CreatorFactory

    cycle, _version = setup_cycle(operator, organization, beauty)
    switching, switched, reporting = (CreatorFactory(primary_category=beauty) for _ in range(3))
    for creator in (switching, switched, reporting):
        BindingFactory(creator=creator, organization=organization, started_on=D(2026, 10, 1))
        for day in (D(2026, 10, 31), D(2026, 11, 3), D(2026, 11, 10), D(2026, 11, 20)):
            DailyMetric.objects.create(
                creator=creator,
                date=day,
                plays=50_000,
                valid_plays=50_000,
                counted_valid_plays=50_000,
                videos_published=3,
                original_videos=2,
            )

    def at(day):
        return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 12))

    videos = make_videos(
        row(switching, published_at=at(D(2026, 11, 10))),  # the first: a copy
        row(switching, published_at=at(D(2026, 11, 12))),
        row(switching, published_at=at(D(2026, 11, 12))),
        row(switched, published_at=at(D(2026, 10, 20))),  # before the cycle
        row(switched, published_at=at(D(2026, 11, 25))),
    )
    Video.objects.filter(pk=videos[0].pk).update(originality=Originality.COPY)
    settlement_compute(actor=operator, cycle=cycle)
    counted = dict(
        RewardLine.objects.filter(
            kind=LineKind.PLAYBACK, creator__in=[switching, switched, reporting]
        ).values_list("creator_id", "original_videos")
    )
    assert counted == {switching.pk: 2 + 2, switched.pk: 1, reporting.pk: 3 * 2}
    for creator_id, videos_counted in counted.items():
        view = CreatorDay.objects.filter(
            creator_id=creator_id, date__gte=D(2026, 11, 1), date__lt=D(2026, 12, 1)
        ).aggregate(n=Sum("original_videos"))["n"]
        assert videos_counted == view
