"""Benchmark of the monthly health scorecard: `scorecards_compute` for one month over 1,000
organizations and 100,000 creators, then 10,000 organizations and 1,000,000 creators (the issue's
size), with METRIC_DAYS metric days per creator in the month.

Run against PostgreSQL (a throw-away database, <database>_bench_growth, is created and dropped):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/growth_bench.py
    ... --sizes 1000:100000,10000:1000000   (organizations:creators per step, ascending)
    ... --quick                             (200:20000 and 1000:100000, for a smoke run)

The data of each step is added to the previous one with generate_series INSERTs: approved
organizations, creators each bound to one of them (a third recruited in the month, a tenth of the
bindings ended in the month), METRIC_DAYS metric days per creator in the month (videos, originals,
valid plays; 0.3% of the days confirmed abnormal), and three coaching action items per organization,
half done on time; then VACUUM ANALYZE.

The raw baseline, measured in the same run on the same rows: one SQL SELECT of the same aggregates
per organization (creators, roster at both ends, recruited, videos and originals on held days,
active creators, confirmed abnormal days, copies, action items due and on time, and the recruits
qualified within their window, as plain joins) with the six percentile ranks, every row fetched.
Both are the best of a few runs.
"""

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from common import ratio
from django.db import connection, transaction

MONTH, NEXT = date(2026, 11, 1), date(2026, 12, 1)
AS_OF = date(2026, 12, 2)
METRIC_DAYS = 8
STAMP = "2026-11-01 04:00:00+00"

BASELINE = """
WITH held AS (
  SELECT b.organization_id, b.creator_id, b.started_on, b.ended_on, b.source
  FROM creators_binding b JOIN organizations_organization o ON o.id = b.organization_id
  WHERE o.status = 'approved' AND b.started_on < %(end)s
    AND (b.ended_on IS NULL OR b.ended_on > %(start)s)
),
roster AS (
  SELECT organization_id, COUNT(DISTINCT creator_id) AS creators,
    COUNT(DISTINCT creator_id) FILTER (WHERE started_on <= %(start)s
      AND (ended_on IS NULL OR ended_on > %(start)s)) AS roster_start,
    COUNT(DISTINCT creator_id) FILTER (WHERE started_on <= %(last)s
      AND (ended_on IS NULL OR ended_on > %(last)s)) AS roster_end,
    COUNT(*) FILTER (WHERE source = 'recruited' AND started_on >= %(start)s) AS recruited
  FROM held GROUP BY organization_id
),
days AS (
  SELECT h.organization_id, COALESCE(SUM(m.videos_published), 0) AS videos,
    COALESCE(SUM(m.original_videos), 0) AS originals,
    COUNT(DISTINCT m.creator_id) FILTER (WHERE m.videos_published > 0) AS active,
    COUNT(*) FILTER (WHERE m.flag = 'confirmed') AS flags
  FROM creators_dailymetric m JOIN held h ON h.creator_id = m.creator_id
    AND h.started_on <= m.date AND (h.ended_on IS NULL OR h.ended_on > m.date)
  WHERE m.date >= %(start)s AND m.date < %(end)s GROUP BY h.organization_id
),
copies AS (
  SELECT organization_id, COUNT(*) AS n FROM content_video
  WHERE published_on >= %(start)s AND published_on < %(end)s AND originality = 'copy'
  GROUP BY organization_id
),
qualified AS (
  SELECT w.organization_id, COUNT(*) AS n FROM (
    SELECT h.organization_id, h.creator_id FROM held h
    JOIN creators_dailymetric m ON m.creator_id = h.creator_id AND m.date >= h.started_on
      AND m.date < h.started_on + %(window)s
    WHERE h.source = 'recruited' AND h.started_on >= %(start)s
    GROUP BY h.organization_id, h.creator_id
    HAVING SUM(m.original_videos) >= %(videos)s AND SUM(m.counted_valid_plays) >= %(plays)s
  ) w GROUP BY w.organization_id
),
items AS (
  SELECT organization_id, COUNT(*) AS due,
    COUNT(*) FILTER (WHERE status = 'done'
      AND CAST((done_at AT TIME ZONE 'Asia/Shanghai') AS DATE) <= due_on) AS on_time
  FROM organizations_actionitem
  WHERE owner = 'organization' AND due_on >= %(start)s AND due_on < %(end)s
  GROUP BY organization_id
),
f AS (
  SELECT o.id,
    CASE WHEN COALESCE(d.videos, 0) > 0 THEN d.originals::float / d.videos ELSE 0 END AS a,
    CASE WHEN COALESCE(r.creators, 0) > 0 THEN COALESCE(d.active, 0)::float / r.creators
      ELSE 0 END AS b,
    CASE WHEN COALESCE(r.recruited, 0) > 0 THEN COALESCE(q.n, 0)::float / r.recruited
      ELSE 0 END AS c,
    (COALESCE(d.flags, 0) + COALESCE(c.n, 0))::float / GREATEST(COALESCE(r.creators, 0), 1) AS v,
    CASE WHEN COALESCE(i.due, 0) > 0 THEN i.on_time::float / i.due ELSE 1 END AS t,
    (COALESCE(r.roster_end, 0) - COALESCE(r.roster_start, 0))::float
      / GREATEST(COALESCE(r.roster_start, 0), 1) AS g
  FROM organizations_organization o
  LEFT JOIN roster r ON r.organization_id = o.id LEFT JOIN days d ON d.organization_id = o.id
  LEFT JOIN copies c ON c.organization_id = o.id LEFT JOIN qualified q ON q.organization_id = o.id
  LEFT JOIN items i ON i.organization_id = o.id
  WHERE o.status = 'approved'
)
SELECT id, PERCENT_RANK() OVER (ORDER BY a), PERCENT_RANK() OVER (ORDER BY b),
  PERCENT_RANK() OVER (ORDER BY c), PERCENT_RANK() OVER (ORDER BY v DESC),
  PERCENT_RANK() OVER (ORDER BY t), PERCENT_RANK() OVER (ORDER BY g)
FROM f
"""


