"""Benchmark of settling one cycle: `settlement_compute` for 100,000 to 1,000,000 creators.

Run against PostgreSQL (a throw-away database, portal_bench_settlement, is created and dropped):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/settlement_bench.py
    ... --sizes 100000,1000000   (creators per step; organizations are creators / 100)
    ... --quick                  (10,000 and 20,000 creators, for a smoke run)
    ... --explain                (EXPLAIN ANALYZE of the INSERTs at the largest size)

The data of each step is added to the previous one with generate_series INSERTs: approved
organizations of 100 creators each, every creator bound for the whole cycle (some recruited on its
first day, so organizations have introduced creators), METRIC_DAYS metric days per creator in the
cycle (November 2026) with about 1% of the days flagged, then VACUUM ANALYZE. The rules are a
published version with subsidy levels for every creative field, playback, commission, a basic
amount per introduced creator, organization tiers up to 5,000,000 CNY and traffic bands for the
top 1,000.

Every figure comes with the raw baseline measured in the same run on the same rows: one SQL
aggregate of the cycle's metrics per creator (the figures the settlement starts from), counted and
summed so that every group is computed. Both are the best of a few runs; each settlement run is a
first computation (the lines and the list of the previous run are truncated, untimed).
"""

import argparse
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from common import best_of, explaining, ratio, report, timed
from django.db import connection, transaction

CYCLE_START, CYCLE_END = date(2026, 11, 1), date(2026, 12, 1)
METRIC_DAYS = 4  # metric days per creator in the cycle: 4,000,000 metric rows at 1,000,000
CREATORS_PER_ORGANIZATION = 100
# The baselines' tables: the lines table's columns, unlogged without any constraint, and a plain
# (logged) copy with its primary key, unique keys, checks and indexes (no foreign keys).
BASELINE_TABLES = {
    "bench_lines_unlogged": "CREATE UNLOGGED TABLE bench_lines_unlogged "
    "(LIKE incentives_rewardline INCLUDING DEFAULTS INCLUDING IDENTITY)",
    "bench_lines_keyed": "CREATE TABLE bench_lines_keyed (LIKE incentives_rewardline INCLUDING ALL)",
}


def setup_program():
    """An operator, a one-cycle program and its published rules."""
    from incentives.models import OrgTier, SubsidyRule, TrafficBand
    from incentives.services.programs import (
        program_create,
        rule_version_draft,
        rule_version_publish,
    )
    from portal.accounts.models import Role, User
    from portal.core.models import Category

    operator = User.objects.create_user(
        "bench-operator@example.com", "x", role=Role.OPERATOR, full_name="Ops"
    )
    program = program_create(
        actor=operator,
        name="基准测试激励计划",
        starts_on=CYCLE_START,
        ends_on=CYCLE_END,
        cash_budget=Decimal(10_000_000_000),
        traffic_budget=Decimal(1_000_000_000),
    )
    version = rule_version_draft(actor=operator, program=program, effective_from=CYCLE_START)
    version.creator_cap = Decimal(10_000)
    version.playback_rate = Decimal("2.00")
    version.commission_bp = 300
    version.basic_per_introduced = Decimal(200)
    version.traffic_min_original = 3
    version.save()
    levels = [  # level, original videos, valid plays, followers, amount (CNY)
        (1, 2, 10_000, 1_000, 300),
        (2, 4, 100_000, 10_000, 1_500),
        (3, 8, 1_000_000, 100_000, 6_000),
    ]
    SubsidyRule.objects.bulk_create(
        SubsidyRule(
            version=version,
            category=category,
            level=level,
            min_original_videos=videos,
            min_valid_plays=plays,
            min_followers=followers,
            amount=Decimal(amount + 10 * (n % 5)),
        )
        for n, category in enumerate(Category.objects.order_by("id"))
        for level, videos, plays, followers, amount in levels
    )
    OrgTier.objects.bulk_create(
        OrgTier(version=version, level=level, min_introduced=least, amount=Decimal(amount))
        for level, least, amount in [
            (1, 3, 10_000),
            (2, 6, 50_000),
            (3, 10, 200_000),
            (4, 15, 1_000_000),
            (5, 25, 5_000_000),
        ]
    )
    TrafficBand.objects.bulk_create(
        TrafficBand(version=version, rank_from=low, rank_to=high, coupon=Decimal(coupon))
        for low, high, coupon in [(1, 10, 50_000), (11, 100, 10_000), (101, 1000, 2_000)]
    )
    rule_version_publish(actor=operator, version=version)
    return operator, program.cycles.get()


