"""Benchmark of the nightly scoring: `scores_compute` for one day over a reserve pool of 10,000 and
100,000 creators with 90 days of metrics each (9,000,000 metric rows at 100,000).

Run against PostgreSQL (a throw-away database, <database>_bench_incubation, is created and dropped):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/incubation_bench.py
    ... --sizes 10000,100000   (pool members per step, ascending)
    ... --quick                (2,000 and 10,000 members, for a smoke run)
    ... --explain              (EXPLAIN ANALYZE of the scoring statements at the largest size)

The data of each step is added to the previous one with generate_series INSERTs: creators in every
creative field, each a pool member (1% exited, so not scored; the others reserve, incubating or
top 100), METRIC_DAYS metric days per creator ending on the scored day, with plays scaled by the
creator's followers, about 0.2% of the days still flagged open (those members are held out) and
0.3% confirmed abnormal, GMV on 30% of the days; then VACUUM ANALYZE. The weights are the model's
defaults (six components, a 28-day window), published.

Every figure comes with the raw baseline measured in the same run on the same rows: one SQL SELECT
that aggregates the metric days the scoring reads (the window and the window before it) per
creator and ranks the creators with RANK(), every row materialized (counted). Both are the best of
a few runs; each scoring run is a first computation of the day (the day's snapshots of the previous
run are deleted, untimed), and a recomputation that replaces them is timed as well.
"""

import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from common import best_of, explaining, ratio, report, timed
from django.db import connection, transaction

DAY = date(2026, 11, 28)  # the scored day, the last metric day
METRIC_DAYS = 90


def setup_weights():
    """An operator and the default weights, published (in force from January)."""
    from incubation.services import weights_draft, weights_publish
    from portal.accounts.models import Role, User

    operator = User.objects.create_user(
        "bench-operator@example.com", "x", role=Role.OPERATOR, full_name="Ops"
    )
    weights = weights_draft(actor=operator, effective_from=date(2026, 1, 1))
    return operator, weights_publish(actor=operator, weights=weights)


def grow_to(members: int) -> tuple[int, float]:
    """Top the database up to `members` creators (ids 1..members), all in the pool, with
    METRIC_DAYS metric days each (generate_series; this is test data, not the code under test)."""
    started = time.perf_counter()
    first_day = DAY - timedelta(days=METRIC_DAYS - 1)
    stamp = "2026-11-28 16:00:00+00"
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM creators_creator")
        first = cursor.fetchone()[0] + 1
        cursor.execute("SELECT array_agg(id ORDER BY id) FROM core_category")
        categories = cursor.fetchone()[0]
        cursor.execute("SELECT setseed(%s)", [members / 10_000_000])
        # Bulk load of generated rows that are consistent by construction: no foreign key triggers
        # (this session only), and the metrics' secondary indexes built once afterwards instead of
        # row by row (the same definitions, read from the catalogue).
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            """
SELECT 'ALTER TABLE creators_dailymetric DROP CONSTRAINT ' || conname,
       'ALTER TABLE creators_dailymetric ADD CONSTRAINT ' || conname || ' '
         || pg_get_constraintdef(oid)
FROM pg_constraint WHERE conrelid = 'creators_dailymetric'::regclass AND contype = 'u'
UNION ALL
SELECT 'DROP INDEX ' || i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i WHERE i.indrelid = 'creators_dailymetric'::regclass AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"""
        )
        indexes = cursor.fetchall()
        for drop, _create in indexes:
            cursor.execute(drop)
        cursor.execute(
            """
INSERT INTO creators_creator (
  id, platform_account_id, display_name, primary_category_id, follower_count,
  real_name_verified, stage, avatar, plays_30d, valid_plays_30d, gmv_30d, metrics_through,
  created_at, updated_at)
SELECT n, 'i' || lpad(n::text, 12, '0'), '达人' || n,
       (%s::bigint[])[1 + n %% cardinality(%s::bigint[])],
       floor(exp(random() * 14))::bigint, true, 'reserve', '', 0, 0, 0, NULL, %s, %s
FROM generate_series(%s, %s) n""",
            [categories, categories, stamp, stamp, first, members],
        )
        cursor.execute(
            """
INSERT INTO incubation_poolmember (
  creator_id, stage, source, nomination_id, entry_rule_id, entered_at, stage_changed_at)
SELECT n, CASE WHEN n %% 100 = 0 THEN 'exited' WHEN n %% 10 = 1 THEN 'incubating'
               WHEN n %% 50 = 7 THEN 'top_100' ELSE 'reserve' END,
       'nomination', NULL, NULL, %s, %s
FROM generate_series(%s, %s) n""",
            [stamp, stamp, first, members],
        )
        cursor.execute(
            """
INSERT INTO creators_dailymetric (
  creator_id, date, plays, valid_plays, counted_valid_plays, new_followers, videos_published,
  original_videos, gmv, orders, interactions, commission, flag, flag_baseline,
  flag_reviewed_by_id, flag_review_note, received_at)
SELECT creator_id, day, valid + valid / 5, valid,
       CASE WHEN flag IN ('open', 'confirmed') THEN 0 ELSE valid END,
       (valid / 1000)::bigint - 3, original + (r * 3)::int, original,
       CASE WHEN g < 0.3 THEN round((valid * g / 10)::numeric, 2) ELSE 0 END,
       CASE WHEN g < 0.3 THEN (g * 100)::int ELSE 0 END,
       (valid * g / 20)::bigint, 0,
       flag, CASE WHEN flag <> 'none' THEN valid / 20 END, NULL, '', %s
FROM (
  SELECT creator_id, day, valid, original, r, g,
         CASE WHEN r < 0.003 THEN 'confirmed' WHEN r < 0.005 THEN 'open' ELSE 'none' END AS flag
  FROM (
    SELECT c.id AS creator_id, %s::date + k AS day,
           (c.follower_count * (0.05 + random() * 0.5))::bigint AS valid,
           floor(random() * 3)::int AS original, random() AS r, random() AS g
    FROM creators_creator c CROSS JOIN generate_series(0, %s) k
    WHERE c.id BETWEEN %s AND %s
  ) raw
) s""",
            [stamp, first_day, METRIC_DAYS - 1, first, members],
        )
        for _drop, create in indexes:
            cursor.execute(create)
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('creators_creator', 'id'), "
            "(SELECT MAX(id) FROM creators_creator))"
        )
        cursor.execute(
            "VACUUM ANALYZE creators_creator, creators_dailymetric, incubation_poolmember"
        )
        cursor.execute("SELECT COUNT(*) FROM creators_dailymetric")
        metric_rows = cursor.fetchone()[0]
    return metric_rows, time.perf_counter() - started


