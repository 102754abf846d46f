"""Fault drills: PostgreSQL crashes, a Redis outage and killed workers, with rows counted before and
after. Each drill prints what it did, the counts, and PASS or FAIL; var/drills/report.md keeps them.

    make drills                       # or: .venv/bin/python bench/drills/run.py
    make drills DRILLS_ARGS="--only redis --creators 20000"

Everything runs on private servers started here and removed at the end (never the shared ones):
PostgreSQL on 127.0.0.1:5442 (a cluster in a temporary directory) and Redis on 127.0.0.1:6392
(no persistence), with a Celery worker (prefork, one process, beat inside as in `make run`) and,
for the Redis drill, gunicorn. The data is settlement_bench's: creators in organizations with a
month of metrics and a program with published rules (--creators, 50,000 by default, so that a
settlement and an import take long enough to be interrupted half-way).

1. settlement: PostgreSQL crashes (immediate stop) while the worker computes a cycle's reward
   lines, and comes back after 2 s. The task retries: the list is computed once (revision 1, one
   audit record), with the same lines a second computation gives.
2. import: PostgreSQL crashes while a metrics file is staged (COPY), and again while the checked
   rows are committed. The job ends done once; the metric rows are exactly those of the file.
3. redis: Redis stops under page traffic (gunicorn). Pages, sign-in and the partner API answer;
   a password reset and an import upload are accepted and wait in the outbox; Redis comes back
   and beat sends them; the import is checked.
4. worker-import: the worker's pool process is SIGKILLed while it commits an import. Nothing of it
   is in the database; the task comes back (acks_late, reject_on_worker_lost) and commits once.
5. worker-webhook: the whole worker (every process) is SIGKILLed while a webhook POST is in flight
   to a receiver here. After a restart the delivery is sent again with the same delivery and event
   ids (the receiver deduplicates by them), recorded once as succeeded; nothing else is sent.
"""

import argparse
import contextlib
import os
import signal
import socket
import sys
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from servers import ROOT, PrivatePostgres, PrivateRedis, celery_worker, gunicorn, wait_for
from support import (
    JOB_TIMEOUT,
    RESULTS,
    Receiver,
    active_query,
    caught,
    count,
    job_status,
    metrics_csv,
    reconnect,
    record,
    say,
    upload,
    wait_job,
)

DATABASE = "portal_drill"
VISIBILITY_SECONDS = 75  # a task of a worker lost whole comes back after this (longer than a claim)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the drills ---------------------------------------------------------------------------------


def drill_settlement(ctx) -> None:
    from incentives.models import Cycle, RewardList
    from incentives.services import settlement_compute, settlement_request

    cycle, operator, pg = ctx["cycle"], ctx["operator"], ctx["pg"]
    lines = "SELECT COUNT(*) FROM incentives_rewardline"
    audits = "SELECT COUNT(*) FROM audit_auditentry WHERE action = 'settlement.compute'"
    ledger = "SELECT COUNT(*) FROM incentives_ledgerentry"
    before = (count(lines), count(audits), count(ledger))
    settlement_request(actor=operator, cycle=cycle)
    caught("%incentives_%", "the computation")
    say("  the worker is writing the reward lines: PostgreSQL crashes now")
    pg.restart()
    reconnect()
    during = (count(lines), count(audits), count(ledger))

    def computed():
        return Cycle.objects.filter(pk=cycle.pk, compute_requested_at__isnull=True).exists()

    wait_for(computed, JOB_TIMEOUT, "the computation to end", interval=0.5)
    reward_list = RewardList.objects.get(cycle=cycle)
    after = (count(lines), count(audits), count(ledger))
    totals = (reward_list.cash_total, reward_list.traffic_total, reward_list.line_count)
    again = settlement_compute(actor=operator, cycle=cycle)  # the reference: computing again
    same = (again.cash_total, again.traffic_total, again.line_count) == totals
    ok = (
        reward_list.revision == 1
        and after[1] == before[1] + 1
        and during[0] == before[0]
        and same
        and after[2] == before[2]
    )
    record(
        "PostgreSQL restarted during a settlement",
        f"computed once after the restart (revision {reward_list.revision}); "
        f"{totals[2]} lines, cash {totals[0]}, traffic {totals[1]}; computing again gives "
        f"{'the same' if same else 'DIFFERENT'} lines",
        ok,
        [
            ("reward lines", before[0], during[0], after[0]),
            ("settlement.compute audit records", before[1], during[1], after[1]),
            ("ledger entries", before[2], during[2], after[2]),
        ],
    )


