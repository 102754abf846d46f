"""Settlement run twice, at once, killed half-way, and approved at once: the ledger is the same
as after one clean run, and a pool is never overspent.

The races are made deterministic: the test holds the row lock the runs contend for until every
thread waits for it (PostgreSQL tells who waits for whom), then lets them go."""

import contextlib
import datetime
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import translation

from creators.models import DailyMetric
from incentives.models import (
    Cycle,
    LedgerEntry,
    ListStatus,
    OrgTier,
    Pool,
    RewardLine,
    RewardList,
    SubsidyRule,
    TrafficBand,
)
from incentives.services import (
    program_create,
    rule_version_draft,
    rule_version_publish,
    settlement_approve,
    settlement_compute,
    settlement_submit,
)
from tests.accounts.factories import OperatorFactory
from tests.creators.factories import BindingFactory, CreatorFactory
from tests.organizations.factories import OrganizationFactory

D = datetime.date
NOVEMBER, DECEMBER = (2026, 11), (2026, 12)


def make_program(operator, beauty, *, cash_budget=10_000_000, second_approval_above=1_000_000):
    """A two-cycle program (November, December 2026) with the rules of test_computation."""
    program = program_create(
        actor=operator,
        name="p",
        starts_on=D(2026, 11, 1),
        ends_on=D(2027, 1, 1),
        cash_budget=Decimal(cash_budget),
        traffic_budget=Decimal(1_000_000),
        second_approval_above=Decimal(second_approval_above),
    )
    version = rule_version_draft(actor=operator, program=program, effective_from=D(2026, 11, 1))
    version.playback_rate = Decimal("0.50")
    version.commission_bp = 200
    version.basic_per_introduced = Decimal(100)
    version.creator_cap = Decimal(3000)
    version.save()
    for level, videos, plays, amount in ((1, 2, 1000, 1000), (2, 5, 10000, 2900)):
        SubsidyRule.objects.create(
            version=version,
            category=beauty,
            level=level,
            min_original_videos=videos,
            min_valid_plays=plays,
            min_followers=0,
            amount=Decimal(amount),
        )
    OrgTier.objects.create(version=version, level=1, min_introduced=1, amount=Decimal(5000))
    TrafficBand.objects.create(version=version, rank_from=1, rank_to=1, coupon=Decimal(800))
    rule_version_publish(actor=operator, version=version)
    return program


def make_creator(organization, months=(NOVEMBER,)):
    """A creator introduced by `organization` in November, with ten days of metrics a month."""
    creator = CreatorFactory()
    BindingFactory(creator=creator, organization=organization, started_on=D(2026, 11, 2))
    DailyMetric.objects.bulk_create(
        DailyMetric(
            creator=creator,
            date=D(year, month, day),
            plays=100_000,
            valid_plays=100_000,
            counted_valid_plays=100_000,
            videos_published=1,
            original_videos=1,
            gmv=Decimal("123.45"),
        )
        for year, month in months
        for day in range(2, 12)
    )
    return creator


def twin_programs(beauty):
    """An operator, and two programs with the same rules over the same creator: one computed
    and approved here, in one clean run, the other (its first cycle) left to the test."""
    operator = OperatorFactory()
    clean, tested = make_program(operator, beauty), make_program(operator, beauty)
    make_creator(OrganizationFactory(categories=[beauty]))
    approve(operator, settlement_compute(actor=operator, cycle=first_cycle(clean)))
    return operator, clean, tested


def first_cycle(program) -> Cycle:
    return program.cycles.get(number=1)


def lines_of(reward_list):
    return sorted(
        RewardLine.objects.filter(reward_list=reward_list).values_list(
            "kind", "creator_id", "organization_id", "amount", "pool"
        )
    )


def ledger_of(program):
    return sorted(
        LedgerEntry.objects.filter(cycle__program=program).values_list(
            "kind", "creator_id", "organization_id", "amount", "pool__kind"
        )
    )