def report(label: str, value: str) -> None:
    print(f"  {label:62} {value}", flush=True)


def best_of(repeat: int, function):
    best = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
        if best is None or elapsed < best[0]:
            best = (elapsed, result)
    return best


def setup_people():
    from portal.accounts.models import Role, User

    operator = User.objects.create_user(
        "bench-operator@example.com", "x", role=Role.OPERATOR, full_name="Ops"
    )
    manager = User.objects.create_user(
        "bench-manager@example.com", "x", role=Role.MANAGER, full_name="Mgr"
    )
    return operator, manager


def grow_to(organizations: int, creators: int, operator, manager) -> float:
    """Top the database up to `organizations` and `creators` (test data, not the code under
    test: generate_series INSERTs)."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM organizations_organization")
        first_org = cursor.fetchone()[0] + 1
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM creators_creator")
        first_creator = cursor.fetchone()[0] + 1
        cursor.execute("SELECT MIN(id) FROM core_category")
        category = cursor.fetchone()[0]
        cursor.execute("SELECT setseed(%s)", [creators / 10_000_000])
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            """
INSERT INTO organizations_organization (id, legal_name, credit_code, status, status_reason,
  legal_representative, contact_name, contact_phone, contact_email, declared_roster_size,
  created_at, updated_at, created_by_id, licence, licence_content_type, main_category_id)
SELECT n, '机构' || n, 'B' || lpad(n::text, 17, '0'), 'approved', '', '张', '李', '13800138000',
       'o' || n || '@example.com', 100, %s, %s, %s, '', '', %s
FROM generate_series(%s, %s) n""",
            [STAMP, STAMP, operator.pk, category, first_org, organizations],
        )
        cursor.execute(
            """
INSERT INTO creators_creator (id, platform_account_id, display_name, primary_category_id,
  follower_count, real_name_verified, stage, avatar, plays_30d, valid_plays_30d, gmv_30d,
  created_at, updated_at)
SELECT n, 'g' || lpad(n::text, 12, '0'), '达人' || n, %s, 1000, true, 'none', '', 0, 0, 0, %s, %s
FROM generate_series(%s, %s) n""",
            [category, STAMP, STAMP, first_creator, creators],
        )
        cursor.execute(
            """
INSERT INTO creators_binding (creator_id, organization_id, source, started_on, ended_on,
  end_reason, created_at, created_by_id)
SELECT n, 1 + (n::bigint * 7919) %% %s,
       CASE WHEN n %% 3 = 0 THEN 'recruited' ELSE 'transferred' END,
       CASE WHEN n %% 3 = 0 THEN DATE %s + (n %% 28) ELSE DATE %s - 1 - (n %% 120) END,
       CASE WHEN n %% 10 = 1 AND n %% 3 <> 0 THEN DATE %s + 14 END, '', %s, %s
