"""The running cycle's estimate: "estimated so far" for every organization and creator.

Every night (beat) and on demand, the cycle that contains today is computed for real (the
settlement's SQL, under the rules in force on its first day) through the simulator's path: on a
scratch copy inside a savepoint that is rolled back. The scratch lines are copied out of the
database before the rollback (COPY TO, in memory) and into `Estimate` after it (COPY FROM), so
a million lines never become Python objects and nothing is posted. The estimate of a cycle is
replaced whole each time; approving the cycle's list deletes it (the ledger's final amounts
replace it).
"""

import io

from django.db import connection, transaction
from django.db.models import BigIntegerField, DateTimeField, Value
from django.utils import timezone

from incentives import selectors
from incentives.models import Cycle, Estimate, ProgramStatus
from portal.accounts.permissions import SYSTEM, authorize
from portal.audit.services import audit_record

from .simulation import computed_then_rolled_back

COLUMNS = ("creator_id", "organization_id", "kind", "pool", "amount")


def running_cycles(day=None):
    """Cycles of active programs that contain `day` and have no approved list yet."""
    day = day or timezone.localdate()
    return (
        Cycle.objects.filter(
            program__status=ProgramStatus.ACTIVE, starts_on__lte=day, ends_on__gt=day
        )
        .exclude(reward_list__status__in=("approved", "published", "exported", "paid"))
        .select_related("program")
    )


def _copy_out(lines, cycle_id: int, now) -> bytes:
    """The scratch lines as `Estimate` rows, in COPY's text format, read before the rollback."""
    rows = (
        lines.filter(amount__gt=0)
        .annotate(
            estimate_cycle=Value(cycle_id, output_field=BigIntegerField()),
            estimated_at=Value(now, output_field=DateTimeField()),
        )
        .values_list("estimate_cycle", *COLUMNS, "estimated_at")
        .order_by()
    )
    sql, params = rows.query.sql_with_params()
    out = io.BytesIO()
    with connection.cursor() as cursor:
        query = cursor.cursor.mogrify(sql, params)
        with cursor.cursor.copy(f"COPY ({query}) TO STDOUT") as copy:
            for data in copy:
                out.write(data)
    return out.getvalue()


@transaction.atomic
def estimate_compute(*, actor=SYSTEM, cycle: Cycle) -> int:
    """Estimate `cycle` so far and keep it (replacing the previous estimate). Returns the
    estimated lines; 0 without rules in force."""
    authorize(actor, "settlement.compute", cycle.program)
    cycle = Cycle.objects.select_for_update().select_related("program").get(pk=cycle.pk)
    version = selectors.rule_version_in_force(cycle.program, cycle.starts_on)
    Estimate.objects.filter(cycle=cycle).delete()
    if version is None:
        return 0
    now = timezone.now()
    copied: list[bytes] = []
    computed_then_rolled_back(
        cycle, version, lambda lines: copied.append(_copy_out(lines, cycle.pk, now))
    )
    columns = ", ".join(("cycle_id", *COLUMNS, "computed_at"))
    statement = f"COPY incentives_estimate ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        copy.write(copied[0])
    count = Estimate.objects.filter(cycle=cycle).count()
    audit_record(
        actor=actor,
        action="payouts.estimate",
        obj=cycle,
        after={"lines": count, "rule_version": version.number},
    )
    return count


def estimates_compute_running(*, actor=SYSTEM) -> int:
    """Every running cycle's estimate (nightly). Returns the cycles estimated."""
    done = 0
    for cycle in running_cycles():
        estimate_compute(actor=actor, cycle=cycle)
        done += 1
    return done


def estimates_drop(cycle: Cycle) -> None:
    """The cycle is settled: its final amounts replace the estimate (called by approval)."""
    Estimate.objects.filter(cycle=cycle).delete()
