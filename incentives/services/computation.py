"""The set-based computation of a cycle's reward lines: one INSERT ... SELECT per group of kinds,
in SQL that runs the same on PostgreSQL and SQLite. All amounts are integer fen; divisions
truncate (a fraction of a fen is never paid).

Creators: those with metric days in the cycle and bound, on the cycle's last day, to an approved
organization (the binding that started last when a transfer on that day leaves two). Figures over the cycle: original videos (from the one source of truth,
`content.originals`: the creator's standing videos once they have videos in the portal, the
reported daily figure before), valid plays that count (flagged plays do not), GMV; followers as
the creator's current count.
- creator subsidy: the highest level of their primary field's rules whose thresholds they meet;
- playback subsidy: valid plays x rate / 1,000;
- cap: subsidy and playback together at most the version's cap; the subsidy keeps its amount
  first, playback takes what is left; a capped line records its amount before the cap;
- sales commission: GMV x basis points / 10,000 (outside the cap: it is not a subsidy);
- traffic reward: creators with enough original videos, ranked by valid plays (ties by creator
  id), get the coupon of their rank's band (of overlapping bands the one starting first; the
  rules editor refuses overlaps).
Organizations (approved): introduced creators in the cycle (distinct creators, however many
bindings; the qualification rule in force on the cycle's first day) x the basic amount, and the
highest tier whose threshold they reach.

The cycle's metric days are read once for every creator figure: the original videos are the
reported ones less those of the days from the creator's first video in the portal on (`late`,
read for the few creators with videos) plus the portal's videos (`pv`), the rule of
`content.originals` built from its pieces as pool scoring does, rather than a second read of the
metric days through the view. Introduced creators are counted by `counting_bindings_sql` (joins
and one aggregate per binding, not correlated subqueries per binding).
"""

import datetime

from django.db import IntegrityError, connection

from content.models import Video
from content.originals import FIRST_VIDEO_SQL, PORTAL_ORIGINAL, reported_counts
from creators.introduced import counting_bindings_sql
from creators.models import Binding, Creator, DailyMetric
from incentives.models import Cycle, RuleVersion
from organizations.models import Organization, OrganizationStatus
from portal.core.money import to_fen

SORT_MEMORY = "256MB"

# `bound` takes each creator's latest binding with an anti-join (no later binding qualifies)
# rather than ROW_NUMBER() ... = 1: the planner estimated the window's filter at 504 rows of
# 100,000 and planned the joins after it as nested loops; the anti-join is estimated right.

# Other apps' tables, by their models' names for them.
METRICS = DailyMetric._meta.db_table
BINDINGS = Binding._meta.db_table
CREATORS = Creator._meta.db_table
ORGANIZATIONS = Organization._meta.db_table
VIDEOS = Video._meta.db_table

LINE_COLUMNS = (
    "reward_list_id, kind, pool, creator_id, organization_id, amount, amount_before_cap, "
    "rule_version_id, rule_id, original_videos, valid_plays, followers, gmv, introduced, rank, note"
)

