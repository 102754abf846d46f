"""Benchmark of the nightly risk signals: `risk_signals_compute` (every signal's statement over
whole tables, the cases opened or updated, the entries linked and held, the audit) at 100,000
creators, then 1,000,000 (the issue's size) with `--sizes 100000,1000000`.

Run against PostgreSQL (a throw-away database, <DATABASE_URL's>_bench_risk, is created and
dropped):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/risk_bench.py
    ... --sizes 100000,1000000   (creators per step, ascending)
    ... --quick                  (20,000 and 100,000)

The data of each step is added to the previous one with generate_series INSERTs: one organization
per 100 creators; each creator bound (a tenth transferred twice within the month, a third
recruited in the month); identity hashes for every creator, 1% sharing an identity with another
account; ten metric days each (0.5% flagged abnormal); linked orders for 0.5% of creators; a
dispute for 0.2%; then VACUUM ANALYZE.

The raw baseline, measured in the same run on the same rows: the same joins and aggregates as
plain SELECTs (shared hash groups, distinct claimant organizations, transfers, linked orders,
flagged days, failing introductions per organization), each subject's current organization
joined, every row fetched; no evidence lists, no cases written. Ours opens the cases the first
time, and the measured runs (best of --repeat) update them, as every night after the first does.
"""

import argparse
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: F401 - sets Django up
from common import bench_database, best_of, ratio, report, timed
from django.db import connection, transaction

TODAY = date(2026, 11, 30)
MONTH = date(2026, 11, 1)
STAMP = "2026-11-01 04:00:00+00"

BASELINE = [
    # one identity behind several accounts
    """
WITH h AS (
  SELECT creator_id, 'i' AS k, identity AS v FROM risk_identityhash WHERE identity <> ''
  UNION ALL SELECT creator_id, 'p', phone FROM risk_identityhash WHERE phone <> ''
  UNION ALL SELECT creator_id, 'a', account FROM risk_identityhash WHERE account <> ''
), g AS (SELECT k, v FROM h GROUP BY k, v HAVING count(*) >= 2)
SELECT h.creator_id, b.organization_id, count(*) FROM g JOIN h USING (k, v)
LEFT JOIN creators_binding b ON b.creator_id = h.creator_id AND b.ended_on IS NULL
GROUP BY h.creator_id, b.organization_id""",
    # claimed by several organizations
    """
WITH c AS (
  SELECT creator_id, organization_id FROM creators_binding
  WHERE started_on BETWEEN %(since)s AND %(today)s
  UNION ALL SELECT creator_id, claimant_id FROM creators_dispute
  WHERE (created_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN %(since)s AND %(today)s
  UNION ALL SELECT creator_id, holder_id FROM creators_dispute
  WHERE (created_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN %(since)s AND %(today)s
), f AS (SELECT creator_id FROM c GROUP BY creator_id HAVING count(DISTINCT organization_id) >= 3)
SELECT f.creator_id, b.organization_id FROM f
LEFT JOIN creators_binding b ON b.creator_id = f.creator_id AND b.ended_on IS NULL""",
    # rapid transfers
    """
SELECT t.creator_id, b.organization_id, t.n FROM (
  SELECT creator_id, count(*) AS n FROM creators_binding
  WHERE source = 'transferred' AND started_on BETWEEN %(since)s AND %(today)s
  GROUP BY creator_id HAVING count(*) >= 2) t
LEFT JOIN creators_binding b ON b.creator_id = t.creator_id AND b.ended_on IS NULL""",
    # self-dealing
    """
SELECT t.creator_id, b.organization_id, t.n FROM (
  SELECT creator_id, sum(orders) AS n FROM risk_linkedorders
  WHERE day BETWEEN %(since)s AND %(today)s GROUP BY creator_id HAVING sum(orders) >= 5) t
LEFT JOIN creators_binding b ON b.creator_id = t.creator_id AND b.ended_on IS NULL""",
    # play anomalies
    """
SELECT t.creator_id, b.organization_id, t.n FROM (
  SELECT creator_id, count(*) AS n FROM creators_dailymetric
  WHERE flag IN ('open', 'confirmed') AND date BETWEEN %(since)s AND %(today)s
  GROUP BY creator_id HAVING count(*) >= 3) t
LEFT JOIN creators_binding b ON b.creator_id = t.creator_id AND b.ended_on IS NULL""",
    # failing introductions per organization
    """
WITH e AS (
  SELECT id, creator_id, organization_id, started_on FROM creators_binding
  WHERE source = 'recruited' AND started_on BETWEEN %(since)s AND %(last_start)s
), p AS (
  SELECT e.id, sum(m.counted_valid_plays) AS n FROM e JOIN creators_dailymetric m
    ON m.creator_id = e.creator_id AND m.date >= e.started_on AND m.date < e.started_on + %(days)s
  WHERE m.date >= %(since)s AND m.date < %(today)s GROUP BY e.id
), v AS (
  SELECT e.id, sum(d.original_videos) AS n FROM e JOIN content_creatorday d
    ON d.creator_id = e.creator_id AND d.date >= e.started_on AND d.date < e.started_on + %(days)s
  WHERE d.date >= %(since)s AND d.date < %(today)s GROUP BY e.id
)
SELECT e.organization_id, count(*) FROM e LEFT JOIN p ON p.id = e.id LEFT JOIN v ON v.id = e.id
WHERE coalesce(p.n, 0) < %(plays)s OR coalesce(v.n, 0) < %(videos)s
GROUP BY e.organization_id HAVING count(*) >= 5""",
]