FROM generate_series(%s, %s) n""",
            [organizations, MONTH, MONTH, MONTH, STAMP, operator.pk, first_creator, creators],
        )
        cursor.execute(
            """
INSERT INTO creators_dailymetric (creator_id, date, plays, valid_plays, counted_valid_plays,
  new_followers, videos_published, original_videos, gmv, orders, interactions, commission, flag,
  flag_review_note, received_at)
SELECT c, DATE %s + ((c + d * 3) %% 30), p, p, CASE WHEN f THEN 0 ELSE p END, 0, v, v - (v / 2 * (c %% 2)),
       0, 0, 0, 0, CASE WHEN f THEN 'confirmed' ELSE 'none' END, '', %s
FROM generate_series(%s, %s) c, generate_series(0, %s) d,
     LATERAL (SELECT floor(random() * 40000)::bigint AS p, floor(random() * 3)::int AS v,
                     random() < 0.003 AS f) x""",
            [MONTH, STAMP, first_creator, creators, METRIC_DAYS - 1],
        )
        cursor.execute(
            """
INSERT INTO organizations_coachingsession (scheduled_at, duration_minutes, channel, agenda,
  attendees, notes, status, created_at, updated_at, manager_id, organization_id)
SELECT %s, 60, 'video', '复盘', '', '', 'done', %s, %s, %s, n FROM generate_series(%s, %s) n""",
            [STAMP, STAMP, STAMP, manager.pk, first_org, organizations],
        )
        cursor.execute(
            """
INSERT INTO organizations_actionitem (title, owner, due_on, status, done_at, comment,
  created_at, organization_id, session_id)
SELECT '待办', 'organization', DATE %s + 5 + k * 7, CASE WHEN (s.organization_id + k) %% 2 = 0
       THEN 'done' ELSE 'open' END,
       CASE WHEN (s.organization_id + k) %% 2 = 0 THEN TIMESTAMPTZ %s + (k * 7) * INTERVAL '1 day'
       END, '', %s, s.organization_id, s.id
FROM organizations_coachingsession s, generate_series(0, 2) k WHERE s.organization_id >= %s""",
            [MONTH, STAMP, STAMP, first_org],
        )
        cursor.execute("SET session_replication_role = DEFAULT")
    with connection.cursor() as cursor:
        for table in (
            "organizations_organization",
            "creators_creator",
            "creators_binding",
            "creators_dailymetric",
            "organizations_actionitem",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


def compute():
    from growth.services.scorecard import scorecards_compute

    return scorecards_compute(month=MONTH, as_of=AS_OF)["scored"]


def baseline():
    from creators.models import QualificationRule

    rule = QualificationRule.objects.in_force(MONTH)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(
            BASELINE,
            {
                "start": MONTH,
                "end": NEXT,
                "last": date(2026, 11, 30),
                "window": rule.window_days,
                "videos": rule.min_original_videos,
                "plays": rule.min_valid_plays,
            },
        )
        return len(cursor.fetchall())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000:100000,10000:1000000")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = "200:20000,1000:100000" if args.quick else args.sizes
    steps = [tuple(int(x) for x in step.split(":")) for step in sizes.split(",")]
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL=postgres://... (the benchmark needs PostgreSQL).")
    with common.bench_database("growth"):  # DEBUG off: the code is measured, not the query log
        operator, manager = setup_people()
        previous = None
        for organizations, creators in steps:
            print(f"{organizations:,} organizations, {creators:,} creators:", flush=True)
            loaded = grow_to(organizations, creators, operator, manager)
            report("data generated (not the code under test)", f"{loaded:.1f} s")
            elapsed, scored = best_of(args.repeat, compute)
            raw, rows = best_of(args.repeat, baseline)
            assert scored == rows == organizations, (scored, rows, organizations)
            report("scorecards_compute (insert, levels, audit)", f"{elapsed:.2f} s")
            report("raw SQL of the same aggregates and ranks", f"{raw:.2f} s")
            ratio(
                f"growth scorecards, {organizations:,} orgs / {creators:,} creators", elapsed, raw
            )
            if previous is not None:
                report(
                    "growth from the previous step (time / creators)",
                    f"{elapsed / previous[0]:.1f}x for {creators / previous[1]:.0f}x creators",
                )
            previous = (elapsed, creators)


if __name__ == "__main__":
    main()
