"""Benchmarks for the creator side: roster import, metrics ingestion, roster page and API.

Run against PostgreSQL (a throw-away test database is created and dropped):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/creators_bench.py
    ... --quick     (10x smaller, for a smoke run)

Every figure comes with the raw baseline measured in the same run on the same rows: a plain
PostgreSQL COPY of the file into an unindexed table for the import paths, and the hand-written SQL
of the same page for the roster and the API. Ratios are ours / baseline.
"""

import argparse
import io
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from common import RESULTS, copy_tables, median_time, ratio, raw_copy, report, timed
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases

__all__ = ["RESULTS", "report", "settings", "setup_databases", "teardown_databases", "timed"]
STAMP = "2026-11-01 00:00:00+00"


def setup_people():
    from organizations.models import Membership, Organization, OrganizationStatus, OrgRole
    from portal.accounts.models import Role, User
    from portal.core.models import Category

    operator = User.objects.create_user(
        "bench-operator@example.com", "x", role=Role.OPERATOR, full_name="Ops"
    )
    owner = User.objects.create_user(
        "bench-owner@example.com", "x", role=Role.ORGANIZATION, full_name="Owner"
    )
    organization = Organization.objects.create(
        legal_name="基准测试文化传媒有限公司",
        status=OrganizationStatus.APPROVED,
        created_by=operator,
    )
    organization.primary_categories.set(Category.objects.all()[:2])
    Membership.objects.create(user=owner, organization=organization, role=OrgRole.OWNER)
    return operator, owner, organization


def roster_csv(rows: int, offset: int = 0) -> str:
    rng = random.Random(rows + offset)
    names = ["美妆", "数码3C", "宠物", "服饰穿搭", "运动", "食品生鲜", "母婴", "图书"]
    lines = ["平台账号ID,昵称,主类目,粉丝数,实名认证,绑定日期,来源"]
    for n in range(offset, offset + rows):
        lines.append(
            f"u9{n:011d},达人{n},{rng.choice(names)},{rng.randint(0, 5_000_000)},是,2026-11-{rng.randint(1, 28):02d},新招募"
        )
    return "\n".join(lines) + "\n"