CREATOR_FIGURES = f"""
late AS (
  SELECT m.creator_id, CAST(SUM(m.original_videos) AS BIGINT) AS videos
  FROM ({FIRST_VIDEO_SQL}) s
  JOIN {METRICS} m ON m.creator_id = s.creator_id
  WHERE m.date >= %s AND m.date < %s AND NOT ({reported_counts()})
  GROUP BY m.creator_id
),
pv AS (
  SELECT v.creator_id, CAST(SUM({PORTAL_ORIGINAL}) AS BIGINT) AS videos
  FROM {VIDEOS} v
  WHERE v.published_on >= %s AND v.published_on < %s
  GROUP BY v.creator_id
),
fig AS (
  SELECT m.creator_id,
         CAST(SUM(m.original_videos) AS BIGINT) AS reported,
         CAST(SUM(m.counted_valid_plays) AS BIGINT) AS plays,
         CAST(SUM(CAST(ROUND(m.gmv * 100) AS BIGINT)) AS BIGINT) AS gmv
  FROM {METRICS} m
  WHERE m.date >= %s AND m.date < %s
  GROUP BY m.creator_id
),
bound AS (
  SELECT b.creator_id, b.organization_id
  FROM {BINDINGS} b
  WHERE b.started_on <= %s AND (b.ended_on IS NULL OR b.ended_on >= %s)
    AND NOT EXISTS (
      SELECT 1 FROM {BINDINGS} n
      WHERE n.creator_id = b.creator_id AND n.started_on <= %s
        AND (n.ended_on IS NULL OR n.ended_on >= %s)
        AND (n.started_on > b.started_on OR (n.started_on = b.started_on AND n.id > b.id))
    )
),
elig AS (
  SELECT f.creator_id,
         f.reported - COALESCE(late.videos, 0) + COALESCE(pv.videos, 0) AS videos,
         f.plays, f.gmv, c.follower_count AS followers,
         c.primary_category_id AS category_id, b.organization_id
  FROM fig f
  LEFT JOIN late ON late.creator_id = f.creator_id
  LEFT JOIN pv ON pv.creator_id = f.creator_id
  JOIN {CREATORS} c ON c.id = f.creator_id
  JOIN bound b ON b.creator_id = f.creator_id
  JOIN {ORGANIZATIONS} o ON o.id = b.organization_id AND o.status = %s
),
lvl AS (
  SELECT e.creator_id, MAX(r.level) AS level
  FROM elig e
  JOIN incentives_subsidyrule r ON r.version_id = %s AND r.category_id = e.category_id
       AND e.videos >= r.min_original_videos AND e.plays >= r.min_valid_plays
       AND e.followers >= r.min_followers
  GROUP BY e.creator_id
),
raw AS (
  SELECT e.*, r.id AS rule_id, COALESCE(r.amount, 0) AS subsidy,
         (e.plays * %s) / 1000 AS playback, (e.gmv * %s) / 10000 AS commission
  FROM elig e
  LEFT JOIN lvl ON lvl.creator_id = e.creator_id
  LEFT JOIN incentives_subsidyrule r ON r.version_id = %s AND r.category_id = e.category_id
       AND r.level = lvl.level
),
capped AS (
  SELECT raw.*,
         CASE WHEN subsidy > %s THEN %s ELSE subsidy END AS subsidy_paid
  FROM raw
),
paid AS (
  SELECT capped.*,
         CASE WHEN playback > %s - subsidy_paid THEN %s - subsidy_paid ELSE playback END
           AS playback_paid
  FROM capped
)"""  # noqa: S608 - constant SQL text


def _creator_params(cycle: Cycle, version: RuleVersion) -> list:
    last_day = cycle.ends_on - datetime.timedelta(days=1)
    cap = to_fen(version.creator_cap)
    return [
        *[cycle.starts_on, cycle.ends_on] * 3,  # late, pv, fig
        last_day,
        last_day,
        last_day,
        last_day,
        OrganizationStatus.APPROVED,
        version.pk,
        to_fen(version.playback_rate),
        version.commission_bp,
        version.pk,
        cap,
        cap,
        cap,
        cap,
    ]


