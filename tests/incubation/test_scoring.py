"""Scoring and ranking: the set-based SQL against a plain-Python reference of the same definitions
on random pools (Hypothesis), versioned weights, explanations, movers, the nightly task and the
metrics' interactions."""

import datetime
import logging
import math
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from creators.models import EXCLUDING_FLAGS, DailyMetric, PlayFlag
from creators.services.imports import RowError, parse_metric_row
from incubation.explain import explain_score, hold_reason_text, movers, scored_count
from incubation.models import (
    COMPONENTS,
    EntryRule,
    PoolMember,
    PoolSource,
    PoolStage,
    ScoreSnapshot,
    ScoreWeights,
    ShortlistSnapshot,
    WeightsStatus,
)
from incubation.selectors import weights_in_force
from incubation.services import (
    NoWeightsInForce,
    scores_compute,
    shortlist_for,
    weights_draft,
    weights_publish,
    weights_update,
)
from incubation.services.scoring import NORMALIZED_FIELD
from portal.audit.models import AuditEntry
from portal.core.models import Category
from portal.core.money import from_fen, to_fen
from tests.creators.factories import CreatorFactory
from tests.incubation.factories import PoolMemberFactory, ScoreWeightsFactory

D = datetime.date
DAY = D(2026, 11, 20)
ONE = datetime.timedelta(days=1)
CODES = ["beauty", "pets", "fashion"]
WEIGHTS = [name for name, _label in COMPONENTS]

# --- the reference ------------------------------------------------------------------------------


def reference_weights(day):
    published = [
        w
        for w in ScoreWeights.objects.all()
        if w.status == WeightsStatus.PUBLISHED and w.effective_from <= day
    ]
    return max(published, key=lambda w: (w.effective_from, w.number), default=None)


def reference(day) -> dict[int, dict]:
    """Every snapshot of `day` by creator, computed row by row from the definitions."""
    weights = reference_weights(day)
    start = day - (weights.window_days - 1) * ONE
    before = start - weights.window_days * ONE
    metrics = defaultdict(list)
    for metric in DailyMetric.objects.all():
        metrics[metric.creator_id].append(metric)
    rows = {}
    for member in PoolMember.objects.select_related("creator"):
        if member.stage == PoolStage.EXITED:
            continue
        window = [m for m in metrics[member.creator_id] if start <= m.date <= day]
        prior = [m for m in metrics[member.creator_id] if before <= m.date < start]
        open_days = sum(1 for m in window if m.flag == PlayFlag.OPEN)
        rows[member.creator_id] = {
            "category_id": member.creator.primary_category_id,
            "weights_id": weights.pk,
            "plays": sum(m.plays for m in window),
            "plays_before": sum(m.plays for m in prior),
            "followers_gained": sum(m.new_followers for m in window),
            "valid_plays": sum(m.counted_valid_plays for m in window),
            "videos": sum(m.videos_published for m in window),
            "original_videos": sum(m.original_videos for m in window),
            "interactions": sum(m.interactions for m in window),
            "gmv_fen": sum(to_fen(m.gmv) for m in window),
            "held_out": open_days > 0,
            "hold_reason": f"open_flag:{open_days}" if open_days else "",
            "score": None,
            "rank": None,
            "category_rank": None,
            **dict.fromkeys(NORMALIZED_FIELD.values()),
        }
    scored = {c: row for c, row in rows.items() if not row["held_out"]}
    n = len(scored)
    figures = {
        "play_growth": lambda r: r["plays"] - r["plays_before"],
        "follower_growth": lambda r: r["followers_gained"],
        "valid_plays": lambda r: r["valid_plays"],
        "original_share": lambda r: r["original_videos"] / r["videos"] if r["videos"] else 0.0,
        "engagement": lambda r: r["interactions"] / r["plays"] if r["plays"] else 0.0,
        "gmv": lambda r: r["gmv_fen"],
    }
    exact = dict.fromkeys(scored, Fraction(0))
    for name, figure in figures.items():
        values = {c: figure(row) for c, row in scored.items()}
        for creator_id, value in values.items():
            below = sum(1 for other in values.values() if other < value)  # RANK() - 1
            scored[creator_id][NORMALIZED_FIELD[name]] = below / (n - 1) if n > 1 else 0.0
            if n > 1:
                exact[creator_id] += Fraction(getattr(weights, name) * below, n - 1)
    for creator_id, value in exact.items():
        milli = math.floor(value * 1000 + Fraction(1, 2))  # half up
        scored[creator_id]["score"] = Decimal(milli) / 1000
    order = sorted(scored, key=lambda c: (-scored[c]["score"], c))
    per_category = defaultdict(int)
    for position, creator_id in enumerate(order, start=1):
        row = scored[creator_id]
        per_category[row["category_id"]] += 1
        row["rank"], row["category_rank"] = position, per_category[row["category_id"]]
    return rows


