"""Production settings pass Django's deployment checks; the API schema is valid."""

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command


def clean_environment():
    """The developer's environment without the test-only and service variables."""
    drop = {
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "CACHE_URL",
        "EMAIL_HOST",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "PORTAL_BASE_URL",
        "HOST",
        "PORT",
    }
    return {k: v for k, v in os.environ.items() if k not in drop}


def run_deploy_check(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_deploy_checks_pass_with_debug_off_and_real_values(tmp_path):
    env = {
        **clean_environment(),
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "-production-secret-" + "z" * 30,
        "ALLOWED_HOSTS": "portal.example.com",
        "DATABASE_URL": "postgres://portal@db.example.com/portal",
        "CELERY_BROKER_URL": "redis://redis.example.com:6379/0",
        "CACHE_URL": "redis://redis.example.com:6379/1",
        "EMAIL_HOST": "smtp.example.com",
        "PORTAL_BASE_URL": "https://portal.example.com",
        "PORTAL_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_checks_warn_when_production_runs_on_development_services(tmp_path):
    env = {
        **clean_environment(),
        "EMAIL_HOST": "smtp.example.com",
        "DEBUG": "0",
        "SECRET_KEY": "k" * 60,
        "ALLOWED_HOSTS": "portal.example.com",
        "PORTAL_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    for check in ("portal.W001", "portal.W002", "portal.W003", "portal.W004"):
        assert check in result.stderr + result.stdout


def _setting(name: str, env: dict) -> str:
    result = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", f"from django.conf import settings; print(settings.{name})"],
        cwd=settings.BASE_DIR,
        env={**clean_environment(), "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_links_in_emails_default_to_the_address_make_run_serves(tmp_path):
    """They pointed at port 8000 whatever port the portal ran on."""
    env = {"PORTAL_VAR_DIR": str(tmp_path)}
    assert _setting("PORTAL_BASE_URL", {**env, "PORT": "8931"}) == "http://127.0.0.1:8931"
    every_interface = {**env, "HOST": "0.0.0.0", "PORT": "9000"}  # noqa: S104
    assert _setting("PORTAL_BASE_URL", every_interface) == "http://127.0.0.1:9000"
    configured = {**env, "PORT": "8931", "PORTAL_BASE_URL": "https://portal.example.com/"}
    assert _setting("PORTAL_BASE_URL", configured) == "https://portal.example.com"


def test_make_run_gives_its_own_address_to_the_worker_that_sends_the_mail(monkeypatch):
    from demo.management.commands.run_portal import links_base_url

    monkeypatch.delenv("PORTAL_BASE_URL", raising=False)
    assert links_base_url("127.0.0.1", "8931") == "http://127.0.0.1:8931"
    monkeypatch.setenv("PORTAL_BASE_URL", "https://portal.example.com")
    assert links_base_url("127.0.0.1", "8931") == "https://portal.example.com"


def test_the_openapi_schema_is_valid_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(out))
    text = out.read_text()
    for path in (
        "/api/v1/organizations/",
        "/api/v1/audit-entries/",
        "/api/v1/categories/",
        "/api/v1/me/",
    ):
        assert path in text


# --- keys (issue 13, finding 9) -----------------------------------------------------------------

PRODUCTION = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "portal.example.com",
    "DATABASE_URL": "postgres://portal@db.example.com/portal",
    "CELERY_BROKER_URL": "redis://redis.example.com:6379/0",
    "CACHE_URL": "redis://redis.example.com:6379/1",
    "EMAIL_HOST": "smtp.example.com",
}


def test_without_a_secret_key_production_refuses_to_start(tmp_path):
    env = {**clean_environment(), **PRODUCTION, "PORTAL_VAR_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)
    result = run_deploy_check(env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "no issues" not in result.stdout


def test_the_development_key_fails_the_deploy_check(tmp_path):
    from django.conf import settings as live

    env = {
        **clean_environment(),
        **PRODUCTION,
        "SECRET_KEY": live.DEVELOPMENT_SECRET_KEY,
        "PORTAL_VAR_DIR": str(tmp_path),
    }
    result = run_deploy_check(env)
    assert result.returncode != 0
    assert "portal.E001" in result.stdout + result.stderr


def test_a_weak_partner_token_key_fails_the_deploy_check(tmp_path):
    env = {
        **clean_environment(),
        **PRODUCTION,
        "SECRET_KEY": "k" * 20 + "-production-secret-" + "z" * 30,
        "PARTNER_TOKEN_KEY": "secret",
        "PORTAL_VAR_DIR": str(tmp_path),
    }
    result = run_deploy_check(env)
    assert result.returncode != 0
    assert "portal.E002" in result.stdout + result.stderr
