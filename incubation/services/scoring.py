"""The nightly score of the reserve pool: the members' figures from one read of the metric days
into a temporary table, then one set-based INSERT ... SELECT that ranks them, in SQL that runs the
same on PostgreSQL and SQLite (window functions and FILTER: SQLite 3.30 or later).

Definitions, for the scored day D and the weights version in force on D (`weights_in_force`):

- Window W: the `window_days` days ending on D (D included); the window before, B: the
  `window_days` days just before W.
- Members: pool members whose stage is not "exited"; each with the creator's primary category.
- Raw figures, sums of the creator's daily metrics over W (0 when there are none): plays,
  followers_gained (new followers, may be negative), valid_plays (valid plays that count: a
  flagged day counts 0), videos (published) and original_videos (both from the one source of
  truth, `content.originals`: the creator's videos once they have some in the portal, the reported
  daily figures before), interactions, gmv_fen (GMV in
  integer fen); plays_before: plays over B.
- Held out: a member with at least one metric day in W whose abnormal-play flag is still open.
  Their row keeps the raw figures and hold_reason "open_flag:<days>" (the number of such days;
  `incubation.explain.hold_reason_text` renders it in the reader's language). They have no
  components, score or rank, and take no part in the normalization of the others.
- Components of the scored (not held-out) members:
  play_growth = plays - plays_before; follower_growth = followers_gained;
  valid_plays = valid_plays; original_share = original_videos / videos (0 without videos);
  engagement = interactions / plays (0 without plays); gmv = gmv_fen.
  The two shares are IEEE double divisions of the integer sums (the same on both databases and
  in Python).
- Normalized component: its percentile rank among the N scored members of the day,
  PERCENT_RANK() = (r - 1) / (N - 1), where r is RANK() in ascending order (equal values share
  the lowest rank, so ties get equal values). 0 for every member when N = 1. Stored as a float.
- Score: 100 x the weighted mean of the normalized components with the weights w (whole percent,
  adding up to 100): exactly S = sum(w * (r - 1)) / (N - 1), rounded half up to 3 decimals. It is
  computed in integers, (2000 * sum(w * (r - 1)) + N - 1) / (2 * (N - 1)) thousandths with
  truncating division, so both databases and the Python reference agree to the last digit (the
  stored floats are never summed).
- rank: 1, 2, 3 ... by score, highest first; equal scores are ordered by creator id (ROW_NUMBER, a
  strict order: no two members share a rank). category_rank: the same within the day's members of
  the creator's primary category.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from content.models import Video
from content.originals import FIRST_VIDEO_SQL, PORTAL_ORIGINAL, reported_counts
from creators.models import Creator, DailyMetric, PlayFlag
from incubation import selectors
from incubation.models import (
    HOLD_OPEN_FLAG,
    NORMALIZED_FIELD,
    PoolStage,
    ScoreSnapshot,
    ScoreWeights,
    WeightsStatus,
)
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core.models import Category

SORT_MEMORY = "256MB"
# Each component's figure over the window, from the raw figures (b: a row of `base` below).
COMPONENT_SQL = {
    "play_growth": "b.plays - b.plays_before",
    "follower_growth": "b.followers_gained",
    "valid_plays": "b.valid_plays",
    "original_share": "CASE WHEN b.videos > 0 THEN CAST(b.original_videos AS DOUBLE PRECISION)"
    " / CAST(b.videos AS DOUBLE PRECISION) ELSE CAST(0 AS DOUBLE PRECISION) END",
    "engagement": "CASE WHEN b.plays > 0 THEN CAST(b.interactions AS DOUBLE PRECISION)"
    " / CAST(b.plays AS DOUBLE PRECISION) ELSE CAST(0 AS DOUBLE PRECISION) END",
    "gmv": "b.gmv_fen",
}
RAW_FIGURES = (
    "plays",
    "plays_before",
    "followers_gained",
    "valid_plays",
    "videos",
    "original_videos",
    "interactions",
    "gmv_fen",
)


# Other apps' tables, by their models' names for them.
CREATORS = Creator._meta.db_table
METRICS = DailyMetric._meta.db_table
VIDEOS = Video._meta.db_table
CATEGORIES = Category._meta.db_table


class NoWeightsInForce(ValidationError):
    """No published weights version is in force on the day to score."""


# The pool members' figures over both windows, in a temporary table of this transaction.
FIGURES_TABLE = "incubation_score_figures"


def _figures_sql() -> str:
    """The body of FIGURES_TABLE: every figure from one read of the metric days of both windows
    (B and W), a sum per figure filtered to its window. The video figures are all the reported
    ones of W: scoring takes off those of the days from the creator's first video in the portal on
    and adds the portal's videos (`content.originals`), from the few creators with videos, so
    that the million metric rows are not each joined to the first videos."""
    in_window = "m.date >= %s"
    figures = {
        "plays": ("m.plays", in_window),
        "plays_before": ("m.plays", "m.date < %s"),
        "followers_gained": ("m.new_followers", in_window),
        "valid_plays": ("m.counted_valid_plays", in_window),
        "videos": ("m.videos_published", in_window),
        "original_videos": ("m.original_videos", in_window),
        "interactions": ("m.interactions", in_window),
    }
    sums = ",\n       ".join(
        f"CAST(SUM({column}) FILTER (WHERE {condition}) AS BIGINT) AS {name}"
        for name, (column, condition) in figures.items()
    )
    # exact on PostgreSQL (numeric); SQLite adds the amounts as doubles, off by far less than half
    # a fen for any realistic window before the rounding
    gmv = f"CAST(ROUND(SUM(m.gmv) FILTER (WHERE {in_window}) * 100) AS BIGINT) AS gmv_fen"
    return f"""