def insert_creator_lines(reward_list_id: int, cycle: Cycle, version: RuleVersion) -> int:
    """Creator subsidy, playback, commission and traffic lines in one statement, so the cycle's
    figures are aggregated once (PostgreSQL materializes a CTE used twice)."""
    sql = f"""
WITH {CREATOR_FIGURES},
ranked AS (
  SELECT paid.*, ROW_NUMBER() OVER (ORDER BY plays DESC, creator_id) AS rank_no
  FROM paid WHERE videos >= %s AND plays > 0
)
INSERT INTO incentives_rewardline ({LINE_COLUMNS})
SELECT %s, 'creator_subsidy', 'cash', creator_id, organization_id, subsidy_paid,
       CASE WHEN subsidy_paid < subsidy THEN subsidy END, %s, rule_id, videos, plays, followers,
       gmv, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), ''
FROM paid WHERE subsidy > 0
UNION ALL
SELECT %s, 'playback', 'cash', creator_id, organization_id, playback_paid,
       CASE WHEN playback_paid < playback THEN playback END, %s, CAST(NULL AS BIGINT), videos,
       plays, followers, gmv, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), ''
FROM paid WHERE playback > 0
UNION ALL
SELECT %s, 'commission', 'cash', creator_id, organization_id, commission, CAST(NULL AS BIGINT),
       %s, CAST(NULL AS BIGINT), videos, plays, followers, gmv, CAST(NULL AS BIGINT),
       CAST(NULL AS BIGINT), ''
FROM paid WHERE commission > 0
UNION ALL
SELECT %s, 'traffic', 'traffic', k.creator_id, k.organization_id, t.coupon, CAST(NULL AS BIGINT),
       %s, t.id, k.videos, k.plays, k.followers, k.gmv, CAST(NULL AS BIGINT), k.rank_no, ''
FROM ranked k
JOIN incentives_trafficband t ON t.version_id = %s AND k.rank_no >= t.rank_from
     AND k.rank_no <= t.rank_to
WHERE NOT EXISTS (
  SELECT 1 FROM incentives_trafficband u
  WHERE u.version_id = t.version_id AND u.rank_from < t.rank_from
    AND k.rank_no >= u.rank_from AND k.rank_no <= u.rank_to
)
"""  # noqa: S608 - constant SQL text; every value is a parameter
    params = [
        *_creator_params(cycle, version),
        version.traffic_min_original,
        *[reward_list_id, version.pk] * 4,
        version.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def insert_organization_lines(reward_list_id: int, cycle: Cycle, version: RuleVersion) -> int:
    """Basic incentive per introduced creator and the special incentive tier."""
    counted_sql, counted_params = counting_bindings_sql(
        Binding.objects.filter(organization__status=OrganizationStatus.APPROVED),
        cycle_start=cycle.starts_on,
        cycle_end=cycle.ends_on,
    )
    sql = f"""
WITH counted AS ({counted_sql}),
intro AS (
  SELECT organization_id, COUNT(DISTINCT creator_id) AS n FROM counted GROUP BY organization_id
),
tier AS (
  SELECT i.organization_id, MAX(t.level) AS level
  FROM intro i JOIN incentives_orgtier t ON t.version_id = %s AND i.n >= t.min_introduced
  GROUP BY i.organization_id
)
INSERT INTO incentives_rewardline ({LINE_COLUMNS})
SELECT %s, 'org_basic', 'cash', CAST(NULL AS BIGINT), organization_id, n * %s, CAST(NULL AS BIGINT), %s, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
       CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), n, CAST(NULL AS BIGINT), ''
FROM intro WHERE n * %s > 0
UNION ALL
SELECT %s, 'org_tier', 'cash', CAST(NULL AS BIGINT), i.organization_id, t.amount, CAST(NULL AS BIGINT), %s, t.id, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
       CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), i.n, CAST(NULL AS BIGINT), ''
FROM intro i
JOIN tier ON tier.organization_id = i.organization_id
JOIN incentives_orgtier t ON t.version_id = %s AND t.level = tier.level
"""  # noqa: S608 - constant SQL text; every value is a parameter
    basic = to_fen(version.basic_per_introduced)
    params = [
        *counted_params,
        version.pk,
        reward_list_id,
        basic,
        version.pk,
        basic,
        reward_list_id,
        version.pk,
        version.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def check_line_references(reward_list_id: int) -> None:
    """Every line of the list names an existing list, creator and organization: one set-based
    query in place of the per-line key checks the lines table does without (see RewardLine).
    The lines come from joins to those rows in the same transaction, so this never fails unless
    the SQL above is wrong; it raises IntegrityError, undoing the computation, if it does."""
    sql = f"""
SELECT COUNT(*) FROM incentives_rewardline l
WHERE l.reward_list_id = %s
  AND (NOT EXISTS (SELECT 1 FROM incentives_rewardlist r WHERE r.id = l.reward_list_id)
       OR (l.creator_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM {CREATORS} c WHERE c.id = l.creator_id))
       OR (l.organization_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM {ORGANIZATIONS} o
                           WHERE o.id = l.organization_id)))"""  # noqa: S608 - names from our models
    with connection.cursor() as cursor:
        cursor.execute(sql, [reward_list_id])
        missing = cursor.fetchone()[0]
    if missing:
        raise IntegrityError(
            f"{missing} lines of reward list {reward_list_id} name a missing list, creator or "
            "organization"
        )


def compute_lines(reward_list_id: int, cycle: Cycle, version: RuleVersion) -> None:
    """Every line of the cycle, inside the caller's transaction, then the one check of the
    lines' references. On PostgreSQL, for this transaction only: more sort memory (a million
    creators' figures sort in memory) and no JIT compilation (it cost more than it saved: these
    statements run once, and compiling their expressions took ~0.6 s at any size)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY}'")
            cursor.execute("SET LOCAL jit = off")
    insert_creator_lines(reward_list_id, cycle, version)
    insert_organization_lines(reward_list_id, cycle, version)
    check_line_references(reward_list_id)
    if connection.vendor == "postgresql":
        # A million new lines leave the planner's figures for the table far behind until
        # autovacuum catches up (a 500-line page planned for an empty list took 1.4 s). ANALYZE
        # reads a sample of 30,000 rows, whatever the table's size.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE incentives_rewardline")
