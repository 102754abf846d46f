"""The load test: gunicorn + PostgreSQL + Redis + a Celery worker on this machine, driven by Locust.

    make load                                   # or: .venv/bin/python bench/load/run.py
    make load LOAD_ARGS="--steps 2,4 --step-seconds 20"      # a quick run

It needs DATABASE_URL (a PostgreSQL server: a database named after DATABASE_URL's with `_load`
added is created there and dropped at the end) and CELERY_BROKER_URL (a redis:// URL; CACHE_URL too, or the broker's server, database
+1). Everything listens on 127.0.0.1 only and every step is bounded in time.

1. Set up: create the database, migrate, collect static files, load the demo (`seed_demo`), then
   `prepare.py` makes sessions for organization people, managers and operators, a partner token,
   and the metrics file the background operator imports meanwhile.
2. Start gunicorn (production settings: DEBUG off, behind a TLS proxy) and a Celery worker.
3. Run Locust headless once per step of users (4, 8, 16, 32, 64 by default), each for a fixed time,
   with the mix of `locustfile.py`; an import and a settlement run meanwhile.
4. Report, per step and per endpoint: requests per second, p50/p95/p99 and errors; and the first
   step at which p95 passes 500 ms (all requests, and each endpoint). Written to var/load/.
5. Tear down: stop the processes, empty the broker's queues, drop the database.
"""

import argparse
import contextlib
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PY = sys.executable
BIN = Path(PY).parent
THRESHOLD_MS = 500


def say(message: str) -> None:
    print(f"[load] {message}", flush=True)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def redis_with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


