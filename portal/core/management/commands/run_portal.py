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

from portal.accounts.models import User
from portal.core.demo import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Run the portal for development: migrate, load demo data once, serve web and worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, host, port, **options):
        # Started in the background by a script, a process inherits an ignored SIGINT; Ctrl-C (or
        # `kill -INT`) must still stop everything, and SIGTERM stops it the same way.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database is up to date.")
        call_command("seed_demo", if_empty=True)

        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        schedule = str(settings.VAR_DIR / "celerybeat-schedule")
        worker = [python, "-m", "celery", "-A", "portal", "worker", "--loglevel", "INFO"]
        quiet = ["--without-gossip", "--without-mingle"]
        processes = {
            # Emails, webhooks, settlements and the outbox, with beat.
            "worker": subprocess.Popen(
                [*worker, "-Q", "celery", "--beat", "--schedule", schedule, "-c", "2", *quiet],
                cwd=settings.BASE_DIR,
                preexec_fn=_default_signals,
            ),
            # Imports on their own worker: a large file never holds up the rest.
            "imports worker": subprocess.Popen(
                [*worker, "-Q", "imports", "-n", "imports@%h", "--concurrency", "1", *quiet],
                cwd=settings.BASE_DIR,
                preexec_fn=_default_signals,
            ),
            "web": subprocess.Popen(
                [python, manage, "runserver", f"{host}:{port}"],
                cwd=settings.BASE_DIR,
                preexec_fn=_default_signals,
            ),
        }
        url = f"http://{host}:{port}/"
        try:
            self._wait_until_serving(url + "healthz", processes)
            self.stdout.write(self.style.SUCCESS(f"\nThe portal is running at {url}"))
            if User.objects.filter(email__in=[email for email, _role in DEMO_LOGINS]).exists():
                self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
                for email, role in DEMO_LOGINS:
                    self.stdout.write(f"  {email:28} {role}")
            self.stdout.write("Press Ctrl-C to stop the web server and the workers.\n")
            while all(p.poll() is None for p in processes.values()):
                time.sleep(0.5)
            stopped = [name for name, p in processes.items() if p.poll() is not None]
            self.stderr.write(f"{', '.join(stopped)} stopped; stopping the rest.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            self._stop(processes)

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


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


def _default_signals():
    """In the child, before exec: Ctrl-C and SIGTERM act normally even if ignored here."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
