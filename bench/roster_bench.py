"""The roster page and its HTMX fragment at 1,000,000 creators (issue #17): p95 per case against
the raw baseline of the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/roster_bench.py
    ... --creators 100000     (a smaller data set, in its own scratch database)
    ... --rebuild             (drop the scratch database and build it again)

The data set is built once, with INSERT ... SELECT generate_series, in a scratch database
(`<DATABASE_URL's database>_bench_roster_<size>`) that is kept for the next run: 10,000
organizations, one of them with about 110,000 creators, 95% of the creators bound, a tenth with an
ended binding before their current one.

Each case is a GET through Django's test client (the whole request: middleware, session, view,
template), as the operator across every organization and as the owner of the large organization;
the full page and the HTMX fragment. The baseline is the page's own SELECT (the one with the LIMIT,
as the request sent it) run through psycopg on the same connection. Figures: p95 of 20 requests.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from common import p95_time, ratio, report
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_databases

REPEAT = 20
BIG = "基准大机构有限公司"


def build(creators: int) -> None:
    """The data set, in SQL (test data, not the code under test)."""
    from organizations.models import Membership, Organization, OrganizationStatus, OrgRole
    from portal.accounts.models import Role, User

    operator = User.objects.create_user(
        "bench-operator@example.com", "x", role=Role.OPERATOR, full_name="Ops"
    )
    owner = User.objects.create_user(
        "bench-owner@example.com", "x", role=Role.ORGANIZATION, full_name="Owner"
    )
    big = Organization.objects.create(
        legal_name=BIG, status=OrganizationStatus.APPROVED, created_by=operator
    )
    Membership.objects.create(user=owner, organization=big, role=OrgRole.OWNER)
    Organization.objects.bulk_create(
        Organization(legal_name=f"机构{n}", status=OrganizationStatus.APPROVED, created_by=operator)
        for n in range(9_999)
    )
    words = "ARRAY['美妆','数码','宠物','穿搭','运动','美食','母婴','读书']"
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id) FROM core_category")
        category = cursor.fetchone()[0]
        cursor.execute(
            f"""
            INSERT INTO creators_creator (id, platform_account_id, display_name,
                primary_category_id, follower_count, real_name_verified, stage, avatar, plays_30d,
                valid_plays_30d, gmv_30d, metrics_through, created_at, updated_at)
            SELECT n, 'b' || lpad(n::text, 12, '0'), ({words})[n %% 8 + 1] || '达人' || n,
                %s + n %% 20, (n::bigint * 7919) %% 9000001, n %% 3 > 0, 'none', '',
                (n::bigint * 104729) %% 50000001, (n::bigint * 104729) %% 40000001,
                ((n::bigint * 15485863) %% 90000001) / 100.0, NULL, now(), now()
            FROM generate_series(1, %s) AS n
            """,
            [category, creators],
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('creators_creator', 'id'), %s)", [creators]
        )
        # About 110,000 creators (n % 9 = 0) in the large organization, 100 in each other one;
        # n % 20 = 7 unbound; n % 10 = 3 with an ended binding before the current one.
        cursor.execute(
            """
            INSERT INTO creators_binding (creator_id, organization_id, source, started_on,
                ended_on, end_reason, created_by_id, created_at)
            SELECT n, %s + 1 + n %% 9999, 'recruited', DATE '2024-01-01' + (n * 7 %% 300),
                DATE '2025-01-01', '', %s, now()
            FROM generate_series(1, %s) AS n WHERE n %% 10 = 3
            UNION ALL
            SELECT n, CASE WHEN n %% 9 = 0 THEN %s ELSE %s + 1 + n %% 9999 END,
                CASE WHEN n %% 10 = 3 THEN 'transferred' ELSE 'recruited' END,
                DATE '2025-01-01' + ((n::bigint * 7919) %% 700)::int, NULL, '', %s, now()
            FROM generate_series(1, %s) AS n WHERE n %% 20 <> 7 OR n %% 9 = 0
            """,
            [big.pk, operator.pk, creators, big.pk, big.pk, operator.pk, creators],
        )
        cursor.execute("VACUUM ANALYZE creators_creator")
        cursor.execute("VACUUM ANALYZE creators_binding")
        cursor.execute("ANALYZE")


def scratch_database(creators: int, rebuild: bool):
    """The kept scratch database with the data set, built when it is missing."""
    common.require_postgresql()
    settings.DEBUG = False
    name = common.database_name(f"roster_{creators}")
    connection.settings_dict["TEST"]["NAME"] = name
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
    if exists and rebuild:
        connection.creation._destroy_test_db(name, verbosity=0)
        exists = False
    setup_databases(verbosity=0, interactive=False, keepdb=True, serialized_aliases=set())
    from creators.models import Creator

    if not exists or not Creator.objects.exists():
        started = time.perf_counter()
        build(creators)
        report(f"built {creators:,} creators", f"{time.perf_counter() - started:7.1f} s")


def in_big_organization(n: int, creators: int) -> int:
    """n if it is a creator of the large organization (n % 9 = 0, so that the owner finds it
    too), else the one just below it; n is taken modulo the number of creators."""
    n %= creators
    return n - n % 9 or 9


def cases(creators: int) -> list[str]:
    """The pages measured. The searches find creators of the large organization: at 1,000,000,
    "达人12345" (creators 123,450-123,459 among them) and creator 123,453's account id; at smaller
    sizes the same kind of creator below those numbers."""
    sorts = ["-joined", "joined", "-followers", "-plays", "-gmv", "name"]
    name = 12_345 if creators > 123_459 else in_big_organization(12_345, creators)
    account = f"b{in_big_organization(123_453, creators):012d}"
    return [
        "/creators/",
        *[f"/creators/?sort={sort}" for sort in sorts],
        f"/creators/?q=达人{name}",
        f"/creators/?q={account}",
        "/creators/?page=40",
    ]


def p95(times: list[float]) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def page_select(queries) -> str:
    """The page's SELECT: the statement that reads creators with a LIMIT."""
    rows = [
        q["sql"]
        for q in queries
        if "LIMIT" in q["sql"]
        and "creators_creator" in q["sql"]
        and not q["sql"].startswith("SELECT COUNT")
        and "UPPER(" not in q["sql"]  # the search's ids
    ]
    return rows[0]