def grow_to(creators: int, operator) -> tuple[int, int, float]:
    """Top the database up to `creators` creators (ids 1..creators) and creators / 100 approved
    organizations with generate_series INSERTs (this is test data, not the code under test).
    Organization o (0-based) holds creators 100o+1..100o+100; of each, 10 to 70 (by o % 5) were
    recruited on the cycle's first day, the others bound earlier in the year."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM creators_creator")
        have = cursor.fetchone()[0]
        cursor.execute("SELECT array_agg(id ORDER BY id) FROM core_category")
        categories = cursor.fetchone()[0]
        first, last = have + 1, creators
        stamp = "2026-10-31 16:00:00+00"
        cursor.execute("SELECT setseed(%s)", [creators / 10_000_000])
        cursor.execute(
            """
INSERT INTO organizations_organization (
  id, legal_name, credit_code, status, status_reason, licence, licence_content_type,
  legal_representative, contact_name, contact_phone, contact_email, declared_roster_size,
  created_by_id, created_at, updated_at, status_changed_at, approved_at)
SELECT o, '机构' || o, '', 'approved', '', '', '', '', '', '', '', %s, %s, %s, %s, %s, %s
FROM generate_series(%s, %s) o""",
            [
                CREATORS_PER_ORGANIZATION,
                operator.pk,
                *[stamp] * 4,
                have // CREATORS_PER_ORGANIZATION + 1,
                creators // CREATORS_PER_ORGANIZATION,
            ],
        )
        cursor.execute(
            """
INSERT INTO creators_creator (
  id, platform_account_id, display_name, primary_category_id, follower_count,
  real_name_verified, stage, avatar, plays_30d, valid_plays_30d, gmv_30d, metrics_through,
  created_at, updated_at)
SELECT n, 'b' || lpad(n::text, 12, '0'), '达人' || n,
       (%s::bigint[])[1 + n %% cardinality(%s::bigint[])],
       floor(exp(random() * 14))::bigint, true, 'none', '', 0, 0, 0, NULL, %s, %s
FROM generate_series(%s, %s) n""",
            [categories, categories, stamp, stamp, first, last],
        )
        cursor.execute(
            """
INSERT INTO creators_binding (
  creator_id, organization_id, source, started_on, ended_on, end_reason, created_by_id,
  created_at)
SELECT n, o + 1,
       CASE WHEN in_cycle OR n %% 3 = 0 THEN 'recruited' ELSE 'transferred' END,
       CASE WHEN in_cycle THEN %s::date ELSE DATE '2026-01-01' + (n %% 300)::int END,
       NULL, '', %s, %s
FROM (SELECT n, (n - 1) / %s AS o, (n - 1) %% %s < 10 + 15 * (((n - 1) / %s) %% 5) AS in_cycle
      FROM generate_series(%s, %s) n) s""",
            [
                CYCLE_START,
                operator.pk,
                stamp,
                *[CREATORS_PER_ORGANIZATION] * 3,
                first,
                last,
            ],
        )
        # Valid plays per day scale with the creator's followers; 0.5% of the days are confirmed
        # abnormal and 0.5% still open (neither counts), 0.5% were reviewed and count.
        cursor.execute(
            """