SNAPSHOT_FIELDS = [
    "category_id",
    "weights_id",
    "plays",
    "plays_before",
    "followers_gained",
    "valid_plays",
    "videos",
    "original_videos",
    "interactions",
    "gmv_fen",
    "held_out",
    "hold_reason",
    "score",
    "rank",
    "category_rank",
    *NORMALIZED_FIELD.values(),
]


def computed(day) -> dict[int, dict]:
    return {
        row["creator_id"]: {name: row[name] for name in SNAPSHOT_FIELDS}
        for row in ScoreSnapshot.objects.filter(day=day).values("creator_id", *SNAPSHOT_FIELDS)
    }


# --- random pools -------------------------------------------------------------------------------

small = st.sampled_from([0, 0, 1, 3, 100])
count = small | st.integers(0, 2_000_000)
FLAGS = [PlayFlag.NONE] * 6 + [PlayFlag.OPEN, PlayFlag.CONFIRMED, PlayFlag.DISMISSED]


@st.composite
def weight_splits(draw):
    """Six whole percentages adding up to 100 (often with zeros, sometimes all on one)."""
    if draw(st.booleans()):
        cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=5, max_size=5)))
        return [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    split = [0] * 6
    split[draw(st.integers(0, 5))] = 100
    return split


@st.composite
def worlds(draw):
    window = draw(st.sampled_from([7, 8, 10, 28]))
    metric = st.tuples(
        st.integers(-2 * window - 2, 2),  # day offset from DAY: both windows, before and after
        count,  # plays
        count,  # valid (at most the plays)
        st.integers(-50, 50) | st.just(0),  # new followers
        st.integers(0, 3),  # videos
        st.integers(0, 3),  # originals (at most the videos)
        count,  # interactions
        st.sampled_from(FLAGS),
        st.sampled_from([0, 0, 1, 999]) | st.integers(0, 10**11),  # GMV fen
    )
    creator = st.fixed_dictionaries(
        {
            "stage": st.sampled_from([*PoolStage.values, PoolStage.RESERVE, None]),
            "category": st.sampled_from(CODES),
            "metrics": st.lists(metric, max_size=8, unique_by=lambda m: m[0]),
        }
    )
    return {
        "window": window,
        "weights": draw(weight_splits()),
        "older": draw(weight_splits()),
        "decoys": draw(st.sets(st.sampled_from(["older", "draft", "later"]))),
        "creators": draw(
            st.lists(creator, min_size=draw(st.sampled_from([0, 1, 3, 5, 5])), max_size=10)
        ),
    }


def build(world, operator):
    def version(number, split, status=WeightsStatus.PUBLISHED, effective=DAY - 30 * ONE):
        return ScoreWeights.objects.create(
            number=number,
            effective_from=effective,
            status=status,
            window_days=world["window"] if number == 2 else 14,
            created_by=operator,
            **dict(zip(WEIGHTS, split, strict=True)),
        )

    version(2, world["weights"])
    if "older" in world["decoys"]:
        version(1, world["older"], effective=DAY - 60 * ONE)
    if "draft" in world["decoys"]:
        version(3, world["older"], status=WeightsStatus.DRAFT)
    if "later" in world["decoys"]:
        version(4, world["older"], effective=DAY + ONE)
    categories = {c.code: c for c in Category.objects.filter(code__in=CODES)}
    metrics = []
    for spec in world["creators"]:
        creator = CreatorFactory(primary_category=categories[spec["category"]])
        if spec["stage"] is not None:
            PoolMember.objects.create(
                creator=creator, stage=spec["stage"], source=PoolSource.NOMINATION
            )
        for offset, plays, valid, followers, videos, originals, inter, flag, gmv in spec["metrics"]:
            valid = min(valid, plays)
            metrics.append(
                DailyMetric(
                    creator=creator,
                    date=DAY + offset * ONE,
                    plays=plays,
                    valid_plays=valid,
                    counted_valid_plays=0 if flag in EXCLUDING_FLAGS else valid,
                    new_followers=followers,
                    videos_published=videos,
                    original_videos=min(originals, videos),
                    interactions=inter,
                    flag=flag,
                    gmv=from_fen(gmv),
                )
            )
    DailyMetric.objects.bulk_create(metrics)


class Rollback(Exception):
    pass


def in_a_rolled_back_transaction(check):
    try:
        with transaction.atomic():
            check()
            raise Rollback
    except Rollback:
        pass


def examples(n):
    return settings(
        max_examples=n,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@examples(60)
@given(world=worlds())
def test_the_sql_scores_equal_the_reference(operator, world):
    def check():
        build(world, operator)
        result = scores_compute(actor=operator, day=DAY)
        expected = reference(DAY)
        assert computed(DAY) == expected
        held = sum(1 for row in expected.values() if row["held_out"])
        event(f"held out: {min(held, 2)}, scored: {min(len(expected) - held, 3)}")
        scores = [row["score"] for row in expected.values() if not row["held_out"]]
        event(f"tied scores: {len(scores) != len(set(scores))}")
        assert (result["scored"], result["held_out"]) == (len(expected) - held, held)
        scored = scored_count(DAY)
        for snapshot in ScoreSnapshot.objects.filter(day=DAY).select_related("weights"):
            explanation = explain_score(snapshot, scored=scored)
            if snapshot.held_out:
                assert all(line.points is None for line in explanation.lines)
                continue
            assert sum(line.points for line in explanation.lines) == snapshot.score
            for line in explanation.lines:
                assert abs(line.points - Decimal(line.weight * line.percentile / 100)) < Decimal(
                    "0.0011"
                )

    in_a_rolled_back_transaction(check)


# --- hand-checked examples ----------------------------------------------------------------------


def metric(creator, day, **figures):
    figures.setdefault("counted_valid_plays", figures.get("valid_plays", 0))
    return DailyMetric.objects.create(creator=creator, date=day, **figures)


@pytest.fixture
def published(operator):
    """Weights version 1, published: all on valid plays, a 7-day window."""
    weights = weights_draft(actor=operator, effective_from=D(2026, 1, 1))
    weights = weights_update(
        actor=operator,
        weights=weights,
        window_days=7,
        **(dict.fromkeys(WEIGHTS, 0) | {"valid_plays": 100}),
    )
    return weights_publish(actor=operator, weights=weights)


def test_ties_share_a_percentile_and_are_ranked_by_creator_id(published, beauty, pets):
    a, b, c, d = (
        PoolMemberFactory(creator__primary_category=cat) for cat in (beauty,) * 3 + (pets,)
    )
    for member, plays in ((a, 10), (b, 20), (c, 20), (d, 5)):
        metric(member.creator, DAY, plays=plays, valid_plays=plays)
    scores_compute(day=DAY)
    rows = {
        s.creator_id: (s.valid_plays_norm, s.score, s.rank, s.category_rank)
        for s in ScoreSnapshot.objects.filter(day=DAY)
    }
    third = 1 / 3
    assert rows == {
        d.creator_id: (0.0, Decimal("0.000"), 4, 1),
        a.creator_id: (third, Decimal("33.333"), 3, 3),
        b.creator_id: (2 * third, Decimal("66.667"), 1, 1),
        c.creator_id: (2 * third, Decimal("66.667"), 2, 2),
    }


def test_a_lone_member_scores_zero_and_the_held_out_are_kept_out(published, beauty):
    lone, flagged, exited = (PoolMemberFactory() for _ in range(3))
    PoolMember.objects.filter(pk=exited.pk).update(stage=PoolStage.EXITED)
    metric(lone.creator, DAY, plays=10, valid_plays=10)
    for day in (DAY, DAY - ONE, DAY - 7 * ONE):
        metric(flagged.creator, day, plays=900, valid_plays=900, counted_valid_plays=0, flag="open")
    result = scores_compute(day=DAY)
    assert (result["scored"], result["held_out"]) == (1, 1)
    assert not ScoreSnapshot.objects.filter(creator=exited.creator).exists()
    alone = ScoreSnapshot.objects.get(creator=lone.creator)
    assert (alone.score, alone.rank, alone.valid_plays_norm) == (Decimal("0.000"), 1, 0.0)
    held = ScoreSnapshot.objects.get(creator=flagged.creator)
    assert (held.held_out, held.hold_reason, held.score, held.rank) == (
        True,
        "open_flag:2",  # the third open day is outside the 7-day window
        None,
        None,
    )
    assert (held.plays, held.valid_plays) == (1800, 0)
    explanation = explain_score(held)
    assert explanation.hold_reason == (
        "Held out: 2 days in the scoring window have an abnormal-play flag still open."
    )
    assert [line.percentile for line in explanation.lines] == [None] * 6
    assert hold_reason_text("open_flag:1").startswith("Held out: 1 day in")


def test_videos_come_from_the_one_source_of_truth(published, beauty):
    """The reported video figures count on the days before the creator's first video in the
    portal, the portal's videos from that day on (a copy is not an original): the snapshot's
    figures are the sums of the view `content.originals` defines over the window."""
    from django.db.models import Sum

    from content.models import CreatorDay, Originality, Video
    from tests.content.factories import make_videos, row

    switching, switched, reporting = (
        PoolMemberFactory(creator__primary_category=beauty) for _ in range(3)
    )
    for offset in range(9):  # the 7-day window and two days before it
        day = DAY - offset * ONE
        for member in (switching, switched, reporting):
            metric(member.creator, day, plays=10, videos_published=3, original_videos=2)

    def at(day):
        return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 12))

    videos = make_videos(
        *[row(switching.creator, published_at=at(DAY - n * ONE)) for n in (2, 1, 0)],
        row(switched.creator, published_at=at(DAY - 10 * ONE)),  # before the window
        row(switched.creator, published_at=at(DAY - 3 * ONE)),
    )
    Video.objects.filter(pk=videos[0].pk).update(originality=Originality.COPY)
    scores_compute(day=DAY)
    figures = {
        s.creator_id: (s.videos, s.original_videos) for s in ScoreSnapshot.objects.filter(day=DAY)
    }
    assert figures == {
        switching.creator_id: (4 * 3 + 3, 4 * 2 + 2),  # four reported days, then three videos
        switched.creator_id: (1, 1),  # only the video in the window
        reporting.creator_id: (7 * 3, 7 * 2),
    }
    for creator_id, expected in figures.items():
        view = CreatorDay.objects.filter(
            creator_id=creator_id, date__gte=DAY - 6 * ONE, date__lte=DAY
        ).aggregate(videos=Sum("videos_published"), originals=Sum("original_videos"))
        assert (view["videos"], view["originals"]) == expected