def raw_ranking(weights) -> tuple:
    """The baseline: the metric days the scoring reads (the window and the one before it),
    aggregated per creator and ranked with RANK() in one SELECT; every row materialized."""
    from incubation.services.scoring import window_of

    start, before = window_of(weights, DAY)
    with connection.cursor() as cursor:
        cursor.execute(
            """
SELECT COUNT(*), MAX(r) FROM (
  SELECT creator_id,
         RANK() OVER (ORDER BY SUM(CASE WHEN date >= %s THEN plays ELSE -plays END) DESC) AS r
  FROM creators_dailymetric WHERE date >= %s AND date <= %s GROUP BY creator_id) t""",
            [start, before, DAY],
        )
        return cursor.fetchone()


def forget(day: date = DAY) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM incubation_scoresnapshot WHERE day = %s", [day])


def score(day: date = DAY) -> tuple[dict, dict]:
    """scores_compute, the whole service with its transaction; the time of insert_scores (the
    figures' temporary table, the INSERT ... SELECT, the references' check) and of the COMMIT are
    noted on the way (wrapped, not changed)."""
    from incubation.services import scoring

    phases = {}
    original = scoring.insert_scores

    def wrapper(*args, **kwargs):
        phases["insert_scores (figures, INSERT ... SELECT, check)"] = timed(
            original, *args, **kwargs
        )[0]

    commit = connection.commit

    def timed_commit():
        phases["COMMIT"] = timed(commit)[0]

    scoring.insert_scores, connection.commit = wrapper, timed_commit
    try:
        result = scoring.scores_compute(day=day)
    finally:
        scoring.insert_scores = original
        del connection.commit
    return result, phases


def check(members: int, result: dict) -> str:
    """Every member in the pool has a row; ranks are 1..scored; the held out have no score."""
    from incubation.models import PoolMember, ScoreSnapshot

    in_pool = PoolMember.objects.in_pool().filter(creator_id__lte=members).count()
    rows = ScoreSnapshot.objects.filter(day=DAY)
    assert rows.count() == in_pool == result["scored"] + result["held_out"], (in_pool, result)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(DISTINCT rank), MIN(rank), MAX(rank), "
            "COUNT(*) FILTER (WHERE held_out AND score IS NULL AND rank IS NULL) "
            "FROM incubation_scoresnapshot WHERE day = %s",
            [DAY],
        )
        distinct, low, high, held = cursor.fetchone()
    assert (distinct, low, high) == (result["scored"], 1, result["scored"]), (distinct, low, high)
    assert held == result["held_out"] > 0
    return f"ok  {in_pool:,} rows, ranks 1..{high:,} distinct, {held:,} held out"