def approve(operator, reward_list):
    reward_list = settlement_submit(actor=operator, reward_list=reward_list)
    return settlement_approve(
        actor=operator, reward_list=reward_list, revision=reward_list.revision
    )


def assert_totals_match_lines(reward_list):
    reward_list.refresh_from_db()
    sums = dict(
        RewardLine.objects.filter(reward_list=reward_list)
        .values("pool")
        .annotate(total=Sum("amount"))
        .values_list("pool", "total")
    )
    assert reward_list.cash_total == sums.get("cash", 0)
    assert reward_list.traffic_total == sums.get("traffic", 0)
    assert reward_list.line_count == RewardLine.objects.filter(reward_list=reward_list).count()


def assert_pools_match_ledger(program):
    posted = dict(
        LedgerEntry.objects.filter(pool__program=program)
        .values("pool")
        .annotate(total=Sum("amount"))
        .values_list("pool", "total")
    )
    for pool in Pool.objects.filter(program=program):
        assert pool.committed == posted.get(pool.pk, 0)
        assert pool.committed <= pool.budget


# --- races, made deterministic ------------------------------------------------------------------


def wait_until(predicate, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def waiting_for_me() -> list[int]:
    """The other sessions that wait, directly or behind another waiter, for a lock this session
    holds (the second one to want a row lock waits for the first waiter, not for the holder)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # a fresh look inside a transaction
        cursor.execute(
            """
WITH RECURSIVE waiting(pid) AS (
  SELECT pid FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))
  UNION
  SELECT a.pid FROM pg_stat_activity a JOIN waiting w ON w.pid = ANY(pg_blocking_pids(a.pid))
)
SELECT pid FROM waiting"""
        )
        return [pid for (pid,) in cursor.fetchall()]


def session_alive(pid) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def race(rows, *calls):
    """Run `calls` in threads at once: lock `rows` (a queryset), start every call, let them go
    when all of them wait for those rows. Returns each call's result or exception, in order."""
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            with translation.override("en"):  # a new thread speaks the default language
                outcomes[index] = call()
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    with transaction.atomic():
        list(rows.select_for_update())
        for thread in threads:
            thread.start()

        def all_waiting():
            assert all(thread.is_alive() for thread in threads), outcomes
            return len(waiting_for_me()) >= len(calls)

        wait_until(all_waiting, "every call to wait for the lock")
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


# --- a. twice in a row --------------------------------------------------------------------------


def test_computing_twice_then_approving_posts_the_same_ledger_as_one_run(beauty):
    operator, once, twice = twin_programs(beauty)

    settlement_compute(actor=operator, cycle=first_cycle(twice))
    again = settlement_compute(actor=operator, cycle=first_cycle(twice))
    assert again.revision == 2
    approved = approve(operator, again)

    assert approved.status == ListStatus.APPROVED
    assert ledger_of(twice) == ledger_of(once) and len(ledger_of(once)) == 6
    assert RewardList.objects.filter(cycle__program=twice).count() == 1
    assert_totals_match_lines(approved)
    assert_pools_match_ledger(twice)
    assert sorted(Pool.objects.filter(program=twice).values_list("kind", "committed")) == sorted(
        Pool.objects.filter(program=once).values_list("kind", "committed")
    )


# --- b. twice at once ---------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_computing_twice_at_once_takes_turns_and_leaves_the_lines_of_one_run(beauty):
    operator, single, raced = twin_programs(beauty)
    expected = lines_of(RewardList.objects.get(cycle__program=single))
    cycle = first_cycle(raced)

    outcomes = race(
        Cycle.objects.filter(pk=cycle.pk),
        lambda: settlement_compute(actor=operator, cycle=cycle),
        lambda: settlement_compute(actor=operator, cycle=cycle),
    )

    assert all(isinstance(outcome, RewardList) for outcome in outcomes), outcomes
    assert sorted(outcome.revision for outcome in outcomes) == [1, 2]
    reward_list = RewardList.objects.get(cycle=cycle)
    assert reward_list.revision == 2 and reward_list.status == ListStatus.DRAFT
    assert lines_of(reward_list) == expected and len(expected) == 6
    assert_totals_match_lines(reward_list)