def drill_import(ctx) -> None:
    from creators.services import import_confirm

    operator, pg, creators = ctx["operator"], ctx["pg"], ctx["creators"]
    days = 2
    metrics = "SELECT COUNT(*) FROM creators_dailymetric"
    audits = "SELECT COUNT(*) FROM audit_auditentry WHERE action = 'metrics.import'"
    before = (count(metrics), count(audits))
    job = upload(operator, metrics_csv(creators, date(2026, 12, 1), days), "drill-pg.csv")
    caught("COPY creators_metricimportrow%", "the check's COPY")
    say("  the worker is staging the file (COPY): PostgreSQL crashes now")
    pg.restart()
    reconnect()
    at_check = (count(metrics), count(audits), job_status(job.pk))
    wait_job(job.pk, "validated")
    import_confirm(actor=operator, job=job, skip_errors=False)
    caught("%creators_%", "the commit")
    say("  the worker is committing the rows: PostgreSQL crashes now")
    pg.restart()
    reconnect()
    at_commit = (count(metrics), count(audits), job_status(job.pk))
    wait_job(job.pk, "done")
    after = (count(metrics), count(audits))
    expected = creators * days
    ok = (
        after[0] == before[0] + expected
        and after[1] == before[1] + 1
        and at_commit[0] == before[0]
        and at_check[0] == before[0]
    )
    record(
        "PostgreSQL restarted during an import (check and commit)",
        f"status after the crash in the check: {at_check[2]}, in the commit: {at_commit[2]}; "
        f"the job ended done with {expected} new creator-days written once",
        ok,
        [
            ("daily metrics (crash in the check)", before[0], at_check[0], "-"),
            ("daily metrics (crash in the commit)", before[0], at_commit[0], after[0]),
            ("metrics.import audit records", before[1], at_commit[1], after[1]),
        ],
    )


