"""The nightly score of the reserve pool: one set-based INSERT ... SELECT per day, in SQL that runs
the same on PostgreSQL and SQLite (window functions and FILTER: SQLite 3.30 or later).

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
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from content.models import CreatorDay
from creators.models import Creator, DailyMetric, PlayFlag
from incubation import selectors
from incubation.models import COMPONENTS, PoolStage, ScoreSnapshot, ScoreWeights, WeightsStatus
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record

SORT_MEMORY = "256MB"
HOLD_OPEN_FLAG = "open_flag"

# The snapshot's column of each component's normalized value (the raw valid plays take the name).
NORMALIZED_FIELD = {name: name for name, _label in COMPONENTS} | {"valid_plays": "valid_plays_norm"}
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
CREATOR_DAYS = CreatorDay._meta.db_table


class NoWeightsInForce(ValidationError):
    """No published weights version is in force on the day to score."""


def _score_sql() -> str:
    figures = {
        "plays": "SUM(m.plays)",
        "followers_gained": "SUM(m.new_followers)",
        "valid_plays": "SUM(m.counted_valid_plays)",
        "interactions": "SUM(m.interactions)",
        # exact on PostgreSQL (numeric); SQLite adds the amounts as doubles, off by far less than
        # half a fen for any realistic window before the rounding
        "gmv_fen": "ROUND(SUM(m.gmv) * 100)",
    }
    sums = ",\n         ".join(
        f"CAST({expression} AS BIGINT) AS {name}" for name, expression in figures.items()
    )
    source = {"plays_before": "pr", "videos": "v", "original_videos": "v"}
    raw = ", ".join(
        f"COALESCE({source.get(name, 'f')}.{name}, 0) AS {name}" for name in RAW_FIGURES
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
    # The window's figures and the plays of the window before are two plain aggregates (cheaper
    # than one with a filter per sum). The ranks are computed on narrow rows (id, field, the six
    # figures) so that the window sorts move less; the raw figures join back at the end.
    return f"""
WITH members AS (
  SELECT p.creator_id, c.primary_category_id AS category_id
  FROM incubation_poolmember p
  JOIN {CREATORS} c ON c.id = p.creator_id
  WHERE p.stage <> %s
),
fig AS (
  SELECT m.creator_id,
         {sums},
         COUNT(*) FILTER (WHERE m.flag = %s) AS open_days
  FROM {METRICS} m
  WHERE m.date >= %s AND m.date <= %s
    AND m.creator_id IN (SELECT q.creator_id FROM incubation_poolmember q WHERE q.stage <> %s)
  GROUP BY m.creator_id
),
vids AS (
  SELECT o.creator_id, CAST(SUM(o.videos_published) AS BIGINT) AS videos,
         CAST(SUM(o.original_videos) AS BIGINT) AS original_videos
  FROM {CREATOR_DAYS} o
  WHERE o.date >= %s AND o.date <= %s
    AND o.creator_id IN (SELECT q.creator_id FROM incubation_poolmember q WHERE q.stage <> %s)
  GROUP BY o.creator_id
),
prior AS (
  SELECT m.creator_id, CAST(SUM(m.plays) AS BIGINT) AS plays_before
  FROM {METRICS} m
  WHERE m.date >= %s AND m.date < %s
    AND m.creator_id IN (SELECT q.creator_id FROM incubation_poolmember q WHERE q.stage <> %s)
  GROUP BY m.creator_id
),
base AS (
  SELECT mb.creator_id, mb.category_id, {raw}, COALESCE(f.open_days, 0) AS open_days
  FROM members mb
  LEFT JOIN fig f ON f.creator_id = mb.creator_id
  LEFT JOIN vids v ON v.creator_id = mb.creator_id
  LEFT JOIN prior pr ON pr.creator_id = mb.creator_id
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


SCORE_SQL = _score_sql()


def window_of(weights: ScoreWeights, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first day of the window W ending on `day` and the first day of the window before."""
    length = datetime.timedelta(days=weights.window_days)
    start = day - length + datetime.timedelta(days=1)
    return start, start - length


def _params(weights: ScoreWeights, day: datetime.date) -> list:
    start, before = window_of(weights, day)
    return [
        PoolStage.EXITED,  # members
        PlayFlag.OPEN,  # the window's figures
        start,
        day,
        PoolStage.EXITED,
        start,  # videos and original videos (content.originals)
        day,
        PoolStage.EXITED,
        before,  # the window before
        start,
        PoolStage.EXITED,
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
    """The day's snapshots in one statement, inside the caller's transaction. On PostgreSQL the
    statement gets more sort memory for this transaction only (the ranks sort the whole pool)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY}'")
            # Compiling this statement's many expressions (JIT) costs more than it saves.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(SCORE_SQL, _params(weights, day))


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