# --- c. a worker killed half-way ----------------------------------------------------------------

# A process that loads Django once and forks the workers; each waits for SIGUSR1 before it
# connects to anything (a fresh interpreter per worker would spend seconds loading Django), and
# leads a process group of its own, its pool processes included.
WORKERS = """
import json, os, signal, sys
import django
django.setup()
from portal.celery import app
app.loader.import_default_modules()
import billiard.pool, celery.apps.worker, celery.bin.worker, celery.concurrency.asynpool
import celery.concurrency.prefork, celery.concurrency.solo, celery.worker.consumer
import celery.worker.control, celery.worker.pidbox, kombu.transport.redis  # boot in 0.3 s
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
log_dir, specs = sys.argv[1], json.loads(sys.argv[2])
for spec in specs:
    pid = os.fork()
    if pid == 0:
        try:
            os.setpgrp()
            log = os.open(os.path.join(log_dir, spec["name"] + ".log"), os.O_WRONLY | os.O_CREAT)
            os.dup2(log, 1)
            os.dup2(log, 2)
            signal.sigwait({signal.SIGUSR1})
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})
            app.conf.broker_transport_options = spec["options"]
            app.worker_main(["worker", "--pool", spec["pool"], "--concurrency=1",
                             "--without-mingle", "--without-gossip", "--without-heartbeat",
                             "--loglevel=WARNING", "--hostname", spec["name"] + "@test"])
        finally:
            os._exit(0)
    print(pid, flush=True)
for spec in specs:
    os.wait()
"""

# A test-only trigger: after the first INSERT of reward lines, wait while the test holds the
# advisory lock. The worker is then stopped half-way through its transaction, for certain.
HOLD_KEY = 7_315_002_611
HOLD_SQL = f"""
CREATE FUNCTION test_hold_settlement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared({HOLD_KEY});
  RETURN NULL;
END $$;
CREATE TRIGGER test_hold_settlement AFTER INSERT ON incentives_rewardline
  FOR EACH STATEMENT EXECUTE FUNCTION test_hold_settlement();
"""
UNHOLD_SQL = """
DROP TRIGGER IF EXISTS test_hold_settlement ON incentives_rewardline;
DROP FUNCTION IF EXISTS test_hold_settlement();
"""


