"""Liveness and readiness checks for load balancers and orchestrators."""

import time

from django.conf import settings
from django.db import connection
from kombu import Connection


def check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"status": "down", "error": type(exc).__name__}
    return {"status": "up", "ms": round(1000 * (time.monotonic() - started), 1)}


def check_broker() -> dict:
    """Open a fresh connection to the configured broker (not a pooled one that may be stale)."""
    started = time.monotonic()
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT,
            transport_options=options,
        ) as conn:
            conn.ensure_connection(max_retries=0)
            if conn.transport.driver_type == "redis":
                conn.default_channel.client.ping()
    except Exception as exc:
        return {"status": "down", "error": type(exc).__name__}
    return {"status": "up", "ms": round(1000 * (time.monotonic() - started), 1)}


def readiness() -> tuple[bool, dict]:
    checks = {"database": check_database(), "broker": check_broker()}
    return all(c["status"] == "up" for c in checks.values()), checks