def admin_sql(server_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(with_database(server_url, "postgres"), autocommit=True) as connection:
        connection.execute(statement)


def database_exists(server_url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(with_database(server_url, "postgres"), autocommit=True) as connection:
        return bool(
            connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(command: list[str], env: dict, **kwargs) -> None:
    subprocess.run(command, cwd=ROOT, env=env, check=True, **kwargs)  # noqa: S603


def manage(env: dict, *args: str) -> None:
    run([PY, "manage.py", *args], env)


def wait_ready(url: str, processes: dict, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                raise SystemExit(f"{name} stopped while starting (exit {process.returncode})")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(request, timeout=3) as response,  # noqa: S310 (loopback)
        ):
            if response.status == 200:
                return
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer 200 within {timeout:.0f} s")


def stop(processes: dict) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for process in processes.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        if process.poll() is None:
            process.kill()
            process.wait()


def read_stats(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def number(row: dict, key: str) -> float:
    try:
        return float(row.get(key) or 0)
    except ValueError:
        return 0.0


def job_lines(jobs: list[dict]) -> list[str]:
    if not jobs:
        return []
    lines = [
        "| background work | runs | errors | median s | max s |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name in sorted({job["name"] for job in jobs}):
        runs = [job for job in jobs if job["name"] == name]
        times = sorted(job["seconds"] for job in runs if not job["error"])
        errors = [job["error"] for job in runs if job["error"]]
        median = f"{times[len(times) // 2]:.1f}" if times else "-"
        longest = f"{times[-1]:.1f}" if times else "-"
        lines.append(f"| {name} | {len(runs)} | {len(errors)} | {median} | {longest} |")
    return [*lines, ""]


def report(steps: list[tuple[int, list[dict], list[dict]]], seconds: int, workers: int) -> str:
    lines = [
        f"# Load test: {workers} gunicorn workers, 1 Celery worker, {os.cpu_count()} CPUs "
        f"shared with Locust and PostgreSQL; {seconds} s per step",
        "",
    ]
    crossing_all = None
    crossing: dict[str, int] = {}
    for users, rows, jobs in steps:
        lines += [
            f"## {users} users",
            "",
            "| endpoint | requests | errors | req/s | p50 ms | p95 ms | p99 ms |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
            name = "**all requests**" if row["Name"] == "Aggregated" else row["Name"]
            p95 = number(row, "95%")
            lines.append(
                f"| {name} | {int(number(row, 'Request Count'))} | "
                f"{int(number(row, 'Failure Count'))} | {number(row, 'Requests/s'):.1f} | "
                f"{number(row, '50%'):.0f} | {p95:.0f} | {number(row, '99%'):.0f} |"
            )
            if row["Name"] == "Aggregated":
                if crossing_all is None and p95 > THRESHOLD_MS:
                    crossing_all = users
            elif p95 > THRESHOLD_MS and number(row, "Request Count") >= 5:
                crossing.setdefault(row["Name"], users)
        lines.append("")
        lines += job_lines(jobs)
    lines.append("## Where p95 passes 500 ms")
    lines.append("")
    if crossing_all is None:
        lines.append(f"All requests: not reached at {steps[-1][0]} users (the highest step).")
    else:
        lines.append(f"All requests: at {crossing_all} users.")
    for name, users in sorted(crossing.items(), key=lambda item: (item[1], item[0])):
        lines.append(f"- {name}: from {users} users")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--steps", default="4,8,16,32,64", help="users per step (comma-separated)")
    parser.add_argument("--step-seconds", type=int, default=45)
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--keep", action="store_true", help="keep the database afterwards, and reuse a kept one"
    )
    args = parser.parse_args()
    steps = [int(step) for step in args.steps.split(",")]

    database_url = os.environ.get("DATABASE_URL", "")
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not database_url.startswith("postgres") or not broker.startswith("redis://"):
        raise SystemExit("Set DATABASE_URL=postgres://... and CELERY_BROKER_URL=redis://...")
    cache = os.environ.get("CACHE_URL") or redis_with_db(
        broker, int(urlsplit(broker).path.strip("/") or 0) + 1
    )
    database = urlsplit(database_url).path.strip("/") + "_load"
    out = ROOT / "var" / "load"
    out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": with_database(database_url, database),
        "CELERY_BROKER_URL": broker,
        "CACHE_URL": cache,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_TLS_PROXY": "1",
        "PORTAL_VAR_DIR": str(out / "var"),
        "LOAD_FIXTURE": str(out / "fixture.json"),
        "PYTHONUNBUFFERED": "1",
    }
    processes: dict[str, subprocess.Popen] = {}
    logs = {name: (out / f"{name}.log").open("w") for name in ("web", "worker", "locust")}
    reuse = args.keep and database_exists(database_url, database)
    if not reuse:
        admin_sql(database_url, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin_sql(database_url, f"CREATE DATABASE {database}")
    try:
        manage(env, "compile_catalogue")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        if reuse:
            say(f"database {database} kept from the last run (--keep): demo data not loaded again")
        else:
            say(f"database {database}: migrate, demo data (about 2 minutes)")
            manage(env, "migrate", "--verbosity", "0")
            manage(env, "seed_demo")
        run([PY, str(HERE / "prepare.py"), "--out", env["LOAD_FIXTURE"]], env)
        queues = ",".join(json.loads(Path(env["LOAD_FIXTURE"]).read_text())["queues"])
        run(
            [PY, "-m", "celery", "-A", "portal", "purge", "-f", "-Q", queues],
            env,
            stdout=subprocess.DEVNULL,
        )
        processes["web"] = subprocess.Popen(  # noqa: S603
            [
                str(BIN / "gunicorn"),
                "portal.wsgi",
                "--workers",
                str(args.web_workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=logs["web"],
            stderr=subprocess.STDOUT,
        )
        processes["worker"] = subprocess.Popen(  # noqa: S603
            [
                PY,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--concurrency",
                "1",
                "-Q",
                queues,
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=logs["worker"],
            stderr=subprocess.STDOUT,
        )
        wait_ready(f"{host}/readyz", processes)
        say(f"gunicorn ({args.web_workers} workers) on {host}, worker on queues {queues}")
        results = []
        for users in steps:
            say(f"{users} users for {args.step_seconds} s")
            prefix = out / f"step_{users}"
            jobs_file = Path(f"{prefix}_jobs.json")
            jobs_file.unlink(missing_ok=True)
            subprocess.run(  # noqa: S603 - exit code 1 only says some requests failed
                [
                    str(BIN / "locust"),
                    "-f",
                    str(HERE / "locustfile.py"),
                    "--headless",
                    "-u",
                    str(users),
                    "-r",
                    str(users),
                    "-t",
                    f"{args.step_seconds}s",
                    "--host",
                    host,
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--stop-timeout",
                    "15",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env=env,
                stdout=logs["locust"],
                stderr=subprocess.STDOUT,
                check=False,
            )
            rows = read_stats(Path(f"{prefix}_stats.csv"))
            total = next(row for row in rows if row["Name"] == "Aggregated")
            say(
                f"  {number(total, 'Requests/s'):.1f} req/s, p50 {number(total, '50%'):.0f} ms, "
                f"p95 {number(total, '95%'):.0f} ms, p99 {number(total, '99%'):.0f} ms, "
                f"{int(number(total, 'Failure Count'))} errors"
            )
            jobs = json.loads(jobs_file.read_text()) if jobs_file.exists() else []
            results.append((users, rows, jobs))
            for name, process in processes.items():
                if process.poll() is not None:
                    raise SystemExit(f"{name} stopped during the run (exit {process.returncode})")
        text = report(results, args.step_seconds, args.web_workers)
        (out / "report.md").write_text(text, encoding="utf-8")
        print(text)
        say(f"report in {out / 'report.md'}; server logs in {out}")
    finally:
        stop(processes)
        with contextlib.suppress(subprocess.CalledProcessError, NameError):
            run(
                [PY, "-m", "celery", "-A", "portal", "purge", "-f", "-Q", queues],
                env,
                stdout=subprocess.DEVNULL,
            )
        if not args.keep:
            admin_sql(database_url, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            say(f"database {database} dropped")
        for log in logs.values():
            log.close()


if __name__ == "__main__":
    main()