def bench(who: str, email: str, creators: int, repeat: int = REPEAT) -> None:
    from portal.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    raw = connection.cursor().cursor  # psycopg's own cursor
    for url in cases(creators):
        for fragment in (False, True):
            headers = {"HTTP_HX_REQUEST": "true"} if fragment else {}
            client.get(url, **headers)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, **headers)
            assert response.status_code == 200, (url, response.status_code)
            queries = list(captured.captured_queries)
            sql = page_select(queries)
            walls, cpus = [], []
            for _ in range(repeat):
                wall, cpu = time.perf_counter(), time.thread_time()
                client.get(url, **headers)
                cpus.append(time.thread_time() - cpu)
                walls.append(time.perf_counter() - wall)
            ours, cpu = p95(walls), p95(cpus)

            def baseline(sql=sql):
                raw.execute(sql)
                raw.fetchall()

            base = p95_time(baseline, repeat)
            kind = "fragment" if fragment else "page"
            met = (
                f"{'meets' if ours <= 0.1 else 'above'} 100 ms; Python CPU p95 {cpu * 1000:.0f} ms"
            )
            ratio(
                f"roster {kind} {url} at {creators:,} ({who}), {len(queries)} queries, p95",
                ours,
                base,
                note=met,
            )


def explain_all(email: str, creators: int, only_url: str = "") -> None:
    from portal.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    for url in cases(creators):
        if only_url and url != only_url:
            continue
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            client.get(url)
            print(f"  request {1000 * (time.perf_counter() - started):.1f} ms")
        print(f"\n  {url}")
        for query in captured.captured_queries:
            print(f"   {query['time']} s", query["sql"][:300])
            if "creators_" in query["sql"]:
                common.explain(query["sql"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--creators", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 creators")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--explain", action="store_true", help="print every query's plan")
    parser.add_argument("--only", default="", help="operator or owner")
    parser.add_argument("--url", default="", help="with --explain: this case only")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="requests per p95")
    args = parser.parse_args()
    creators = 100_000 if args.quick else args.creators
    settings.ALLOWED_HOSTS = ["*"]
    scratch_database(creators, args.rebuild)
    print("Roster page and fragment:", common.server_settings())
    people = {"operator": "bench-operator@example.com", "owner": "bench-owner@example.com"}
    for who, email in people.items():
        if args.only and who != args.only:
            continue
        if args.explain:
            explain_all(email, creators, args.url)
        else:
            bench(who, email, creators, args.repeat)
    common.print_results()


if __name__ == "__main__":
    main()