def copy_roster(text: str, organization, owner) -> float:
    """The baseline of a roster file: COPY of its creators and their bindings into the real
    tables (their indexes, keys and triggers), rolled back."""
    from portal.core.models import Category

    categories = dict(Category.objects.values_list("name_zh", "pk"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) + 1000000 FROM creators_creator")
        first = cursor.fetchone()[0]
    creators, bindings = [], []
    for n, line in enumerate(text.splitlines()[1:], start=first):
        account, name, category, followers, _real, joined, _source = line.split(",")
        creators.append(
            (
                n,
                account,
                name,
                categories.get(category),
                followers,
                "t",
                "none",
                "",
                0,
                0,
                "0.00",
                None,
                STAMP,
                STAMP,
            )
        )
        bindings.append((n, organization.pk, "recruited", joined, "", owner.pk, STAMP))
    return copy_tables(
        [
            (
                "creators_creator",
                [
                    "id",
                    "platform_account_id",
                    "display_name",
                    "primary_category_id",
                    "follower_count",
                    "real_name_verified",
                    "stage",
                    "avatar",
                    "plays_30d",
                    "valid_plays_30d",
                    "gmv_30d",
                    "metrics_through",
                    "created_at",
                    "updated_at",
                ],
                creators,
            ),
            (
                "creators_binding",
                [
                    "creator_id",
                    "organization_id",
                    "source",
                    "started_on",
                    "end_reason",
                    "created_by_id",
                    "created_at",
                ],
                bindings,
            ),
        ]
    )


def copy_metrics(text: str) -> float:
    """The baseline of a metrics file: COPY of its rows into creators_dailymetric (its indexes,
    keys and triggers), rolled back."""
    from creators.models import Creator

    ids = dict(Creator.objects.values_list("platform_account_id", "pk"))
    rows = []
    for line in text.splitlines()[1:]:
        account, day, plays, valid, followers, published, original, gmv, orders, commission = (
            line.split(",")
        )
        rows.append(
            (
                ids[account],
                # Ten years earlier: days the import does not write (the second file repeats the
                # first one's days, which the first import wrote).
                date.fromisoformat(day) - timedelta(days=3650),
                plays,
                valid,
                valid,
                followers,
                published,
                original,
                gmv,
                orders,
                commission,
                "none",
                "",
                STAMP,
                0,
            )
        )
    return copy_tables(
        [
            (
                "creators_dailymetric",
                [
                    "creator_id",
                    "date",
                    "plays",
                    "valid_plays",
                    "counted_valid_plays",
                    "new_followers",
                    "videos_published",
                    "original_videos",
                    "gmv",
                    "orders",
                    "commission",
                    "flag",
                    "flag_review_note",
                    "received_at",
                    "interactions",
                ],
                rows,
            )
        ]
    )


def bench_roster_import(operator, owner, organization, rows: int, offset: int) -> None:
    from creators.models import ImportJob, ImportKind, ImportStatus
    from creators.services.imports import import_commit, import_validate

    text = roster_csv(rows, offset)
    base = copy_roster(text, organization, owner)
    job = ImportJob.objects.create(
        kind=ImportKind.CREATORS, organization=organization, file_name="bench.csv", created_by=owner
    )
    job.file.save("bench.csv", ContentFile(text.encode()))
    check, _job = timed(import_validate, job_id=job.pk)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
    commit, done = timed(import_commit, job_id=job.pk)
    assert done.status == ImportStatus.DONE and done.summary["bound"] == rows, done.summary
    copy = raw_copy(text, "a text, b text, c text, d bigint, e text, f date, g text")
    total = check + commit
    report(f"roster import {rows:,} rows: dry run", f"{check:7.2f} s")
    report(f"roster import {rows:,} rows: commit", f"{commit:7.2f} s")
    report(f"roster import {rows:,} rows: total", f"{total:7.2f} s  {rows / total:10,.0f} rows/s")
    ratio(
        f"roster import {rows:,} rows (check + commit) vs COPY into the real tables",
        total,
        base,
        goal=3,
    )
    ratio(f"roster import {rows:,} rows vs COPY of the file", total, copy)


def metrics_csv(account_ids: list[str], days: int) -> str:
    rng = random.Random(days)
    first = date(2026, 9, 1)
    lines = ["平台账号ID,日期,播放量,有效播放量,新增粉丝,发布视频数,原创视频数,成交额,订单数,佣金"]
    for account in account_ids:
        base = rng.randint(100, 200_000)
        for day in range(days):
            plays = int(base * rng.uniform(0.5, 1.5))
            lines.append(
                f"{account},{first + timedelta(days=day)},{plays},{int(plays * 0.9)},{rng.randint(-5, 200)},1,1,"
                f"{rng.randint(0, 9999)}.{rng.randint(0, 99):02d},{rng.randint(0, 50)},{rng.randint(0, 500)}.00"
            )
    return "\n".join(lines) + "\n"


def bench_metrics_import(operator, accounts: list[str], days: int) -> None:
    from creators.models import ImportJob, ImportKind, ImportStatus
    from creators.services.imports import import_commit, import_validate

    rows = len(accounts) * days
    text = metrics_csv(accounts, days)
    base = copy_metrics(text)
    job = ImportJob.objects.create(
        kind=ImportKind.METRICS, file_name="metrics.csv", created_by=operator
    )
    job.file.save("metrics.csv", ContentFile(text.encode()))
    check, _job = timed(import_validate, job_id=job.pk)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
    commit, done = timed(import_commit, job_id=job.pk)
    assert done.status == ImportStatus.DONE and done.summary["written"] == rows, done.summary
    copy = raw_copy(
        text,
        "a text, b date, c bigint, d bigint, e bigint, f int, g int, h numeric(16,2), i int, j numeric(14,2)",
    )
    total = check + commit
    report(f"metrics file {rows:,} rows: dry run", f"{check:7.2f} s")
    report(
        f"metrics file {rows:,} rows: commit (upsert, flags, 30-day figures)", f"{commit:7.2f} s"
    )
    report(f"metrics file {rows:,} rows: total", f"{total:7.2f} s  {rows / total:10,.0f} rows/s")
    ratio(
        f"metrics file {rows:,} rows (check + commit) vs COPY into the real table",
        total,
        base,
        goal=3,
    )
    ratio(f"metrics file {rows:,} rows vs COPY of the file", total, copy)


def bench_metrics_api(operator, accounts: list[str], rows: int) -> None:
    from creators.services.metrics import MetricRow, metrics_upsert

    rng = random.Random(7)
    batch = [
        MetricRow(
            platform_account_id=accounts[n % len(accounts)],
            date=date(2026, 11, 1) + timedelta(days=n // len(accounts)),
            plays=rng.randint(100, 10_000),
            valid_plays=50,
        )
        for n in range(rows)
    ]
    started = time.perf_counter()
    for start in range(0, rows, 5000):
        metrics_upsert(actor=operator, rows=batch[start : start + 5000])
    elapsed = time.perf_counter() - started
    report(
        f"metrics API service, {rows:,} rows in batches of 5,000",
        f"{elapsed:7.2f} s  {rows / elapsed:10,.0f} rows/s",
    )


def grow_to(creators: int, organizations: int) -> None:
    """Top the database up to `creators` creators, all bound, spread over `organizations`
    organizations, with COPY (this is test data, not the code under test)."""
    from organizations.models import Organization, OrganizationStatus
    from portal.accounts.models import User

    owner = User.objects.get(email="bench-operator@example.com")
    have = Organization.objects.count()
    Organization.objects.bulk_create(
        Organization(legal_name=f"机构{n}", status=OrganizationStatus.APPROVED, created_by=owner)
        for n in range(have, organizations)
    )
    org_ids = list(Organization.objects.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM creators_creator")
        count, top = cursor.fetchone()
        cursor.execute("SELECT MIN(id) FROM core_category")
        category = cursor.fetchone()[0]
        missing = creators - count
        if missing <= 0:
            return
        rng = random.Random(3)
        out = io.StringIO()
        for n in range(top + 1, top + 1 + missing):
            out.write(
                f"{n}\tb{n:012d}\t达人{n}\t{category + n % 20}\t{rng.randint(0, 9_000_000)}\tt\tnone\t\t"
                f"{rng.randint(0, 50_000_000)}\t0\t{rng.randint(0, 900_000)}.00\t\\N\t2026-11-01 00:00:00+00\t2026-11-01 00:00:00+00\n"
            )
        with cursor.cursor.copy(
            "COPY creators_creator (id, platform_account_id, display_name, primary_category_id, "
            "follower_count, real_name_verified, stage, avatar, plays_30d, valid_plays_30d, gmv_30d, "
            "metrics_through, created_at, updated_at) FROM STDIN"
        ) as copy:
            copy.write(out.getvalue().encode())
        out = io.StringIO()
        for n in range(top + 1, top + 1 + missing):
            out.write(
                f"{n}\t{org_ids[n % len(org_ids)]}\trecruited\t2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}\t\t{owner.pk}\t2026-11-01 00:00:00+00\n"
            )
        with cursor.cursor.copy(
            "COPY creators_binding (creator_id, organization_id, source, started_on, end_reason, "
            "created_by_id, created_at) FROM STDIN"
        ) as copy:
            copy.write(out.getvalue().encode())
        # Every binding's consent row (issue 19), consented with every scope as the data
        # migration made them: the roster joins it once per row.
        cursor.execute(
            "INSERT INTO creators_bindingconsent (binding_id, state, earnings, metrics, contact, "
            "contact_mobile, contact_email, salt, expires_at, links_sent, created_at) "
            "SELECT b.id, 'consented', TRUE, TRUE, TRUE, '', '', md5(b.id::text), now(), 0, now() "
            "FROM creators_binding b WHERE NOT EXISTS "
            "(SELECT 1 FROM creators_bindingconsent c WHERE c.binding_id = b.id)"
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('creators_creator', 'id'), (SELECT MAX(id) FROM creators_creator))"
        )
        cursor.execute("ANALYZE")


def bench_pages(creators: int, owner_email: str) -> None:
    from portal.accounts.models import User

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(User.objects.get(email="bench-operator@example.com"))
    raw = {
        "/creators/": "SELECT c.id, c.display_name, b.started_on, o.legal_name FROM creators_creator c "
        "LEFT JOIN creators_binding b ON b.creator_id = c.id AND b.ended_on IS NULL "
        "LEFT JOIN organizations_organization o ON o.id = b.organization_id "
        "ORDER BY c.plays_30d DESC, c.id LIMIT 25",
        "/creators/?sort=-joined": "SELECT c.id, c.display_name, b.started_on FROM creators_creator c "
        "LEFT JOIN creators_binding b ON b.creator_id = c.id AND b.ended_on IS NULL "
        "ORDER BY b.started_on DESC NULLS LAST, c.id LIMIT 25",
        "/creators/?sort=-followers": "SELECT id, display_name FROM creators_creator ORDER BY follower_count DESC, id LIMIT 25",
        "/creators/?q=达人123456": "SELECT id FROM creators_creator WHERE display_name LIKE '%%达人123456%%' LIMIT 25",
        "/api/v1/creators/": "SELECT c.*, b.organization_id FROM creators_creator c LEFT JOIN creators_binding b "
        "ON b.creator_id = c.id AND b.ended_on IS NULL ORDER BY c.id DESC LIMIT 50",
    }
    for url, sql in raw.items():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        count = len(queries.captured_queries)  # now: the next request clears the log
        assert response.status_code == 200, (url, response.status_code)
        ours = median_time(lambda url=url: client.get(url))

        def baseline(sql=sql, url=url):
            with connection.cursor() as cursor:
                cursor.execute(sql)
                cursor.fetchall()
                if url.startswith("/creators/"):
                    cursor.execute("SELECT COUNT(*) FROM creators_creator")

        base = median_time(baseline)
        report(
            f"{url} at {creators:,} creators (operator)",
            f"{ours * 1000:7.1f} ms  {count:2d} queries  raw SQL {base * 1000:6.1f} ms  ratio {ours / base:5.1f}x",
        )
    owner = User.objects.get(email=owner_email)
    client = Client()
    client.force_login(owner)
    client.get("/creators/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/creators/")
    count = len(queries.captured_queries)
    assert response.status_code == 200, response.status_code
    ours = median_time(lambda: client.get("/creators/"))
    organization_id = owner.membership.organization_id

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.id, c.display_name, b.started_on FROM creators_creator c "
                "JOIN creators_binding b ON b.creator_id = c.id AND b.ended_on IS NULL "
                "WHERE b.organization_id = %s ORDER BY b.started_on DESC, c.id LIMIT 25",
                [organization_id],
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT COUNT(*) FROM creators_binding WHERE organization_id = %s AND ended_on IS NULL",
                [organization_id],
            )

    base = median_time(baseline)
    report(
        f"/creators/ for one organization at {creators:,} creators",
        f"{ours * 1000:7.1f} ms  {count:2d} queries  raw SQL {base * 1000:6.1f} ms  ratio {ours / base:5.1f}x",
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10x smaller, for a smoke run")
    parser.add_argument("--scale", type=int, default=0, help="N times smaller (overrides --quick)")
    args = parser.parse_args()
    scale = args.scale or (10 if args.quick else 1)
    settings.MEDIA_ROOT = "/tmp/portal-bench-media"
    with common.bench_database("creators"):
        from portal.celery import app

        app.conf.task_always_eager = True
        operator, owner, organization = setup_people()
        print("Roster import (CSV, set-based: COPY into staging, INSERT ... SELECT)")
        bench_roster_import(operator, owner, organization, 10_000 // scale, offset=0)
        bench_roster_import(operator, owner, organization, 100_000 // scale, offset=10_000 // scale)
        accounts = [f"u9{n:011d}" for n in range(100_000 // scale)]
        print("Metrics ingestion")
        bench_metrics_import(operator, accounts, days=1)
        bench_metrics_import(operator, accounts, days=10)
        bench_metrics_api(operator, accounts, 100_000 // scale)
        print("Roster page and creators API")
        for size in (100_000 // scale, 1_000_000 // scale):
            grow_to(size, organizations=10_000 // scale)
            bench_pages(size, owner.email)
    common.print_results()


if __name__ == "__main__":
    main()