SELECT m.creator_id,
       {sums},
       {gmv},
       COUNT(*) FILTER (WHERE {in_window} AND m.flag = %s) AS open_days
FROM {METRICS} m
WHERE m.date >= %s AND m.date <= %s
  AND m.creator_id IN (SELECT q.creator_id FROM incubation_poolmember q WHERE q.stage <> %s)
GROUP BY m.creator_id"""  # noqa: S608 - constant SQL text; every value is a parameter


def _score_sql() -> str:
    # content.originals: the reported video figures of W, less those of the days from the first
    # video in the portal on (late), plus the portal's videos of W (pv)
    raw = ", ".join(
        f"COALESCE(f.{name}, 0) - COALESCE(late.{name}, 0) + COALESCE(pv.{name}, 0) AS {name}"
        if name in ("videos", "original_videos")
        else f"COALESCE(f.{name}, 0) AS {name}"
        for name in RAW_FIGURES
    )
    components = ",\n         ".join(
        f"{expression} AS x_{name}" for name, expression in COMPONENT_SQL.items()
    )
    windows = ",\n         ".join(
        f"RANK() OVER (ORDER BY x_{name}) - 1 AS r_{name}, "
        f"PERCENT_RANK() OVER (ORDER BY x_{name}) AS p_{name}"
        for name in COMPONENT_SQL
    )
    weighted = " + ".join(f"%s * r_{name}" for name in COMPONENT_SQL)
    normalized = ", ".join(f"p_{name}" for name in COMPONENT_SQL)
    raw_columns = ", ".join(f"b.{name}" for name in RAW_FIGURES)
    nulls = ", ".join(["NULL"] * (len(COMPONENT_SQL) + 3))
    columns = ", ".join(
        [
            "day, creator_id, category_id, weights_id",
            ", ".join(RAW_FIGURES),
            ", ".join(NORMALIZED_FIELD[name] for name in COMPONENT_SQL),
            "score, rank, category_rank, held_out, hold_reason",
        ]
    )
    # The ranks are computed on narrow rows (id, field, the six figures) so that the window sorts
    # move less; the raw figures join back at the end.
    return f"""
WITH members AS (
  SELECT p.creator_id, c.primary_category_id AS category_id
  FROM incubation_poolmember p
  JOIN {CREATORS} c ON c.id = p.creator_id
  WHERE p.stage <> %s
),
late AS (
  SELECT m.creator_id, CAST(SUM(m.videos_published) AS BIGINT) AS videos,
         CAST(SUM(m.original_videos) AS BIGINT) AS original_videos
  FROM ({FIRST_VIDEO_SQL}) s
  JOIN {METRICS} m ON m.creator_id = s.creator_id
  WHERE m.date >= %s AND m.date <= %s AND NOT ({reported_counts()})
  GROUP BY m.creator_id
),
pv AS (
  SELECT v.creator_id, CAST(COUNT(*) AS BIGINT) AS videos,
         CAST(SUM({PORTAL_ORIGINAL}) AS BIGINT) AS original_videos
  FROM {VIDEOS} v
  WHERE v.published_on >= %s AND v.published_on <= %s
  GROUP BY v.creator_id
),
base AS (
  SELECT mb.creator_id, mb.category_id, {raw}, COALESCE(f.open_days, 0) AS open_days
  FROM members mb
  LEFT JOIN {FIGURES_TABLE} f ON f.creator_id = mb.creator_id
  LEFT JOIN late ON late.creator_id = mb.creator_id
  LEFT JOIN pv ON pv.creator_id = mb.creator_id
),
comp AS (
  SELECT b.creator_id, b.category_id,
         {components}
  FROM base b WHERE b.open_days = 0
),
ranked AS (
  SELECT comp.creator_id, comp.category_id, COUNT(*) OVER () AS n,
         {windows}
  FROM comp
),
scored AS (
  SELECT creator_id, category_id, {normalized},
         CASE WHEN n > 1 THEN (2000 * ({weighted}) + n - 1) / (2 * (n - 1)) ELSE 0 END AS milli
  FROM ranked
),
placed AS (
  SELECT scored.*,
         ROW_NUMBER() OVER (ORDER BY milli DESC, creator_id) AS rank_no,
         ROW_NUMBER() OVER (PARTITION BY category_id ORDER BY milli DESC, creator_id)
           AS category_rank_no
  FROM scored
)
INSERT INTO incubation_scoresnapshot ({columns})
SELECT %s, b.creator_id, b.category_id, %s, {raw_columns}, {normalized},
       milli / 1000.0, rank_no, category_rank_no, %s, ''