INSERT INTO creators_dailymetric (
  creator_id, date, plays, valid_plays, counted_valid_plays, new_followers, videos_published,
  original_videos, gmv, orders, commission, flag, flag_baseline, flag_reviewed_by_id,
  flag_review_note, received_at)
SELECT creator_id, day, valid + valid / 5, valid,
       CASE WHEN flag IN ('open', 'confirmed') THEN 0 ELSE valid END,
       valid / 1000, original + (r * 3)::int, original,
       CASE WHEN g < 0.3 THEN round((valid * g / 10)::numeric, 2) ELSE 0 END,
       CASE WHEN g < 0.3 THEN (g * 100)::int ELSE 0 END,
       CASE WHEN g < 0.3 THEN round((valid * g / 200)::numeric, 2) ELSE 0 END,
       flag, CASE WHEN flag <> 'none' THEN valid / 20 END, NULL, '', %s
FROM (
  SELECT creator_id, day, valid, original, r, g,
         CASE WHEN r < 0.005 THEN 'confirmed' WHEN r < 0.01 THEN 'open'
              WHEN r < 0.015 THEN 'dismissed' ELSE 'none' END AS flag
  FROM (
    SELECT c.id AS creator_id, %s::date + (c.id %% 7 + 7 * k)::int AS day,
           (c.follower_count * (0.1 + random() * 0.9))::bigint AS valid,
           floor(random() * 4)::int AS original, random() AS r, random() AS g
    FROM creators_creator c CROSS JOIN generate_series(0, %s) k
    WHERE c.id BETWEEN %s AND %s
  ) raw
) s""",
            [stamp, CYCLE_START, METRIC_DAYS - 1, first, last],
        )
        for table in ("creators_creator", "organizations_organization"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )
        cursor.execute(
            "VACUUM ANALYZE creators_creator, creators_binding, creators_dailymetric, "
            "organizations_organization"
        )
        cursor.execute("SELECT COUNT(*) FROM organizations_organization")
        organizations = cursor.fetchone()[0]
        cursor.execute(
            "SELECT COUNT(*) FROM creators_dailymetric WHERE date >= %s AND date < %s",
            [CYCLE_START, CYCLE_END],
        )
        metric_rows = cursor.fetchone()[0]
    return organizations, metric_rows, time.perf_counter() - started


def raw_aggregate() -> tuple:
    """The baseline: the cycle's figures per creator in one SQL aggregate, every group
    materialized (counted and summed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
SELECT COUNT(*), SUM(videos), SUM(plays), SUM(gmv) FROM (
  SELECT creator_id, SUM(original_videos) AS videos, SUM(counted_valid_plays) AS plays,
         SUM(gmv) AS gmv
  FROM creators_dailymetric WHERE date >= %s AND date < %s GROUP BY creator_id) t""",
            [CYCLE_START, CYCLE_END],
        )
        return cursor.fetchone()


def forget_lists() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE incentives_ledgerentry, incentives_rewardline, incentives_rewardlist CASCADE"
        )


PHASES = ("insert_creator_lines", "insert_organization_lines")


def settle(operator, cycle) -> tuple:
    """settlement_compute, the whole service with its transaction; the time of each of its
    INSERT functions is noted on the way (they are wrapped, not changed)."""
    from incentives.services import computation, settlement

    phases = {}

    def wrap(name):
        original = getattr(computation, name)

        def wrapper(*args, **kwargs):
            elapsed, rows = timed(original, *args, **kwargs)
            phases[name] = (elapsed, rows)
            return rows

        return original, wrapper

    originals = {}
    for name in PHASES:
        originals[name], wrapper = wrap(name)
        setattr(computation, name, wrapper)
    commit = connection.commit

    def timed_commit():
        phases["COMMIT"] = timed(commit)

    connection.commit = timed_commit
    try:
        reward_list = settlement.settlement_compute(actor=operator, cycle=cycle)
    finally:
        del connection.commit
        for name, original in originals.items():
            setattr(computation, name, original)
    return reward_list, phases


def check(reward_list) -> str:
    """The lines add up to the list's totals, and organizations reached tiers."""
    from portal.core.money import to_fen

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COALESCE(SUM(amount), 0), COUNT(*) FILTER (WHERE kind = 'org_tier') "
            "FROM incentives_rewardline WHERE reward_list_id = %s",
            [reward_list.pk],
        )
        lines, total, tiers = cursor.fetchone()
    expected = to_fen(reward_list.cash_total) + to_fen(reward_list.traffic_total)
    assert total == expected, (total, expected)
    assert lines == reward_list.line_count, (lines, reward_list.line_count)
    assert tiers > 0, "no organization reached a tier"
    return f"ok  {tiers:,} org_tier lines, lines sum to cash + traffic totals"