def drill_redis(ctx) -> None:
    import requests
    from django.test import Client

    redis, env, log_dir = ctx["redis"], ctx["env"], ctx["log_dir"]
    operator, owner, token = ctx["operator"], ctx["owner"], ctx["token"]
    port = free_port()
    web = gunicorn(env, log_dir, port).start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: requests.get(f"{base}/healthz", timeout=2).ok, 60, "gunicorn")
        staff, person = requests.Session(), requests.Session()
        for session, user in ((staff, operator), (person, owner)):
            client = Client()
            client.force_login(user)
            session.cookies.set("sessionid", client.cookies["sessionid"].value)
        pending = "SELECT COUNT(*) FROM core_queuedtask WHERE published_at IS NULL"
        queued = "SELECT COUNT(*) FROM core_queuedtask"
        before = (count(queued), count(pending))

        redis.stop()
        say("  Redis is down: pages, sign-in, the partner API, a reset and an upload")
        statuses = {}
        pages = {
            "dashboard (owner)": (person, "/"),
            "roster (owner)": (person, "/creators/"),
            "roster search fragment (owner)": (person, "/creators/?q=b0000"),
            "organization (owner)": (person, f"/organizations/{ctx['organization'].pk}/"),
            "rewards (operator)": (staff, "/rewards/"),
            "audit log (operator)": (staff, "/audit/"),
            "imports (operator)": (staff, "/creators/imports/?kind=metrics"),
        }
        for label, (session, url) in pages.items():
            fragment = {"HX-Request": "true"} if "fragment" in label else {}
            statuses[label] = session.get(base + url, headers=fragment, timeout=10).status_code
        statuses["partner API"] = requests.get(
            f"{base}/api/v1/organizations/",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ).status_code
        statuses["readyz (503 expected)"] = requests.get(f"{base}/readyz", timeout=10).status_code
        signer = requests.Session()
        signer.get(f"{base}/accounts/login/", timeout=10)
        statuses["sign-in"] = signer.post(
            f"{base}/accounts/login/",
            data={
                "username": operator.email,
                "password": "drill-password",
                "csrfmiddlewaretoken": signer.cookies["csrftoken"],
            },
            allow_redirects=False,
            timeout=10,
        ).status_code
        anonymous = requests.Session()
        anonymous.get(f"{base}/accounts/password/reset/", timeout=10)
        statuses["password reset"] = anonymous.post(
            f"{base}/accounts/password/reset/",
            data={"email": owner.email, "csrfmiddlewaretoken": anonymous.cookies["csrftoken"]},
            allow_redirects=False,
            timeout=10,
        ).status_code
        csrf = staff.cookies.get("csrftoken")
        uploaded = staff.post(
            f"{base}/creators/imports/?kind=metrics",
            data={"kind": "metrics", "csrfmiddlewaretoken": csrf},
            files={"file": ("drill-redis.csv", metrics_csv(50, date(2026, 12, 5), 1), "text/csv")},
            allow_redirects=False,
            timeout=30,
        )
        statuses["import upload"] = uploaded.status_code
        job_id = int(uploaded.headers.get("Location", "/0/").rstrip("/").rsplit("/", 1)[-1] or 0)
        during = (count(queued), count(pending))
        job_during = job_status(job_id) if job_id else "-"

        redis.start()
        say("  Redis is back: waiting for beat to send what the outbox holds")
        wait_for(lambda: count(pending) == 0, 240, "the outbox to empty", interval=1)
        wait_job(job_id, "validated", 120)
        after = (count(queued), count(pending))
        expected = {"readyz (503 expected)": 503, "sign-in": 302, "password reset": 302}
        expected["import upload"] = 302
        wrong = {k: v for k, v in statuses.items() if v != expected.get(k, 200)}
        sent_once = count(
            "SELECT COUNT(*) FROM core_queuedtask WHERE id IN (SELECT id FROM core_queuedtask "
            "ORDER BY id DESC LIMIT %s) AND published_at IS NOT NULL",
            [during[0] - before[0]],
        )
        ok = not wrong and during[1] >= before[1] + 2 and after[1] == 0 and sent_once >= 2
        record(
            "Redis down during page traffic and task enqueueing",
            "answers while down: "
            + ", ".join(f"{k} {v}" for k, v in statuses.items())
            + (f"; WRONG: {wrong}" if wrong else "")
            + f"; import job {job_during} while down, validated after",
            ok,
            [
                ("outbox rows", before[0], during[0], after[0]),
                ("outbox rows waiting", before[1], during[1], after[1]),
            ],
        )
    finally:
        if not redis._answers():
            redis.start()
        web.stop()


def drill_worker_import(ctx) -> None:
    from creators.services import import_confirm

    operator, creators = ctx["operator"], ctx["creators"]
    metrics = "SELECT COUNT(*) FROM creators_dailymetric"
    audits = "SELECT COUNT(*) FROM audit_auditentry WHERE action = 'metrics.import'"
    before = (count(metrics), count(audits))
    job = upload(operator, metrics_csv(creators, date(2026, 12, 3), 2), "drill-kill.csv")
    wait_job(job.pk, "validated")
    import_confirm(actor=operator, job=job, skip_errors=False)
    caught("%creators_%", "the commit")
    children = ctx["worker"].children()
    say(f"  the worker is committing: SIGKILL to its pool process {children}")
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)
    wait_for(lambda: not active_query("%creators_%"), 60, "the rollback")
    during = (count(metrics), count(audits), job_status(job.pk))
    wait_job(job.pk, "done")
    after = (count(metrics), count(audits))
    expected = creators * 2
    ok = during[0] == before[0] and after[0] == before[0] + expected and after[1] == before[1] + 1
    record(
        "Worker SIGKILLed during an import commit",
        f"nothing written while the job stayed {during[2]}; the task came back and committed "
        f"{expected} creator-days once",
        ok,
        [
            ("daily metrics", before[0], during[0], after[0]),
            ("metrics.import audit records", before[1], during[1], after[1]),
        ],
    )