@pytest.mark.parametrize("column", ["creator_id", "category_id", "weights_id"])
def test_a_snapshot_naming_a_missing_row_undoes_the_scoring(
    published, operator, monkeypatch, column
):
    """The snapshots table has no per-row key checks: if the INSERT ever wrote a row naming a
    creator, field or weights version that does not exist, the one set-based check refuses the
    whole scoring: scores_compute raises and writes nothing."""
    from django.db import IntegrityError, connection

    from incubation.services import scoring

    for n in range(3):
        metric(PoolMemberFactory().creator, DAY, plays=n, valid_plays=n)
    original = scoring.check_snapshot_references

    def after_a_dangling_row(day):
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE incubation_scoresnapshot SET {column} = 987654321 "  # noqa: S608
                "WHERE id = (SELECT MAX(id) FROM incubation_scoresnapshot WHERE day = %s)",
                [day],
            )
        return original(day)

    monkeypatch.setattr(scoring, "check_snapshot_references", after_a_dangling_row)
    with pytest.raises(IntegrityError, match="1 score snapshots of 2026-11-20 name a missing"):
        scores_compute(actor=operator, day=DAY)
    assert not ScoreSnapshot.objects.exists()
    assert not AuditEntry.objects.filter(action="scores.compute").exists()
    monkeypatch.undo()
    assert scores_compute(actor=operator, day=DAY)["scored"] == 3
    scoring.check_snapshot_references(DAY)  # the computed rows pass


