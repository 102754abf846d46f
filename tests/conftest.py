"""Shared fixtures: fast settings, eager Celery, the people of every role, and the environment
checks that decide whether PostgreSQL-only and browser tests run, skip or fail."""

import fcntl
import os
import shutil

import pytest
from django.conf import settings as django_settings
from django.test import TransactionTestCase

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


def _empty_the_tables(self):
    """What a transactional test leaves is removed with DELETE on PostgreSQL, not TRUNCATE.

    Django empties the test database after each transactional test (browser tests, concurrency
    tests) with one TRUNCATE of every table: on PostgreSQL that makes new files for each of the
    120 tables and their indexes, about 1.5 s a test on an idle machine and 7 s on a loaded one.
    Here only the tables that have rows are emptied, with DELETE in one transaction (foreign keys
    are checked at its end): the same empty tables, in a fraction of the time. The audit log refuses
    DELETE, so it is truncated (the test database allows that, see `django_db_setup`). Content types
    and permissions are kept: Django's flush would recreate the same rows right away.

    On every database the rows the migrations seed are then put back, so each test, and a module
    fixture such as the crawl's demo, starts from the migrated database whichever test file ran
    before it in its worker."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import connections, transaction

    from portal.audit.models import AuditEntry

    names = self._databases_names(include_mirrors=False)
    if (
        self.available_apps is not None
        or self.serialized_rollback
        or any(connections[name].vendor != "postgresql" for name in names)
    ):
        _django_fixture_teardown(self)
        _seed_what_the_migrations_seed()
        return
    kept = {ContentType._meta.db_table, Permission._meta.db_table}
    for name in names:
        connection = connections[name]
        quote = connection.ops.quote_name
        tables = [
            table
            for table in connection.introspection.django_table_names(
                only_existing=True, include_views=False
            )
            if table not in kept
        ]
        with transaction.atomic(using=name), connection.cursor() as cursor:
            # Table names from Django's own introspection, quoted; no value is interpolated.
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT %s WHERE EXISTS (SELECT FROM {quote(table)})"  # noqa: S608
                    for table in tables
                ),
                tables,
            )
            filled = [table for (table,) in cursor.fetchall()]
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            if AuditEntry._meta.db_table in filled:
                cursor.execute(f"TRUNCATE {quote(AuditEntry._meta.db_table)}")
            for table in filled:
                if table != AuditEntry._meta.db_table:
                    cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
        # As Django's flush does: every model has its content type and permissions again.
        emit_post_migrate_signal(0, False, name)
    _seed_what_the_migrations_seed()


_django_fixture_teardown = TransactionTestCase._fixture_teardown
TransactionTestCase._fixture_teardown = _empty_the_tables


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


# `make test` runs the suite in pytest-xdist workers (gw0, gw1, …), each with a test database of
# its own; these are what the workers still share.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
SHARES_REDIS_OR_THE_BROKER = {"real_worker", "redis_cache_url"}


@pytest.fixture(autouse=True)
def _one_worker_at_a_time_on_redis_and_the_broker(request, tmp_path_factory):
    """Tests that start a Celery worker on the configured broker, or use Redis database 15, run
    one at a time across the xdist workers (a lock file of this run): no worker takes another
    worker's tasks (and runs them against the wrong test database), and no test flushes the
    counters another worker's test is checking."""
    shares = request.node.get_closest_marker("redis") or (
        SHARES_REDIS_OR_THE_BROKER & set(request.fixturenames)
    )
    if not (XDIST_WORKER and shares):
        yield
        return
    lock = tmp_path_factory.getbasetemp().parent / "redis-and-broker.lock"
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
    _seed_what_the_migrations_seed()


def _seed_what_the_migrations_seed():
    """The rows that migrations seed, put back where they are missing, with the migrations' own
    functions."""
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
