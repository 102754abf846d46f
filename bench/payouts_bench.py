"""Benchmark of payout trust at scale: the reconciliation of a settled cycle, the release of due
holding periods and the payment export (netting per payee, minimum payout), for 100,000 to
1,000,000 creators.

Run against PostgreSQL (a throw-away database, portal_bench_payouts, is created and dropped):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/payouts_bench.py
    ... --sizes 100000,1000000   (creators; organizations are creators / 100)
    ... --quick                  (10,000 and 20,000 creators, for a smoke run)

The data is the settlement benchmark's (bench/settlement_bench.py: generate_series INSERTs), then
the cycle is computed and approved through the services (the ledger posted, commission held by a
holding period). Every figure comes with the raw baseline measured in the same run on the same
rows: the reconciliation against one GROUP BY of the cycle's entries by pool, organization and
state (the same joins and sums, no Python); the release against one UPDATE of the due holds; the
export against one SELECT of the releasable entries summed per payee.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import settlement_bench as base
from common import bench_database, ratio
from django.db import connection, transaction


class Rollback(Exception):
    pass


def best(function, runs=3, rollback=False):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        try:
            with transaction.atomic():
                function()
                if rollback:
                    raise Rollback
        except Rollback:
            pass
        times.append(time.perf_counter() - started)
    return min(times)


def raw_reconciliation(cycle_id):
    with connection.cursor() as cursor:
        cursor.execute(
            """
SELECT p.kind, e.organization_id, count(*), sum(e.amount),
       sum(e.amount) FILTER (WHERE e.payment_status = 'held'),
       sum(e.amount) FILTER (WHERE e.payment_status = 'pending'),
       sum(e.amount) FILTER (WHERE e.payment_status = 'exported'),
       sum(e.amount) FILTER (WHERE e.payment_status = 'paid'),
       sum(e.amount) FILTER (WHERE e.payment_status = 'failed'),
       sum(e.amount) FILTER (WHERE e.payment_status = 'forfeited'),
       sum(e.amount) FILTER (WHERE e.corrects_id IS NOT NULL AND e.amount < 0)
FROM incentives_ledgerentry e JOIN incentives_pool p ON p.id = e.pool_id
WHERE e.cycle_id = %s GROUP BY 1, 2""",
            [cycle_id],
        )
        return cursor.fetchall()


def raw_release(today):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE incentives_hold SET released_at = now() WHERE released_at IS NULL "
            "AND reason = 'period' AND releases_on <= %s",
            [today],
        )
        cursor.execute(
            "UPDATE incentives_ledgerentry e SET payment_status = 'pending' "
            "WHERE payment_status = 'held' AND NOT EXISTS (SELECT 1 FROM incentives_hold h "
            "WHERE h.entry_id = e.id AND h.released_at IS NULL)"
        )


def raw_export(program_id):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.creator_id, e.organization_id, e.pool_id, sum(e.amount) "
            "FROM incentives_ledgerentry e JOIN incentives_cycle c ON c.id = e.cycle_id "
            "WHERE c.program_id = %s AND e.payment_status IN ('pending', 'failed') "
            "GROUP BY 1, 2, 3 HAVING sum(e.amount) > 0",
            [program_id],
        )
        return len(cursor.fetchall())


def bench_size(operator, cycle, size):
    import datetime

    from incentives.models import HoldingPeriod, LedgerEntry, RewardList
    from incentives.reconciliation import cycle_reconciliation
    from incentives.services import (
        settlement_approve,
        settlement_compute,
        settlement_publish,
        settlement_submit,
    )
    from incentives.services.holds import holds_release_due
    from incentives.services.payments import settlement_export

    base.grow_to(size, operator)
    with connection.cursor() as cursor:
        for table in (
            "incentives_paymentexportitem",
            "incentives_paymentexport",
            "incentives_hold",
        ):
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute("DELETE FROM incentives_ledgerentry")
        cursor.execute("UPDATE incentives_pool SET committed = 0")
        cursor.execute("DELETE FROM incentives_rewardline")
        cursor.execute("DELETE FROM incentives_rewardlist")
    HoldingPeriod.objects.get_or_create(
        version_id=cycle.program.rule_versions.get().pk, kind="commission", defaults={"days": 20}
    )
    from incentives.models import Program

    # One approver is enough here: the benchmark measures the payout steps, not the approvals.
    Program.objects.filter(pk=cycle.program_id).update(second_approval_above=10**11)
    cycle.refresh_from_db()
    reward_list = settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )
    settlement_approve(actor=operator, reward_list=reward_list, revision=reward_list.revision)
    reward_list = settlement_publish(actor=operator, reward_list=reward_list)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    entries = LedgerEntry.objects.filter(cycle=cycle).count()
    print(f"{size:,} creators: {entries:,} ledger entries")
    portal = best(lambda: cycle_reconciliation(reward_list))
    raw = best(lambda: raw_reconciliation(cycle.pk))
    ratio(f"payouts: reconciliation at {size:,}", portal, raw)
    due = cycle.ends_on + datetime.timedelta(days=20)
    portal = best(lambda: holds_release_due(today=due), rollback=True)
    raw = best(lambda: raw_release(due), rollback=True)
    ratio(f"payouts: release due holds at {size:,}", portal, raw)
    fresh = RewardList.objects.get(pk=reward_list.pk)
    portal = best(lambda: settlement_export(actor=operator, reward_list=fresh), rollback=True)
    raw = best(lambda: raw_export(cycle.program_id), rollback=True)
    ratio(f"payouts: payment export at {size:,}", portal, raw, note="netting in SQL")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes = [10_000, 20_000] if args.quick else [int(s) for s in args.sizes.split(",") if s]
    with bench_database("payouts"):
        operator, cycle = base.setup_program()
        print("Payout trust of one settled cycle (reconciliation, release of due holds, export)")
        for size in sizes:
            bench_size(operator, cycle, size)
    common.print_results()


if __name__ == "__main__":
    main()
