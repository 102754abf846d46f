"""Private PostgreSQL and Redis servers for the fault drills, and the portal's processes on them.

The drills stop, crash and restart these servers, so they are never the shared ones: a PostgreSQL
cluster initialised in a temporary directory (port 5442) and a Redis without persistence (port
6392), both listening on 127.0.0.1 only, both removed at the end.
"""

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


def _pg_bin() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not versions:
        raise SystemExit("PostgreSQL's server programs (initdb, pg_ctl) are not installed.")
    return Path(versions[-1]).parent


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    """Poll `predicate` until it returns something truthy; SystemExit naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            value = predicate()
            if value:
                return value
        time.sleep(interval)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s")


class PrivatePostgres:
    """A throw-away cluster: initdb into a temporary directory, trust authentication on 127.0.0.1."""

    def __init__(self, port: int = 5442):
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="portal-drill-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.bin = _pg_bin()
        self.owner = "postgres" if os.geteuid() == 0 else None

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.owner, "--"] if self.owner else []
        subprocess.run(  # noqa: S603
            [*prefix, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def init(self) -> None:
        if self.owner:
            shutil.chown(self.root, self.owner, self.owner)
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "--no-sync", "-E", "UTF8", "--locale", "C.UTF-8",
        )  # fmt: skip
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root}"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
            "-w", "start",
        )  # fmt: skip

    def crash(self) -> None:
        """Stop at once, as a power cut would: no checkpoint, connections cut; recovery replays
        the write-ahead log at the next start."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def restart(self, down_seconds: float = 2.0) -> float:
        started = time.monotonic()
        self.crash()
        time.sleep(down_seconds)
        self.start()
        return time.monotonic() - started

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    def __init__(self, port: int = 6392):
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="portal-drill-redis-"))

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        subprocess.run(  # noqa: S603
            [
                shutil.which("redis-server") or "redis-server", "--port", str(self.port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "yes",
                "--dir", str(self.root), "--pidfile", str(self.root / "redis.pid"),
                "--logfile", str(self.root / "redis.log"),
            ],
            check=True,
        )  # fmt: skip
        wait_for(self.ping, 10, "Redis to start")

    def ping(self) -> bool:
        import redis

        return redis.Redis(port=self.port, socket_connect_timeout=1).ping()

    def stop(self) -> None:
        import redis

        with contextlib.suppress(redis.RedisError):
            redis.Redis(port=self.port, socket_connect_timeout=1).shutdown(nosave=True)
        wait_for(lambda: not self._answers(), 10, "Redis to stop")

    def _answers(self) -> bool:
        try:
            return self.ping()
        except Exception:
            return False

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class Process:
    """A portal process (Celery worker, gunicorn) in its own process group, logging to a file."""

    def __init__(self, name: str, command: list[str], env: dict, log_dir: Path):
        self.name, self.command, self.env = name, command, env
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> "Process":
        log = self.log_path.open("a")
        self.popen = subprocess.Popen(  # noqa: S603
            self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        log.close()
        return self

    @property
    def pid(self) -> int:
        return self.popen.pid

    def children(self) -> list[int]:
        """The pids of its child processes (Linux's /proc)."""
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def kill_group(self) -> None:
        """SIGKILL the process and every child: a machine lost, nothing gets to clean up."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.popen.wait()

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill_group()


def celery_worker(env: dict, log_dir: Path, queues: str, name: str = "worker") -> Process:
    return Process(
        name,
        [
            PY, "-m", "celery", "-A", "portal", "worker", "--pool", "prefork", "--concurrency",
            "1", "-Q", queues, "--without-gossip", "--without-mingle", "--loglevel", "INFO",
            "--beat", "--schedule", str(log_dir / "celerybeat-schedule"),
        ],
        env,
        log_dir,
    )  # fmt: skip


def gunicorn(env: dict, log_dir: Path, port: int) -> Process:
    gunicorn_bin = str(Path(PY).parent / "gunicorn")
    return Process(
        "web",
        [gunicorn_bin, "portal.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        env,
        log_dir,
    )