# Broker transport options of a worker that redelivers what was delivered a second ago and not
# acknowledged since (production keeps kombu's default of an hour).
FAST_REDELIVERY = {
    "visibility_timeout": 1,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def gone(pid) -> bool:
    """The process has exited (a zombie nobody reaped yet counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


class Workers:
    """Celery worker processes on the test database and a broker namespace of their own (a key
    prefix in Redis). They load when this is made and take tasks once `start`ed. `specs` maps a
    name to (pool, broker transport options)."""

    def __init__(self, broker_url, log_dir, specs):
        self.broker_url, self.log_dir, self.names = broker_url, log_dir, list(specs)
        self.prefix = f"test-settlement-{secrets.token_hex(4)}:"
        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": (
                f"postgres://{db['USER']}{password}@{db['HOST'] or 'localhost'}:"
                f"{db['PORT'] or 5432}/{db['NAME']}"
            ),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
        }
        specs = [
            {"name": name, "pool": pool, "options": {**options, "global_keyprefix": self.prefix}}
            for name, (pool, options) in specs.items()
        ]
        with open(log_dir / "loader.log", "wb") as log:
            self.loader = subprocess.Popen(  # noqa: S603 - this file's own script
                [sys.executable, "-c", WORKERS, str(log_dir), json.dumps(specs)],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=subprocess.PIPE,
                stderr=log,
            )
        self._pids = {}

    def pid(self, name) -> int:
        if not self._pids:
            for each in self.names:
                line = self.loader.stdout.readline()
                assert line, f"the workers did not load:\n{self.logs()}"
                self._pids[each] = int(line)
        return self._pids[name]

    def start(self, name):
        os.kill(self.pid(name), signal.SIGUSR1)

    def pool_processes(self, name) -> list[int]:
        pid = self.pid(name)
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(child) for child in children.read().split()]

    def kill(self, name):
        """SIGKILL the worker and its pool processes, as when its machine dies."""
        doomed = [self.pid(name), *self.pool_processes(name)]
        os.killpg(self.pid(name), signal.SIGKILL)
        wait_until(lambda: all(gone(pid) for pid in doomed), f"the {name} worker to die")

    def kill_pool_process(self, name):
        """SIGKILL the pool process running the task; its worker lives on."""
        [child] = self.pool_processes(name)
        os.kill(child, signal.SIGKILL)
        wait_until(lambda: gone(child), "the pool process to die")

    def logs(self):
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')}"
            for path in sorted(self.log_dir.glob("*.log"))
        )

    def send(self, task, **kwargs):
        from portal.celery import app

        app.conf.task_always_eager = False
        options = {"global_keyprefix": self.prefix}
        try:
            with app.connection_for_write(self.broker_url, transport_options=options) as conn:
                task.apply_async(kwargs=kwargs, connection=conn)
        finally:
            app.conf.task_always_eager = True

    def pending(self) -> tuple[int, int]:
        """(messages waiting in the queue, messages delivered but not acknowledged)."""
        import redis

        client = redis.Redis.from_url(self.broker_url)
        return client.llen(f"{self.prefix}celery"), client.hlen(f"{self.prefix}unacked")

    def unacknowledged(self) -> list[str]:
        """The names of the tasks delivered and not acknowledged."""
        import redis

        client = redis.Redis.from_url(self.broker_url)
        messages = [json.loads(raw)[0] for raw in client.hvals(f"{self.prefix}unacked")]
        return [message["headers"]["task"] for message in messages]

    def close(self):
        for pid in self._pids.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        self.loader.kill()
        self.loader.wait(timeout=10)
        self.loader.stdout.close()
        import redis

        client = redis.Redis.from_url(self.broker_url)
        for key in client.scan_iter(match=f"{self.prefix}*"):
            client.delete(key)


def start_workers(request, tmp_path, specs) -> Workers:
    from tests.conftest import REDIS_URL

    if not REDIS_URL:
        pytest.skip("needs Redis: set CELERY_BROKER_URL or REDIS_URL to a redis:// URL")
    workers = Workers(REDIS_URL, tmp_path, specs)
    request.addfinalizer(workers.close)
    return workers


def compute_and_stop_half_way(workers, name, operator, cycle) -> int:
    """Send the task; once the worker `name` is half-way through computing (lines inserted,
    nothing committed), return the database session it computes in."""
    from incentives.tasks import compute_reward_list

    workers.send(compute_reward_list, cycle_id=cycle.pk, actor_id=operator.pk)
    workers.start(name)

    def half_way():
        assert not gone(workers.pid(name)), f"the worker stopped:\n{workers.logs()}"
        return len(waiting_for_me()) == 1

    wait_until(half_way, "the worker to stop half-way through the computation", 60)
    assert not RewardList.objects.filter(cycle=cycle).exists()  # nothing committed yet
    assert workers.unacknowledged() == [compute_reward_list.name]
    [session] = waiting_for_me()
    return session


def assert_settled_once_like_the_clean_run(operator, clean, tested):
    reward_list = RewardList.objects.get(cycle__program=tested)
    assert reward_list.revision == 1  # the killed run left nothing; the run after it ran once
    assert_totals_match_lines(reward_list)
    assert lines_of(reward_list) == lines_of(RewardList.objects.get(cycle__program=clean))
    approve(operator, reward_list)
    assert ledger_of(tested) == ledger_of(clean) and len(ledger_of(clean)) == 6
    assert_pools_match_ledger(tested)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_half_way_leaves_nothing_and_another_worker_settles_once(
    beauty, request, tmp_path
):
    # The first worker runs tasks in a pool process, as in production: its main process keeps
    # talking to the broker meanwhile (an early acknowledgement would lose the task). The new
    # worker redelivers what a dead worker left unacknowledged for a second; it runs tasks
    # inline (solo), so it cannot redeliver the task to itself while running it.
    workers = start_workers(
        request,
        tmp_path,
        {"first": ("prefork", {}), "second": ("solo", FAST_REDELIVERY)},
    )
    operator, clean, tested = twin_programs(beauty)
    cycle = first_cycle(tested)

    sql(HOLD_SQL)
    sql("SELECT pg_advisory_lock(%s)", [HOLD_KEY])
    try:
        session = compute_and_stop_half_way(workers, "first", operator, cycle)
        workers.kill("first")
        sql("SELECT pg_advisory_unlock(%s)", [HOLD_KEY])  # the dead run's session goes on...
        wait_until(lambda: not session_alive(session), "the killed run's session to end")

        workers.start("second")
        wait_until(
            lambda: RewardList.objects.filter(cycle=cycle).exists() and workers.pending() == (0, 0),
            f"the task to be redelivered and to finish:\n{workers.logs()}",
            60,
        )
    finally:
        sql("SELECT pg_advisory_unlock_all()")
        sql(UNHOLD_SQL)
    assert_settled_once_like_the_clean_run(operator, clean, tested)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_pool_process_killed_half_way_leaves_nothing_and_its_worker_runs_the_task_again(
    beauty, request, tmp_path
):
    # reject_on_worker_lost: the worker puts the task back instead of acknowledging it as failed.
    workers = start_workers(request, tmp_path, {"worker": ("prefork", {})})
    operator, clean, tested = twin_programs(beauty)
    cycle = first_cycle(tested)

    sql(HOLD_SQL)
    sql("SELECT pg_advisory_lock(%s)", [HOLD_KEY])
    try:
        session = compute_and_stop_half_way(workers, "worker", operator, cycle)
        workers.kill_pool_process("worker")
        sql("SELECT pg_advisory_unlock(%s)", [HOLD_KEY])  # the dead run's session goes on...
        wait_until(lambda: not session_alive(session), "the killed run's session to end")

        wait_until(
            lambda: RewardList.objects.filter(cycle=cycle).exists() and workers.pending() == (0, 0),
            f"the task to be run again and to finish:\n{workers.logs()}",
            60,
        )
    finally:
        sql("SELECT pg_advisory_unlock_all()")
        sql(UNHOLD_SQL)
    assert_settled_once_like_the_clean_run(operator, clean, tested)


# --- d. two approvals drawing on one pool -------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_cannot_overspend_the_pool(beauty):
    operator, other = OperatorFactory(), OperatorFactory()
    organization = OrganizationFactory(categories=[beauty])
    # November pays 8,124.69 CNY cash (with the organization's incentives), December 3,024.69:
    # each fits in 9,000 CNY, both do not.
    program = make_program(operator, beauty, cash_budget=9_000)
    make_creator(organization, months=(NOVEMBER, DECEMBER))
    lists = [
        settlement_submit(
            actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
        )
        for cycle in program.cycles.order_by("number")
    ]
    assert [rl.cash_total for rl in lists] == [Decimal("8124.69"), Decimal("3024.69")]

    outcomes = race(
        Pool.objects.filter(program=program),
        lambda: settlement_approve(actor=operator, reward_list=lists[0], revision=1),
        lambda: settlement_approve(actor=other, reward_list=lists[1], revision=1),
    )

    approved = [o for o in outcomes if isinstance(o, RewardList)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(approved) == 1 and len(refused) == 1, outcomes
    assert "cash pool" in refused[0].messages[0] and "Nothing was posted" in refused[0].messages[0]
    statuses = sorted(RewardList.objects.filter(cycle__program=program).values_list("status"))
    assert statuses == [(ListStatus.APPROVED,), (ListStatus.IN_REVIEW,)]
    assert set(LedgerEntry.objects.values_list("cycle", flat=True)) == {approved[0].cycle_id}
    assert_pools_match_ledger(program)


# --- e. two approvals of one list ---------------------------------------------------------------


def posted_once(reward_list):
    entries = LedgerEntry.objects.filter(cycle=reward_list.cycle_id)
    paying = RewardLine.objects.filter(reward_list=reward_list, amount__gt=0)
    assert entries.count() == paying.count() == 6
    assert not entries.values("line").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert_pools_match_ledger(reward_list.cycle.program)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_list_approved_twice_at_once_posts_the_ledger_once(beauty):
    operator, other = OperatorFactory(), OperatorFactory()
    program = make_program(operator, beauty)
    make_creator(OrganizationFactory(categories=[beauty]))
    reward_list = settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=first_cycle(program))
    )

    outcomes = race(
        RewardList.objects.filter(pk=reward_list.pk),
        lambda: settlement_approve(actor=operator, reward_list=reward_list, revision=1),
        lambda: settlement_approve(actor=other, reward_list=reward_list, revision=1),
    )

    assert sorted(type(o).__name__ for o in outcomes) == ["RewardList", "ValidationError"]
    refused = next(o for o in outcomes if isinstance(o, ValidationError))
    assert "not possible now" in refused.messages[0]
    posted_once(reward_list)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_second_approvals_at_once_post_the_ledger_once(beauty):
    first, second, third = OperatorFactory(), OperatorFactory(), OperatorFactory()
    program = make_program(first, beauty, second_approval_above=1_000)
    make_creator(OrganizationFactory(categories=[beauty]))
    reward_list = settlement_submit(
        actor=first, reward_list=settlement_compute(actor=first, cycle=first_cycle(program))
    )
    settlement_approve(actor=first, reward_list=reward_list, revision=1)
    assert not LedgerEntry.objects.exists()

    outcomes = race(
        RewardList.objects.filter(pk=reward_list.pk),
        lambda: settlement_approve(actor=second, reward_list=reward_list, revision=1),
        lambda: settlement_approve(actor=third, reward_list=reward_list, revision=1),
    )

    assert sorted(type(o).__name__ for o in outcomes) == ["RewardList", "ValidationError"]
    reward_list.refresh_from_db()
    assert reward_list.status == ListStatus.APPROVED
    assert reward_list.first_approved_by == first
    assert reward_list.approved_by in (second, third)
    posted_once(reward_list)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_first_and_second_approval_at_once_post_the_ledger_once(beauty):
    first, second = OperatorFactory(), OperatorFactory()
    program = make_program(first, beauty, second_approval_above=1_000)
    make_creator(OrganizationFactory(categories=[beauty]))
    reward_list = settlement_submit(
        actor=first, reward_list=settlement_compute(actor=first, cycle=first_cycle(program))
    )

    outcomes = race(
        RewardList.objects.filter(pk=reward_list.pk),
        lambda: settlement_approve(actor=first, reward_list=reward_list, revision=1),
        lambda: settlement_approve(actor=second, reward_list=reward_list, revision=1),
    )

    assert all(isinstance(o, RewardList) for o in outcomes), outcomes
    reward_list.refresh_from_db()
    assert reward_list.status == ListStatus.APPROVED
    assert {reward_list.first_approved_by, reward_list.approved_by} == {first, second}
    posted_once(reward_list)