def drill_worker_webhook(ctx) -> None:
    from organizations.services import organization_suspend
    from partners.models import DeliveryStatus, WebhookDelivery
    from partners.services import webhook_endpoint_create

    operator, application = ctx["operator"], ctx["application"]
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        webhook_endpoint_create(
            actor=operator, application=application, url=url, events=["organization.suspended"]
        )
        tables = ("partners_webhookevent", "partners_webhookdelivery", "partners_webhookattempt")
        before = tuple(count(f"SELECT COUNT(*) FROM {t}") for t in tables)
        organization_suspend(actor=operator, organization=ctx["organization"], reason="演练")
        wait_for(receiver.first_arrived.is_set, 120, "the webhook POST")
        say("  the POST is in flight: SIGKILL to the whole worker (every process)")
        ctx["worker"].kill_group()
        receiver.release.set()
        during = tuple(count(f"SELECT COUNT(*) FROM {t}") for t in tables)
        delivery = WebhookDelivery.objects.latest("id")
        status_during = delivery.status
        ctx["worker"] = ctx["start_worker"]()
        say(
            f"  worker restarted; the task comes back after the visibility timeout ({VISIBILITY_SECONDS} s)"
        )

        def succeeded():
            return WebhookDelivery.objects.filter(
                pk=delivery.pk, status=DeliveryStatus.SUCCEEDED
            ).exists()

        wait_for(succeeded, VISIBILITY_SECONDS * 4, "the delivery to succeed", interval=1)
        time.sleep(5)  # anything sent twice more would arrive now
        after = tuple(count(f"SELECT COUNT(*) FROM {t}") for t in tables)
        ids = {(r["delivery"], r["event"]) for r in receiver.received}
        ok = (
            len(ids) == 1
            and after[0] == before[0] + 1
            and after[1] == before[1] + 1
            and after[2] == before[2] + 1
            and len(receiver.received) <= 2
        )
        record(
            "Worker SIGKILLed during a webhook delivery",
            f"the receiver got {len(receiver.received)} POSTs, all with delivery id and event id "
            f"{sorted(ids)}; delivery {status_during} at the kill, succeeded after",
            ok,
            [
                ("webhook events", before[0], during[0], after[0]),
                ("webhook deliveries", before[1], during[1], after[1]),
                ("webhook attempts recorded", before[2], during[2], after[2]),
                ("POSTs received", 0, 1, len(receiver.received)),
            ],
        )
    finally:
        receiver.release.set()
        receiver.shutdown()


DRILLS = {
    "settlement": drill_settlement,
    "import": drill_import,
    "redis": drill_redis,
    "worker-import": drill_worker_import,
    "worker-webhook": drill_worker_webhook,
}


# --- set-up -------------------------------------------------------------------------------------


