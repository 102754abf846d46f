"""Shared fixtures: fast settings, eager Celery, the people of every role, and the environment
checks that decide whether PostgreSQL-only and browser tests run, skip or fail."""

import os
import shutil

import pytest
from django.conf import settings as django_settings

# Playwright's sync API runs an event loop in the main thread; Django's ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = (
    os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
)
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
REQUIRE_REDIS = os.environ.get("REQUIRE_REDIS") == "1"
ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
REDIS_URL = os.environ.get("REDIS_URL") or (
    django_settings.CELERY_BROKER_URL
    if django_settings.CELERY_BROKER_URL.startswith("redis://")
    else ""
)


def pytest_configure(config):
    if REQUIRE_BROWSER and not CHROMIUM:
        raise pytest.UsageError(
            "REQUIRE_BROWSER=1 but no Chromium was found (install Debian's chromium package)."
        )
    if REQUIRE_POSTGRES and not ON_POSTGRES:
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but DATABASE_URL is not a PostgreSQL URL.")
    if REQUIRE_REDIS and not REDIS_URL:
        raise pytest.UsageError("REQUIRE_REDIS=1 but CELERY_BROKER_URL is not a redis:// URL.")


def pytest_collection_modifyitems(config, items):
    skip_browser = pytest.mark.skip(
        reason="Chromium not found: browser tests skipped (install chromium, or set REQUIRE_BROWSER=1 to fail instead)"
    )
    skip_postgres = pytest.mark.skip(
        reason="needs PostgreSQL: set DATABASE_URL=postgres://... (REQUIRE_POSTGRES=1 fails instead)"
    )
    for item in items:
        if "browser" in item.keywords and not CHROMIUM:
            item.add_marker(skip_browser)
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_postgres)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The audit log refuses TRUNCATE (a trigger, portal/audit/migrations/0003), but Django empties
    the tables of the test database with TRUNCATE after transactional tests on PostgreSQL: allow
    it on the test database only (the trigger's own test turns it off again)."""
    if ON_POSTGRES:
        from django.db import connection

        with django_db_blocker.unblock(), connection.cursor() as cursor:
            name = connection.ops.quote_name(connection.settings_dict["NAME"])
            cursor.execute(f"ALTER DATABASE {name} SET portal.allow_audit_truncate = 'on'")
            cursor.execute("SET portal.allow_audit_truncate = 'on'")  # this session too
    yield


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Partner tokens remembered between requests, as in production (one process: the local
    # cache is shared by everything the test does).
    settings.PARTNER_TOKEN_CACHE = True
    from django.core.cache import cache

    from partners import token_cache

    cache.clear()
    token_cache.forget_all()


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Code called directly by a test speaks English; a request picks its own language (and
    Django leaves that language active in the thread afterwards, so reset it every time)."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _seeded_categories(request):
    """A transactional test empties every table when it ends, the data that migrations seed
    included (categories, program terms, review checks); put it back for the tests that follow,
    with the migrations' own functions."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = (
        "transactional_db" in names
        or "live_server" in names
        or (
            marker is not None
            and bool(marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
        )
    )
    if not (transactional or marker is not None or "db" in names):
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from importlib import import_module

    from django.apps import apps

    from organizations.models import ProgramTerms
    from portal.core.models import Category

    if not Category.objects.exists():
        import_module("portal.core.migrations.0002_seed_categories").seed(apps, None)
    if not ProgramTerms.objects.exists():
        import_module("organizations.migrations.0003_seed_terms_and_checks").seed(apps, None)
        import_module("creators.migrations.0003_seed_rules").seed(apps, None)
    from content.models import ContentType

    if not ContentType.objects.exists():
        import_module("content.migrations.0002_creator_day_view_and_seed").seed(apps, None)
    from growth.models import ScorecardVersion
    from placements.models import Surface

    if not Surface.objects.exists():
        import_module("placements.migrations.0002_seed_surfaces").seed(apps, None)
    if not ScorecardVersion.objects.exists():
        import_module("growth.migrations.0002_first_version_and_levels").seed(apps, None)
    from risk.models import RiskRuleSet

    if not RiskRuleSet.objects.exists():
        import_module("risk.migrations.0002_first_rules").seed(apps, None)


@pytest.fixture(autouse=True, scope="session")
def _eager_celery():
    """Tasks run inline unless a test starts a real worker (see tests/core/test_worker.py)."""
    from portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield


# --- people ------------------------------------------------------------------------------------


@pytest.fixture
def operator(db):
    from tests.accounts.factories import OperatorFactory

    return OperatorFactory(email="op@example.com", full_name="Olivia Operator")


@pytest.fixture
def beauty(db):
    from portal.core.models import Category

    return Category.objects.get(code="beauty")


@pytest.fixture
def pets(db):
    from portal.core.models import Category

    return Category.objects.get(code="pets")


@pytest.fixture
def manager(db, beauty):
    from tests.accounts.factories import ManagerFactory

    return ManagerFactory(email="mgr@example.com", full_name="Mia Manager", categories=[beauty])


@pytest.fixture
def pets_manager(db, pets):
    from tests.accounts.factories import ManagerFactory

    return ManagerFactory(email="pets@example.com", full_name="Pat Pets", categories=[pets])


@pytest.fixture
def organization(db, beauty):
    from tests.organizations.factories import OrganizationFactory

    return OrganizationFactory(legal_name="杭州星河文化传媒有限公司", categories=[beauty])


@pytest.fixture
def owner(organization):
    from organizations.models import OrgRole
    from tests.organizations.factories import make_member

    return make_member(organization, OrgRole.OWNER, email="owner@example.com")


@pytest.fixture
def member(organization):
    from organizations.models import OrgRole
    from tests.organizations.factories import make_member

    return make_member(organization, OrgRole.MEMBER, email="member@example.com")


@pytest.fixture
def other_organization(db, pets):
    from tests.organizations.factories import OrganizationFactory

    return OrganizationFactory(legal_name="上海远山网络科技有限公司", categories=[pets])


@pytest.fixture
def other_owner(other_organization):
    from organizations.models import OrgRole
    from tests.organizations.factories import make_member

    return make_member(other_organization, OrgRole.OWNER, email="other@example.com")


# --- Redis --------------------------------------------------------------------------------------


@pytest.fixture
def redis_cache_url():
    """A Redis database of its own (15) for tests that need the shared cache."""
    if not REDIS_URL:
        pytest.skip("needs Redis: set CELERY_BROKER_URL or REDIS_URL to a redis:// URL")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {REDIS_URL} is not reachable: {exc}")
    base = REDIS_URL.rsplit("/", 1)[0] if REDIS_URL.count("/") > 2 else REDIS_URL
    return f"{base}/15"


@pytest.fixture
def real_worker():
    """A Celery worker in a thread, taking tasks from the configured broker (Redis in CI, the
    file broker otherwise) instead of running them inline."""
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    app.conf.task_always_eager = False
    try:
        with start_worker(
            app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=10
        ):
            yield
    finally:
        app.conf.task_always_eager = True