def lines_by_kind(reward_list) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT kind, COUNT(*) FROM incentives_rewardline WHERE reward_list_id = %s "
            "GROUP BY kind ORDER BY kind",
            [reward_list.pk],
        )
        return ", ".join(f"{kind} {count:,}" for kind, count in cursor.fetchall())


class RewritingCursor:
    """A cursor that writes the lines' INSERTs into another table; every other statement runs
    as it is."""

    def __init__(self, cursor, table: str):
        self.cursor, self.table = cursor, table

    def __getattr__(self, name):
        return getattr(self.cursor, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cursor.close()

    def execute(self, sql, params=None):
        sql = sql.replace("INSERT INTO incentives_rewardline ", f"INSERT INTO {self.table} ")
        return self.cursor.execute(sql, params)


def baseline_lines(cycle, table: str) -> int:
    """The baseline: the service's own INSERT ... SELECT statements (the same aggregate, joins
    and lines) writing into `table`, in one committed transaction; nothing else."""
    from incentives.models import RewardList
    from incentives.selectors import rule_version_in_force
    from incentives.services import computation

    version = rule_version_in_force(cycle.program, cycle.starts_on)
    reward_list_id = RewardList.objects.filter(cycle=cycle).values_list("pk", flat=True).first()
    cursor = connection.cursor
    with transaction.atomic():
        connection.cursor = lambda: RewritingCursor(cursor(), table)
        try:
            computation.compute_lines(reward_list_id or 0, cycle, version)
        finally:
            del connection.cursor
    with connection.cursor() as counting:
        counting.execute(f"SELECT COUNT(*) FROM {table}")
        return counting.fetchone()[0]


def truncate(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}")


def bench_size(operator, cycle, creators: int) -> tuple[float, float]:
    from incentives.models import RewardList

    organizations, metric_rows, load = grow_to(creators, operator)
    repeat = 3 if creators < 1_000_000 else 2
    report(
        f"data at {creators:,} creators (generate_series, VACUUM ANALYZE)",
        f"{load:7.2f} s  {organizations:,} organizations, {metric_rows:,} metric rows",
    )
    base, (groups, _videos, _plays, _gmv), _last = best_of(repeat, raw_aggregate)
    assert groups == creators, (groups, creators)
    ours, (_best, phases), (last, _phases) = best_of(
        repeat, lambda: settle(operator, cycle), before=forget_lists
    )
    reward_list = RewardList.objects.get(pk=last.pk)  # the lines of the last run are kept
    report(
        f"settlement_compute at {creators:,} creators (best of {repeat})",
        f"{ours:7.2f} s  {reward_list.line_count:,} lines written",
    )
    spent = 0.0
    for name in PHASES:
        elapsed, rows = phases[name]
        spent += elapsed
        report(f"  {name}", f"{elapsed:7.2f} s  {elapsed / ours:4.0%}  {rows:,} rows")
    elapsed = phases["COMMIT"][0]
    spent += elapsed
    report("  COMMIT", f"{elapsed:7.2f} s  {elapsed / ours:4.0%}")
    report(
        "  the rest (lock, list, delete, totals, check, save, audit)",
        f"{ours - spent:7.2f} s  {(ours - spent) / ours:4.0%}",
    )
    report(f"  lines by kind at {creators:,} creators", lines_by_kind(reward_list))
    report(
        f"raw SQL aggregate of the same metrics (best of {repeat})",
        f"{base:7.2f} s  ratio {ours / base:6.1f}x",
    )
    with connection.cursor() as cursor:
        for table, create in BASELINE_TABLES.items():
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(create)
    baselines = {}
    for table in BASELINE_TABLES:
        baselines[table], lines, _last = best_of(
            repeat, lambda t=table: baseline_lines(cycle, t), before=lambda t=table: truncate(t)
        )
        assert lines == reward_list.line_count, (table, lines, reward_list.line_count)
    ratio(
        f"settlement, {creators:,} creators, vs INSERT ... SELECT into an unlogged table",
        ours,
        baselines["bench_lines_unlogged"],
        goal=3,
    )
    ratio(
        f"settlement, {creators:,} creators, vs INSERT ... SELECT into a keyed copy",
        ours,
        baselines["bench_lines_keyed"],
    )
    with connection.cursor() as cursor:
        for table in BASELINE_TABLES:
            cursor.execute(f"DROP TABLE {table}")
    report(f"check at {creators:,} creators", check(reward_list))
    return ours, base


def explain(cycle) -> None:
    """EXPLAIN ANALYZE of the service's INSERTs, in order, in a rolled-back transaction; the
    deferred checks run at once, so that each plan ends with its lines' checks."""
    from incentives.models import RewardList
    from incentives.selectors import rule_version_in_force
    from incentives.services import computation

    forget_lists()
    version = rule_version_in_force(cycle.program, cycle.starts_on)
    with transaction.atomic():
        reward_list = RewardList.objects.create(cycle=cycle, rule_version=version)
        with connection.cursor() as immediate:
            immediate.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with explaining("INSERT INTO incentives_rewardline"):
            print("  EXPLAIN (ANALYZE, BUFFERS) of compute_lines", flush=True)
            computation.compute_lines(reward_list.pk, cycle, version)
        transaction.set_rollback(True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--sizes",
        default="100000,1000000",
        help="creators per step, ascending (organizations are creators / 100)",
    )
    parser.add_argument("--quick", action="store_true", help="10,000 and 20,000 creators")
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE the INSERTs at the largest size"
    )
    args = parser.parse_args()
    sizes = (
        [10_000, 20_000] if args.quick else [int(size) for size in args.sizes.split(",") if size]
    )
    if sizes != sorted(sizes) or any(size % CREATORS_PER_ORGANIZATION for size in sizes):
        sys.exit(f"--sizes: ascending multiples of {CREATORS_PER_ORGANIZATION}")
    with common.bench_database("settlement"):
        server = common.server_settings()
        operator, cycle = setup_program()
        print(
            f"Settlement of one cycle ({CYCLE_START:%B %Y}, {METRIC_DAYS} metric days per creator, "
            f"~1% of the days flagged; {server})"
        )
        timings = {}
        for size in sizes:
            timings[size] = bench_size(operator, cycle, size)
        if len(sizes) > 1:
            small, large = sizes[0], sizes[-1]
            print("Growth")
            report(
                f"settlement {small:,} -> {large:,} creators",
                f"x{timings[large][0] / timings[small][0]:6.2f}  for x{large / small:5.1f} the data",
            )
            report(
                f"raw SQL aggregate {small:,} -> {large:,} creators",
                f"x{timings[large][1] / timings[small][1]:6.2f}  for x{large / small:5.1f} the data",
            )
        if args.explain:
            print(f"Plans at {sizes[-1]:,} creators")
            explain(cycle)
    common.print_results()


if __name__ == "__main__":
    main()