FROM placed JOIN base b ON b.creator_id = placed.creator_id
UNION ALL
SELECT %s, b.creator_id, b.category_id, %s, {raw_columns}, {nulls}, %s,
       %s || CAST(b.open_days AS VARCHAR(12))
FROM base b WHERE b.open_days > 0
"""  # noqa: S608 - constant SQL text; every value is a parameter


FIGURES_SQL = _figures_sql()
SCORE_SQL = _score_sql()


def window_of(weights: ScoreWeights, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first day of the window W ending on `day` and the first day of the window before."""
    length = datetime.timedelta(days=weights.window_days)
    start = day - length + datetime.timedelta(days=1)
    return start, start - length


def _figure_params(weights: ScoreWeights, day: datetime.date) -> list:
    start, before = window_of(weights, day)
    return [
        *[start] * 9,  # the figures' windows: seven sums, GMV, open days
        PlayFlag.OPEN,
        before,  # the metric days read: B and W
        day,
        PoolStage.EXITED,
    ]


def _params(weights: ScoreWeights, day: datetime.date) -> list:
    start, _before = window_of(weights, day)
    return [
        PoolStage.EXITED,  # members
        start,  # the reported video figures of W from the first video on
        day,
        start,  # the portal's videos of W
        day,
        *[getattr(weights, name) for name in COMPONENT_SQL],
        day,
        weights.pk,
        False,
        day,
        weights.pk,
        True,
        f"{HOLD_OPEN_FLAG}:",
    ]


def insert_scores(weights: ScoreWeights, day: datetime.date) -> None:
    """The day's snapshots, inside the caller's transaction: the members' figures into a
    temporary table (one read of the metric days; on PostgreSQL a CREATE TABLE ... AS may run in
    parallel, an INSERT may not), then every snapshot in one INSERT ... SELECT that ranks them,
    then the one check of their references. On PostgreSQL, for this transaction only: more sort
    memory (the ranks sort the whole pool), and no JIT compilation for the INSERT (compiling its
    many expressions costs more than it saves; the figures' millions of rows gain from it: 10-15%
    at 100,000 members)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY}'")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {FIGURES_TABLE} AS {FIGURES_SQL}", _figure_params(weights, day)
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(SCORE_SQL, _params(weights, day))
        cursor.execute(f"DROP TABLE {FIGURES_TABLE}")
    check_snapshot_references(day)


def check_snapshot_references(day: datetime.date) -> None:
    """Every snapshot of `day` names an existing creator, field and weights version: one
    set-based query in place of the per-row key checks the snapshots table does without (see
    ScoreSnapshot). The rows come from joins to those rows in the same statement, so this never
    fails unless the SQL above is wrong; it raises IntegrityError, undoing the scoring, if it
    does."""
    sql = f"""
SELECT COUNT(*) FROM incubation_scoresnapshot s
WHERE s.day = %s
  AND (NOT EXISTS (SELECT 1 FROM {CREATORS} c WHERE c.id = s.creator_id)
       OR NOT EXISTS (SELECT 1 FROM {CATEGORIES} k WHERE k.id = s.category_id)
       OR NOT EXISTS (SELECT 1 FROM incubation_scoreweights w WHERE w.id = s.weights_id))"""  # noqa: S608 - names from our models
    with connection.cursor() as cursor:
        cursor.execute(sql, [day])
        missing = cursor.fetchone()[0]
    if missing:
        raise IntegrityError(
            f"{missing} score snapshots of {day.isoformat()} name a missing creator, field or "
            "weights version"
        )


@transaction.atomic
def scores_compute(*, actor=None, day: datetime.date) -> dict:
    """Score the pool on `day` with the weights in force, replacing that day's snapshots. Returns
    the counts written. Two runs for the same day take turns (they lock the published versions in
    force, a set that only grows)."""
    if actor is not None:
        authorize(actor, "incubation.manage")
    locked = list(
        ScoreWeights.objects.select_for_update()
        .filter(status=WeightsStatus.PUBLISHED, effective_from__lte=day)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    weights = selectors.weights_in_force(day) if locked else None
    if weights is None:
        raise NoWeightsInForce(
            _("No published score weights are in force on %(day)s; publish a version first.")
            % {"day": day.isoformat()},
            code="no_weights",
        )
    replaced = ScoreSnapshot.objects.filter(day=day).delete()[0]
    insert_scores(weights, day)
    # Counted, not the cursor's rowcount: SQLite reports none for a statement opening with WITH.
    counts = ScoreSnapshot.objects.filter(day=day).aggregate(
        rows=Count("pk"), held=Count("pk", filter=Q(held_out=True))
    )
    result = {
        "day": day,
        "weights": weights.number,
        "scored": counts["rows"] - counts["held"],
        "held_out": counts["held"],
        "replaced": replaced,
    }
    audit_record(actor=actor or "system", action="scores.compute", obj=weights, after=result)
    return result
