"""`make run`: prepare the database, then run the web server and the Celery workers (one for
imports, one with beat for everything else) together until Ctrl-C stops them all."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from demo.management.commands.seed_demo import write_demo_logins
from demo.program import DEMO_LOGINS
from portal.accounts.models import User


class Command(BaseCommand):
    help = "Run the portal for development: migrate, load demo data once, serve web and worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.HOST)
        parser.add_argument("--port", default=settings.PORT)

    def handle(self, *args, host, port, **options):
        # Started in the background by a script, a process inherits an ignored SIGINT; Ctrl-C (or
        # `kill -INT`) must still stop everything, and SIGTERM stops it the same way.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        self._say("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        self._say("Database is up to date.")
        call_command("seed_demo", if_empty=True)

        # Links in emails (sent by the worker) lead to this server unless PORTAL_BASE_URL says
        # where the portal is published.
        link_base = links_base_url(host, port)
        settings.PORTAL_BASE_URL = link_base
        environment = {**os.environ, "PORTAL_BASE_URL": link_base}
        python = sys.executable
        self._say("Starting the web server and the Celery worker…")
        manage = str(settings.BASE_DIR / "manage.py")
        schedule = str(settings.VAR_DIR / "celerybeat-schedule")
        worker = [python, "-m", "celery", "-A", "portal", "worker", "--loglevel", "INFO"]
        quiet = ["--without-gossip", "--without-mingle"]
        processes = {
            # Emails, webhooks, settlements and the outbox, with beat.
            "worker": subprocess.Popen(
                [*worker, "-Q", "celery", "--beat", "--schedule", schedule, "-c", "2", *quiet],
                cwd=settings.BASE_DIR,
                env=environment,
                preexec_fn=_default_signals,
            ),
            # Imports on their own worker: a large file never holds up the rest.
            "imports worker": subprocess.Popen(
                [*worker, "-Q", "imports", "-n", "imports@%h", "--concurrency", "1", *quiet],
                cwd=settings.BASE_DIR,
                env=environment,
                preexec_fn=_default_signals,
            ),
            "web": subprocess.Popen(
                [python, manage, "runserver", f"{host}:{port}"],
                cwd=settings.BASE_DIR,
                env=environment,
                preexec_fn=_default_signals,
            ),
        }
        url = f"http://{host}:{port}/"
        try:
            self._wait_until_serving(url + "healthz", processes)
            self.stdout.write(self.style.SUCCESS(f"\nThe portal is running at {url}"))
            self.stdout.write(f"Links in emails start with {link_base} (PORTAL_BASE_URL).")
            if User.objects.filter(email__in=[email for email, _role in DEMO_LOGINS]).exists():
                write_demo_logins(self.stdout)
            self._say("Press Ctrl-C to stop the web server and the workers.\n")
            while all(p.poll() is None for p in processes.values()):
                time.sleep(0.5)
            stopped = [name for name, p in processes.items() if p.poll() is not None]
            self.stderr.write(f"{', '.join(stopped)} stopped; stopping the rest.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            self._stop(processes)

    def _say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

    def _wait_until_serving(self, url, processes, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in processes.values()):
                return
            try:
                with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own local URL)
                    return
            except OSError:
                time.sleep(0.5)

    def _stop(self, processes):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut this short
        for stop_signal, grace in ((signal.SIGINT, 15), (signal.SIGTERM, 5)):
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(stop_signal)
            deadline = time.monotonic() + grace
            for process in processes.values():
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for process in processes.values():
            if process.poll() is None:
                process.kill()
        self.stdout.write("Stopped the web server and the workers.")


def links_base_url(host: str, port: str) -> str:
    """PORTAL_BASE_URL when it is set, else the address this command serves."""
    if os.environ.get("PORTAL_BASE_URL"):
        return os.environ["PORTAL_BASE_URL"].rstrip("/")
    reachable = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104
    return f"http://{reachable}:{port}"


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


def _default_signals():
    """In the child, before exec: Ctrl-C and SIGTERM act normally even if ignored here."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