def prepare(creators: int) -> dict:
    """Migrate, then settlement_bench's program and data, a signed-up owner and a partner."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import settlement_bench
    from django.utils import timezone

    from organizations.models import Membership, Organization, OrgRole
    from partners.scopes import SCOPE_NAMES
    from partners.services import application_create, token_issue
    from portal.accounts.models import Role, User

    operator, cycle = settlement_bench.setup_program()
    operator.set_password("drill-password")
    operator.save(update_fields=["password"])
    settlement_bench.grow_to(creators, operator)
    organization = Organization.objects.order_by("id").first()
    owner = User.objects.create_user(
        "owner@drill.example.com", "drill-password", role=Role.ORGANIZATION, full_name="Owner"
    )
    Membership.objects.create(user=owner, organization=organization, role=OrgRole.OWNER)
    application = application_create(
        actor=operator,
        name=f"Drill {timezone.now():%H%M%S}",
        contact_name="Drill",
        contact_email="drill@example.com",
        scopes=SCOPE_NAMES,
    )
    _token, raw = token_issue(actor=operator, application=application)
    return {
        "operator": operator,
        "cycle": cycle,
        "organization": organization,
        "owner": owner,
        "application": application,
        "token": raw,
    }


def queues() -> str:
    from portal.celery import app

    names = {app.conf.task_default_queue or "celery"}
    for queue in app.conf.task_queues or ():
        names.add(getattr(queue, "name", str(queue)))
    routes = app.conf.task_routes or {}
    for route in routes.values() if isinstance(routes, dict) else ():
        if isinstance(route, dict) and route.get("queue"):
            names.add(route["queue"])
    return ",".join(sorted(names))


def write_report(path: Path) -> None:
    lines = ["# Fault drills", ""]
    for result in RESULTS:
        lines += [
            f"## {result['drill']}: {'PASS' if result['ok'] else 'FAIL'}",
            "",
            result["outcome"],
            "",
            "| rows | before | at the fault | after |",
            "| --- | ---: | ---: | ---: |",
            *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in result["counts"]),
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--only", default=",".join(DRILLS), help="drills to run, comma-separated")
    parser.add_argument("--creators", type=int, default=50_000)
    parser.add_argument("--pg-port", type=int, default=5442)
    parser.add_argument("--redis-port", type=int, default=6392)
    args = parser.parse_args()
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(chosen) - set(DRILLS)
    if unknown:
        raise SystemExit(f"unknown drills: {sorted(unknown)}; choose from {list(DRILLS)}")

    # Started from a script, a process may inherit an ignored SIGINT: Ctrl-C and SIGTERM must
    # still reach the clean-up below (the private servers are stopped and removed).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    out = ROOT / "var" / "drills"
    out.mkdir(parents=True, exist_ok=True)
    pg, redis = PrivatePostgres(args.pg_port), PrivateRedis(args.redis_port)
    worker = None
    try:
        say(
            f"private PostgreSQL on 127.0.0.1:{pg.port} ({pg.root}), Redis on 127.0.0.1:{redis.port}"
        )
        pg.init()
        redis.start()
        import psycopg

        with psycopg.connect(f"{pg.url}/postgres", autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {DATABASE}")
        env = {
            **os.environ,
            "DATABASE_URL": f"{pg.url}/{DATABASE}",
            "CELERY_BROKER_URL": redis.url(0),
            "CACHE_URL": redis.url(1),
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS),
            "DEBUG": "1",  # webhooks to a receiver on this machine, plain http
            "PORTAL_VAR_DIR": str(out / "var"),
            "DB_CONN_MAX_AGE": "60",
            "PYTHONUNBUFFERED": "1",
        }
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        import django

        django.setup()
        say(f"data: {args.creators} creators with a month of metrics, a program and its rules")
        ctx = prepare(args.creators)
        ctx.update(pg=pg, redis=redis, env=env, log_dir=out, creators=args.creators)
        worker_queues = queues()

        def start_worker():
            started = celery_worker(env, out, worker_queues).start()
            wait_for(lambda: "ready." in started.log_path.read_text(), 90, "the worker")
            return started

        for log in out.glob("*.log"):
            log.unlink()
        ctx["start_worker"] = start_worker
        ctx["worker"] = worker = start_worker()
        for name in chosen:
            say(f"--- {name}")
            try:
                DRILLS[name](ctx)
            except (TimeoutError, SystemExit) as error:
                record(name, f"did not finish: {error}", False, [])
            worker = ctx["worker"]
        write_report(out / "report.md")
        say(f"report in {out / 'report.md'}; logs in {out}")
    finally:
        if worker is not None:
            worker.stop()
        redis.remove()
        pg.remove()
        say("private PostgreSQL and Redis stopped and removed")
    if not all(result["ok"] for result in RESULTS):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