def operator_user():
    from portal.accounts.models import Role, User

    return User.objects.create_user(
        "bench-risk@example.com", "x", role=Role.OPERATOR, full_name="Ops"
    )


def grow_to(creators: int, operator) -> None:
    """Top the database up to `creators` (test data, not the code under test)."""
    organizations = max(creators // 100, 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM organizations_organization")
        first_org = cursor.fetchone()[0] + 1
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM creators_creator")
        first = cursor.fetchone()[0] + 1
        cursor.execute("SELECT MIN(id) FROM core_category")
        category = cursor.fetchone()[0]
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            """
INSERT INTO organizations_organization (id, legal_name, credit_code, status, status_reason,
  legal_representative, contact_name, contact_phone, contact_email, declared_roster_size,
  created_at, updated_at, created_by_id, licence, licence_content_type, main_category_id)
SELECT n, '机构' || n, 'R' || lpad(n::text, 17, '0'), 'approved', '', '张', '李', '13800138000',
       'r' || n || '@example.com', 100, %s, %s, %s, '', '', %s
FROM generate_series(%s, %s) n""",
            [STAMP, STAMP, operator.pk, category, first_org, organizations],
        )
        cursor.execute(
            """
INSERT INTO creators_creator (id, platform_account_id, display_name, primary_category_id,
  follower_count, real_name_verified, stage, avatar, plays_30d, valid_plays_30d, gmv_30d,
  created_at, updated_at)
SELECT n, 'r' || lpad(n::text, 12, '0'), '达人' || n, %s, 1000, true, 'none', '', 0, 0, 0, %s, %s
FROM generate_series(%s, %s) n""",
            [category, STAMP, STAMP, first, creators],
        )
        # Everyone bound since before the month; a tenth moved twice in the month (A -> B -> A),
        # a third recruited in the month.
        cursor.execute(
            """
INSERT INTO creators_binding (creator_id, organization_id, source, started_on, ended_on,
  end_reason, created_at, created_by_id)
SELECT n, 1 + (n::bigint * 7919) %% %(orgs)s,
       CASE WHEN n %% 3 = 0 AND n %% 10 <> 1 THEN 'recruited' ELSE 'transferred' END,
       CASE WHEN n %% 3 = 0 AND n %% 10 <> 1 THEN DATE %(month)s - 30 + (n %% 20)
            ELSE DATE %(month)s - 1 - (n %% 90) END,
       CASE WHEN n %% 10 = 1 THEN DATE %(month)s + 5 END, '', %(stamp)s::timestamptz, %(op)s
FROM generate_series(%(first)s, %(last)s) n
UNION ALL
SELECT n, 1 + (n::bigint * 7919 + 1) %% %(orgs)s, 'transferred', DATE %(month)s + 5,
       DATE %(month)s + 12, '', %(stamp)s::timestamptz, %(op)s
FROM generate_series(%(first)s, %(last)s) n WHERE n %% 10 = 1
UNION ALL
SELECT n, 1 + (n::bigint * 7919) %% %(orgs)s, 'transferred', DATE %(month)s + 12, NULL, '',
       %(stamp)s::timestamptz, %(op)s
FROM generate_series(%(first)s, %(last)s) n WHERE n %% 10 = 1""",
            {
                "orgs": organizations,
                "month": MONTH,
                "stamp": STAMP,
                "op": operator.pk,
                "first": first,
                "last": creators,
            },
        )
        cursor.execute(
            """
INSERT INTO risk_identityhash (creator_id, identity, phone, account, received_at)
SELECT n, md5('id' || k) || md5('x' || k),
       md5('ph' || n) || md5('y' || n), '', %s
FROM generate_series(%s, %s) n, LATERAL (SELECT CASE WHEN n %% 100 = 7 THEN n - 1 ELSE n END
  AS k) x""",
            [STAMP, first, creators],
        )
        cursor.execute(
            """
INSERT INTO creators_dailymetric (creator_id, date, plays, valid_plays, counted_valid_plays,
  new_followers, videos_published, original_videos, gmv, orders, interactions, commission, flag,
  flag_review_note, received_at)
SELECT c, DATE %s - 30 + d * 6, p, p, CASE WHEN f THEN 0 ELSE p END, 0, 1, c %% 2, 0, 0, 0, 0,
       CASE WHEN f THEN 'confirmed' ELSE 'none' END, '', %s
FROM generate_series(%s, %s) c, generate_series(0, 9) d,
     LATERAL (SELECT (c * 37 + d * 101) %% 40000 AS p, (c %% 200 = 3) AS f) x""",
            [MONTH, STAMP, first, creators],
        )
        cursor.execute(
            """
INSERT INTO risk_linkedorders (creator_id, day, orders, gmv, received_at)
SELECT n, DATE %s + d, 2, 3980, %s FROM generate_series(%s, %s) n, generate_series(1, 3) d
WHERE n %% 200 = 11""",
            [MONTH, STAMP, first, creators],
        )
        cursor.execute(
            """
INSERT INTO creators_dispute (creator_id, holder_id, claimant_id, claimed_source, statement,
  status, opened_by_id, created_at, resolution)
SELECT n, 1 + (n::bigint * 7919) %% %s, 1 + (n::bigint * 7919 + 2) %% %s, 'recruited', '争议',
       'kept', %s, %s, '' FROM generate_series(%s, %s) n WHERE n %% 500 = 1""",
            [organizations, organizations, operator.pk, "2026-11-20 04:00:00+00", first, creators],
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        for table in (
            "organizations_organization",
            "creators_creator",
            "creators_binding",
            "risk_identityhash",
            "creators_dailymetric",
            "risk_linkedorders",
            "creators_dispute",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")


def compute():
    from risk.services.compute import risk_signals_compute

    return risk_signals_compute(today=TODAY)


def baseline():
    from creators.models import QualificationRule

    rule = QualificationRule.objects.in_force(TODAY)
    params = {
        "today": TODAY,
        "since": date(2026, 10, 2),
        "days": rule.window_days,
        "last_start": TODAY.fromordinal(TODAY.toordinal() - rule.window_days),
        "plays": rule.min_valid_plays,
        "videos": rule.min_original_videos,
    }
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in BASELINE:
            cursor.execute(statement, params)
            rows += len(cursor.fetchall())
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [20000, 100000] if args.quick else [int(s) for s in args.sizes.split(",")]
    with bench_database("risk"):
        from creators.models import QualificationRule
        from risk.models import RiskRule

        QualificationRule.objects.update(valid_from=date(2020, 1, 1))
        RiskRule.objects.update(window_days=60)
        operator = operator_user()
        previous = None
        for creators in sizes:
            print(f"{creators:,} creators:", flush=True)
            loaded, _ = timed(grow_to, creators, operator)
            report("data generated (not the code under test)", f"{loaded:.1f} s")
            first, summary = timed(compute)
            opened = sum(s["opened"] for s in summary.values())
            report("first run (opens the cases)", f"{first:.2f} s, {opened:,} cases opened")
            elapsed, _result, _last = best_of(args.repeat, compute)
            raw, _rows, _last = best_of(args.repeat, baseline)
            report("nightly run (updates the open cases)", f"{elapsed:.2f} s")
            report("raw SQL of the same joins and aggregates", f"{raw:.2f} s")
            ratio(f"risk signals, {creators:,} creators", elapsed, raw)
            if previous is not None:
                report(
                    "growth from the previous step (time / creators)",
                    f"{elapsed / previous[0]:.1f}x for {creators / previous[1]:.0f}x creators",
                )
            previous = (elapsed, creators)


if __name__ == "__main__":
    main()
