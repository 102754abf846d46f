"""What the drills share: counting rows, catching the worker half-way, the data they import, and a
webhook receiver. Django is set up by run.py before these are called."""

import contextlib
import io
import json
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from servers import wait_for

RESULTS: list[dict] = []
JOB_TIMEOUT = 300


def say(message: str) -> None:
    print(f"[drill] {message}", flush=True)


# --- counting -----------------------------------------------------------------------------------


def count(sql: str, params=()) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def reconnect() -> None:
    """The drill's own connection died with the server: the next query opens a new one."""
    from django.db import connections

    for connection in connections.all():
        with contextlib.suppress(Exception):
            connection.close()


def active_query(pattern: str) -> int | None:
    """The pid of another backend inside a write transaction whose statement (the one running,
    or the last one) is like `pattern`: the work is half done there."""
    rows = count(
        "SELECT COALESCE(MIN(pid), 0) FROM pg_stat_activity WHERE backend_xid IS NOT NULL "
        "AND state IN ('active', 'idle in transaction') AND query ILIKE %s "
        "AND pid <> pg_backend_pid()",
        [pattern],
    )
    return rows or None


def caught(pattern: str, what: str) -> int:
    return wait_for(lambda: active_query(pattern), 120, what, interval=0.01)


def record(name: str, outcome: str, ok: bool, counts: list[tuple[str, object, object, object]]):
    RESULTS.append({"drill": name, "outcome": outcome, "ok": ok, "counts": counts})
    width = max(len(row[0]) for row in counts) if counts else 10
    say(f"{name}: {'PASS' if ok else 'FAIL'} - {outcome}")
    print(f"    {'rows':{width}}  {'before':>10}  {'at the fault':>12}  {'after':>10}")
    for label, before, during, after in counts:
        print(f"    {label:{width}}  {before!s:>10}  {during!s:>12}  {after!s:>10}")


# --- data ---------------------------------------------------------------------------------------


def metrics_csv(creators: int, first: date, days: int) -> bytes:
    """A metrics file of `days` new days for every creator (none of them in the database yet)."""
    out = io.StringIO()
    out.write("platform account id,date,plays,valid plays,GMV,orders\n")
    for offset in range(days):
        day = (first + timedelta(days=offset)).isoformat()
        for n in range(1, creators + 1):
            plays = (n * 7919 + offset * 104729) % 90_000
            out.write(f"b{n:012d},{day},{plays},{plays * 9 // 10},{n % 997}.50,{n % 7}\n")
    return out.getvalue().encode()


def upload(operator, content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from creators.models import ImportKind
    from creators.services import import_create

    return import_create(
        actor=operator,
        kind=ImportKind.METRICS,
        upload=SimpleUploadedFile(name, content, content_type="text/csv"),
    )


def job_status(job_id: int) -> str:
    from creators.models import ImportJob

    return ImportJob.objects.get(pk=job_id).status


def wait_job(job_id: int, status: str, timeout: float = JOB_TIMEOUT) -> None:
    def reached():
        current = job_status(job_id)
        if current == "failed":
            raise SystemExit(f"import {job_id} failed")
        return current == status

    wait_for(reached, timeout, f"import {job_id} to be {status}", interval=0.5)


class Receiver(ThreadingHTTPServer):
    """A partner's webhook endpoint: records every POST; holds the first one (it is in flight when
    the worker is killed)."""

    def __init__(self):
        self.received: list[dict] = []
        self.first_arrived = threading.Event()
        self.release = threading.Event()
        super().__init__(("127.0.0.1", 0), _ReceiverHandler)


class _ReceiverHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append(
            {
                "delivery": self.headers.get("X-Portal-Delivery"),
                "event": json.loads(body).get("id"),
                "signature": self.headers.get("X-Portal-Signature"),
            }
        )
        if len(self.server.received) == 1:
            self.server.first_arrived.set()
            self.server.release.wait(60)
        with contextlib.suppress(OSError):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

    def log_message(self, *args):
        pass