def bench_size(weights, members: int) -> tuple[float, float]:
    from incubation.explain import explain_score, movers
    from incubation.models import ScoreSnapshot

    metric_rows, load = grow_to(members)
    repeat = 3
    report(
        f"data at {members:,} members (generate_series, VACUUM ANALYZE)",
        f"{load:7.2f} s  {metric_rows:,} metric rows",
    )
    base, (groups, _top), _last = best_of(repeat, lambda: raw_ranking(weights))
    assert groups == members, (groups, members)
    ours, (result, phases), _last = best_of(repeat, score, before=forget)
    report(
        f"scores_compute at {members:,} members (best of {repeat})",
        f"{ours:7.2f} s  {result['scored']:,} scored, {result['held_out']:,} held out",
    )
    spent = 0.0
    for name, elapsed in phases.items():
        spent += elapsed
        report(f"  {name}", f"{elapsed:7.2f} s  {elapsed / ours:4.0%}")
    report("  the rest (locks, delete, counts, audit)", f"{ours - spent:7.2f} s")
    again, _result, _last = best_of(repeat, score)
    report(
        f"scores_compute again, replacing the day (best of {repeat})",
        f"{again:7.2f} s",
    )
    ratio(f"pool scoring, {members:,} members, vs the raw ranking query", ours, base, goal=2)
    report(f"check at {members:,} members", check(members, result))
    week_ago = DAY - timedelta(days=7)
    forget(week_ago)
    score(week_ago)
    moved, found, _last = best_of(repeat, lambda: movers(DAY, days=7, limit=20))
    report(f"movers over a week, top 20 at {members:,} (best of {repeat})", f"{moved:7.3f} s")
    assert len(found) == 20
    snapshot = ScoreSnapshot.objects.select_related("weights").get(day=DAY, rank=1)
    explained, _explanation, _last = best_of(repeat, lambda: explain_score(snapshot))
    report(f"explain_score of the leader at {members:,} (best of {repeat})", f"{explained:7.3f} s")
    return ours, base


def explain(weights) -> None:
    """EXPLAIN ANALYZE of the scoring statements (the figures' temporary table, the INSERT) and of
    the baseline, in a rolled-back transaction."""
    from incubation.services import scoring

    forget()
    with transaction.atomic():
        with explaining("INSERT INTO incubation_scoresnapshot"), explaining("CREATE TEMPORARY"):
            print("  EXPLAIN (ANALYZE, BUFFERS) of the figures and the scoring INSERT", flush=True)
            scoring.insert_scores(weights, DAY)
        transaction.set_rollback(True)
    start, before = scoring.window_of(weights, DAY)
    print("  EXPLAIN (ANALYZE, BUFFERS) of the raw ranking query")
    common.explain(
        """SELECT COUNT(*), MAX(r) FROM (
  SELECT creator_id,
         RANK() OVER (ORDER BY SUM(CASE WHEN date >= %s THEN plays ELSE -plays END) DESC) AS r
  FROM creators_dailymetric WHERE date >= %s AND date <= %s GROUP BY creator_id) t""",
        [start, before, DAY],
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000", help="pool members per step, ascending")
    parser.add_argument("--quick", action="store_true", help="2,000 and 10,000 members")
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE the INSERT at the largest size"
    )
    args = parser.parse_args()
    sizes = [2_000, 10_000] if args.quick else [int(size) for size in args.sizes.split(",") if size]
    if sizes != sorted(sizes):
        sys.exit("--sizes: ascending")
    with common.bench_database("incubation"):
        server = common.server_settings()
        _operator, weights = setup_weights()
        print(
            f"Scoring the reserve pool on {DAY} ({METRIC_DAYS} metric days per member, "
            f"{weights.window_days}-day window; {server})"
        )
        timings = {}
        for size in sizes:
            timings[size] = bench_size(weights, size)
        if len(sizes) > 1:
            small, large = sizes[0], sizes[-1]
            print("Growth")
            report(
                f"scores_compute {small:,} -> {large:,} members",
                f"x{timings[large][0] / timings[small][0]:6.2f}  for x{large / small:5.1f} the data",
            )
            report(
                f"raw SQL ranking query {small:,} -> {large:,} members",
                f"x{timings[large][1] / timings[small][1]:6.2f}  for x{large / small:5.1f} the data",
            )
        if args.explain:
            print(f"Plans at {sizes[-1]:,} members")
            explain(weights)
    common.print_results()


if __name__ == "__main__":
    main()