def test_computing_again_replaces_the_day_and_is_audited(published, operator):
    members = [PoolMemberFactory() for _ in range(3)]
    for n, member in enumerate(members):
        metric(member.creator, DAY, plays=n, valid_plays=n)
    first = scores_compute(actor=operator, day=DAY)
    PoolMember.objects.filter(pk=members[0].pk).update(stage=PoolStage.EXITED)
    again = scores_compute(day=DAY)
    assert (first["scored"], again["scored"], again["replaced"]) == (3, 2, 3)
    assert ScoreSnapshot.objects.filter(day=DAY).count() == 2
    entries = AuditEntry.objects.filter(action="scores.compute").order_by("pk")
    assert [(e.actor_id, e.after["scored"], e.after["held_out"]) for e in entries] == [
        (operator.pk, 3, 0),
        (None, 2, 0),
    ]


def test_scoring_needs_published_weights_and_an_operator(operator, manager):
    PoolMemberFactory()
    with pytest.raises(PermissionDenied):
        scores_compute(actor=manager, day=DAY)
    with pytest.raises(NoWeightsInForce):
        scores_compute(actor=operator, day=DAY)
    ScoreWeightsFactory(effective_from=DAY + ONE, created_by=operator)
    with pytest.raises(NoWeightsInForce):
        scores_compute(day=DAY)


def test_explain_lists_every_component_in_order(published, beauty):
    members = [PoolMemberFactory() for _ in range(4)]
    for n, member in enumerate(members):
        metric(
            member.creator,
            DAY,
            plays=100 * n,
            valid_plays=50 * n,
            videos_published=2,
            original_videos=n % 3,
            interactions=7 * n,
            gmv=Decimal("12.34") * n,
        )
    scores_compute(day=DAY)
    top = ScoreSnapshot.objects.get(day=DAY, rank=1)
    explanation = explain_score(top)
    assert [line.code for line in explanation.lines] == WEIGHTS
    assert explanation.lines[0].label == "Play growth"
    lines = {line.code: line for line in explanation.lines}
    assert (lines["valid_plays"].raw, lines["valid_plays"].percentile) == (150, 100.0)
    assert lines["valid_plays"].points == Decimal("100.000") == explanation.score
    assert (lines["original_share"].kind, lines["original_share"].raw) == ("share", 0.0)
    assert (lines["gmv"].kind, lines["gmv"].raw) == ("money", Decimal("37.02"))
    assert lines["engagement"].raw == pytest.approx(0.07)


# --- weights ------------------------------------------------------------------------------------


def test_weights_are_drafted_edited_to_100_and_published(operator, manager):
    with pytest.raises(PermissionDenied):
        weights_draft(actor=manager, effective_from=DAY)
    first = weights_draft(actor=operator, effective_from=D(2026, 11, 1))
    assert (first.number, first.status, first.total, first.window_days) == (1, "draft", 100, 28)
    with pytest.raises(ValidationError) as error:
        weights_update(actor=operator, weights=first, play_growth=30)
    assert set(error.value.message_dict) == {"play_growth"}
    assert error.value.message_dict["play_growth"] == [
        "The weights add up to 110%; they must add up to 100%."
    ]
    with pytest.raises(ValidationError) as error:
        weights_update(actor=operator, weights=first, window_days=5)
    assert list(error.value.message_dict) == ["window_days"]
    with pytest.raises(ValidationError) as error:
        weights_update(actor=operator, weights=first, gmv=-5, engagement=30)
    assert "gmv" in error.value.message_dict
    with pytest.raises(TypeError):
        weights_update(actor=operator, weights=first, number=9)
    first = weights_update(
        actor=operator, weights=first, play_growth=30, follower_growth=10, note="more growth"
    )
    assert (first.play_growth, first.follower_growth, first.total) == (30, 10, 100)
    assert weights_in_force(DAY) is None  # a draft is never in force
    weights_publish(actor=operator, weights=first)
    with pytest.raises(ValidationError, match="never change"):
        weights_update(actor=operator, weights=first, play_growth=20, follower_growth=20)
    with pytest.raises(ValidationError, match="already published"):
        weights_publish(actor=operator, weights=first)
    second = weights_draft(actor=operator, effective_from=D(2026, 11, 15))
    assert (second.number, second.play_growth, second.follower_growth) == (2, 30, 10)
    weights_publish(actor=operator, weights=second)
    assert weights_in_force(D(2026, 10, 31)) is None
    assert weights_in_force(D(2026, 11, 14)).number == 1
    assert weights_in_force(D(2026, 11, 15)).number == 2
    assert list(
        AuditEntry.objects.filter(action__startswith="weights.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["weights.draft", "weights.update", "weights.publish", "weights.draft", "weights.publish"]


# --- movers -------------------------------------------------------------------------------------


def test_movers_are_the_biggest_rank_changes_over_a_week(published):
    week_ago = DAY - 7 * ONE
    members = [PoolMemberFactory() for _ in range(5)]
    before = [10, 20, 30, 40, 50]  # ranks a week ago: 5, 4, 3, 2, 1
    now = [50, 40, 30, 20, 10]  # ranks now: 1, 2, 3, 4, 5 (the newcomer 6)
    for member, old, new in zip(members, before, now, strict=True):
        metric(member.creator, week_ago, plays=old, valid_plays=old)
        metric(member.creator, DAY, plays=new, valid_plays=new)
    newcomer = PoolMemberFactory()
    metric(newcomer.creator, DAY, plays=5, valid_plays=5)
    scores_compute(day=week_ago)
    scores_compute(day=DAY)
    found = movers(DAY, days=7, limit=10)
    # Biggest change first, then today's rank; unchanged and new members are left out.
    assert [(m.creator_id, m.rank_before, m.rank, m.change) for m in found] == [
        (members[0].creator_id, 5, 1, 4),
        (members[4].creator_id, 1, 5, -4),
        (members[1].creator_id, 4, 2, 2),
        (members[3].creator_id, 2, 4, -2),
    ]
    assert [m.change for m in movers(DAY, limit=2)] == [4, -4]
    assert [m.change for m in movers(DAY, direction="up")] == [4, 2]
    assert [m.change for m in movers(DAY, direction="down")] == [-4, -2]
    assert movers(DAY, queryset=ScoreSnapshot.objects.none()) == []


# --- the nightly and weekly tasks ---------------------------------------------------------------


def test_the_nightly_task_admits_by_rule_then_scores(published, beauty, caplog):
    from incubation.tasks import score_pool, snapshot_shortlist

    member = PoolMemberFactory()
    metric(member.creator, DAY, plays=10, valid_plays=10)
    newcomer = CreatorFactory(primary_category=beauty)
    metric(newcomer, DAY, plays=500, valid_plays=500, videos_published=2, original_videos=2)
    EntryRule.objects.create(name="Originals", window_days=7, min_valid_plays=100)
    score_pool.delay(day=DAY.isoformat())
    assert PoolMember.objects.filter(creator=newcomer, stage=PoolStage.RESERVE).exists()
    assert ScoreSnapshot.objects.get(day=DAY, rank=1).creator_id == newcomer.pk
    ScoreWeights.objects.all().update(effective_from=DAY + ONE)
    with caplog.at_level(logging.WARNING, logger="incubation.tasks"):
        score_pool.delay(day=DAY.isoformat())  # no weights in force: logged, not raised
    assert "no published score weights" in caplog.text
    shortlist_for(timezone.localdate().year)
    snapshot_shortlist.delay()
    assert ShortlistSnapshot.objects.filter(kind="weekly").count() == 1


def test_the_tasks_are_scheduled():
    from django.conf import settings as django_settings

    from portal.celery import app

    schedule = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"incubation.tasks.score_pool", "incubation.tasks.snapshot_shortlist"} <= schedule
    assert {"incubation.tasks.score_pool", "incubation.tasks.snapshot_shortlist"} <= set(
        app.tasks.keys()
    )


# --- interactions in the metrics ----------------------------------------------------------------


def test_the_metrics_api_takes_interactions(client, operator):
    creator = CreatorFactory()
    row = {
        "platform_account_id": creator.platform_account_id,
        "date": "2026-11-01",
        "plays": 1000,
        "valid_plays": 900,
    }
    client.force_login(operator)
    sent = [row, {**row, "date": "2026-11-02", "interactions": 77}]
    body = client.post("/api/v1/metrics/", {"rows": sent}, content_type="application/json")
    assert body.json()["written"] == 2
    assert list(DailyMetric.objects.order_by("date").values_list("interactions", flat=True)) == [
        0,
        77,
    ]
    bad = client.post(
        "/api/v1/metrics/",
        {"rows": [{**row, "interactions": -1}]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    listed = client.get("/api/v1/metrics/").json()["results"]
    assert sorted(r["interactions"] for r in listed) == [0, 77]


def test_the_metrics_import_reads_interactions(operator, django_capture_on_commit_callbacks):
    from creators.models import ImportKind
    from creators.services import import_confirm, import_create

    values = {
        "platform_account_id": "u100000000001",
        "date": "2026-11-01",
        "plays": "10",
        "valid_plays": "9",
    }
    with pytest.raises(RowError):
        parse_metric_row({**values, "interactions": "many"})
    CreatorFactory(platform_account_id="u100000000001")
    text = "平台账号ID,日期,播放量,有效播放量,互动数\nu100000000001,2026-11-01,1000,900,42\n"
    with django_capture_on_commit_callbacks(execute=True):
        job = import_create(
            actor=operator,
            kind=ImportKind.METRICS,
            upload=SimpleUploadedFile("m.csv", text.encode()),
        )
    job.refresh_from_db()
    assert job.error_rows == 0
    with django_capture_on_commit_callbacks(execute=True):
        import_confirm(actor=operator, job=job, skip_errors=False)
    # The staging table carries interactions once MetricImportRow has the column.
    assert DailyMetric.objects.get().interactions == 42
