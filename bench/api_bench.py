"""Benchmark of the REST API: the main list endpoints and bulk metrics ingestion (issue #8).

Run against PostgreSQL (a throw-away database, <database>_bench_api, is created and dropped):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/api_bench.py
    ... --quick     (2,000 creators / 20,000 metric rows, for a smoke run)
    ... --skip lists,ingestion     (the reward-list lines HTML page only)

The data is settlement_bench's generate_series data (100,000 creators in organizations of 100, 10
metric days each: 1,000,000 metric rows) and the published reward list of its cycle. Every request
goes through the whole stack in-process (Django's test client: middleware, a partner token with
every read scope, DRF, cursor pagination) and is compared, in the same run, with a fair raw view
behind the same middleware: the endpoint's own get_queryset (the same scoping joins for the same
user, without authentication), the serializer's every field as .values() (many-to-many fields in
one more query each, as a prefetch would), the same order and page, as a JsonResponse. Ingestion
POSTs one day of metrics for every creator in batches of 1,000 and of 5,000 rows and is compared
with a COPY of the same rows into creators_dailymetric with its indexes and keys. Figures are the
best of N runs.
"""

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
import settlement_bench
from common import copy_rows, ratio, timed
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.test import Client
from django.urls import clear_url_caches, include, path, reverse
from rest_framework.fields import SerializerMethodField
from rest_framework.relations import ManyRelatedField

INGEST_BATCHES = (1_000, 5_000)
REPEAT = 5
QUICK = False
ACCOUNT = {}  # the partner application's account: the raw views answer as it, unauthenticated


# --- the raw views: the same rows, fields, scoping and page, .values() and JSON, nothing else ---


def serializer_paths(serializer_class) -> tuple[dict, list]:
    """The ORM path of every plain field of the serializer (name -> path), and the names of its
    many-to-many fields."""
    plain, many = {}, []
    for name, field in serializer_class().fields.items():
        if isinstance(field, ManyRelatedField):
            many.append(name)
        elif not isinstance(field, SerializerMethodField):
            plain[name] = field.source.replace(".", "__")
    return plain, many


def raw_view(viewset_class, extra=None):
    """A view answering the first page of `viewset_class`'s list: its own get_queryset (the same
    scoping joins for the same user), ordered as the cursor pagination orders, as .values() of
    the serializer's fields, each many-to-many field in one more query (in the related model's
    order, as the serializer gives them), `extra` (a function of the
    page's ids giving name -> {id: value}) for the computed fields; a JsonResponse."""
    plain, many = serializer_paths(viewset_class.serializer_class)
    paths = list(dict.fromkeys(plain.values()))

    def view(request, **kwargs):
        size = int(request.GET.get("page_size", 50))
        viewset = viewset_class()
        viewset.request = SimpleNamespace(user=ACCOUNT["user"], query_params={})
        viewset.kwargs = kwargs
        queryset = viewset.get_queryset().prefetch_related(None).order_by("-id")
        found = list(queryset.values(*paths)[: size + 1])
        rows = [{name: row[path] for name, path in plain.items()} for row in found[:size]]
        ids = [row["id"] for row in rows]
        model = queryset.model
        for name in many:
            field = model._meta.get_field(name)
            through = field.remote_field.through
            own, other = field.m2m_field_name(), field.m2m_reverse_field_name()
            # In the related model's order, as the serializer lists them (the same output).
            ordering = [
                f"-{other}__{key[1:]}" if key.startswith("-") else f"{other}__{key}"
                for key in field.related_model._meta.ordering
            ]
            values: dict = {}
            for pk, related in (
                through.objects.filter(**{f"{own}__in": ids})
                .order_by(*ordering)
                .values_list(f"{own}_id", f"{other}_id")
            ):
                values.setdefault(pk, []).append(related)
            for row in rows:
                row[name] = values.get(row["id"], [])
        for name, values in (extra(ids) if extra else {}).items():
            for row in rows:
                row[name] = values.get(row["id"])
        return JsonResponse(
            {"next": None if len(found) <= size else "...", "previous": None, "results": rows},
            encoder=DjangoJSONEncoder,
        )

    return view


def active_managers(ids) -> dict:
    from organizations.models import ManagerAssignment

    return {
        "manager": dict(
            ManagerAssignment.objects.active()
            .filter(organization_id__in=ids)
            .values_list("organization_id", "manager_id")
        )
    }


def raw_urls():
    from creators.api.views import CreatorViewSet, MetricViewSet
    from incentives.api.views import RewardListLineViewSet
    from organizations.api.views import OrganizationViewSet

    return [
        path("raw/organizations/", raw_view(OrganizationViewSet, active_managers)),
        path("raw/creators/", raw_view(CreatorViewSet)),
        path("raw/metrics/", raw_view(MetricViewSet)),
        path("raw/reward-lists/<int:reward_list_pk>/lines/", raw_view(RewardListLineViewSet)),
    ]


urlpatterns = [*raw_urls(), path("", include("portal.urls"))]


def partner_headers(operator) -> dict:
    from partners import services
    from partners.scopes import SCOPE_NAMES

    application = services.application_create(
        actor=operator,
        name="基准测试数据",
        contact_name="王芳",
        contact_email="bench@partner.example.com",
        scopes=SCOPE_NAMES,
        rate_limit=10_000_000,
    )
    _token, raw = services.token_issue(actor=operator, application=application)
    ACCOUNT["user"] = application.account
    return {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}


def bench_lists(client: Client, headers: dict, reward_list_id: int) -> None:
    endpoints = {
        "organizations": "organizations/",
        "creators": "creators/",
        "metrics": "metrics/",
        "reward-list lines": f"reward-lists/{reward_list_id}/lines/",
    }
    for name, tail in endpoints.items():
        for size in (100, 500):
            api_url = f"/api/v1/{tail}?page_size={size}"
            raw_url = f"/raw/{tail}?page_size={size}"
            first = client.get(api_url, headers=headers)
            assert first.status_code == 200, (api_url, first.status_code, first.content[:300])
            ours_rows = first.json()["results"]
            raw_rows = client.get(raw_url).json()["results"]
            assert [row["id"] for row in ours_rows] == [row["id"] for row in raw_rows], name
            assert set(ours_rows[0]) == set(raw_rows[0]), (
                name,
                set(ours_rows[0]) ^ set(raw_rows[0]),
            )
            # The second page too, so that the cursor is exercised.
            cursor = first.json()["next"]
            if cursor:
                assert client.get(cursor, headers=headers).status_code == 200
            requests = (20 if size == 100 else 8) // (4 if QUICK else 1)
            # Ours and the raw view alternate, run for run, so that both see the same load of a
            # shared machine; each figure is the best of its REPEAT runs.
            ours = base = float("inf")
            for _ in range(REPEAT):
                ours = min(
                    ours,
                    timed(
                        lambda u=api_url, n=requests: [
                            client.get(u, headers=headers) for _ in range(n)
                        ]
                    )[0],
                )
                base = min(
                    base, timed(lambda u=raw_url, n=requests: [client.get(u) for _ in range(n)])[0]
                )
            ratio(
                f"GET {name}, page_size {size} ({len(ours_rows)} rows), vs .values() of the same",
                ours / requests,
                base / requests,
                goal=1.3,
            )


def bench_lines_page(operator, reward_list) -> None:
    """The reward-list lines HTML page (issue #17): the whole request (session, view, template) of
    the page and of its HTMX fragment, on the first page, the last page offered and one kind, as
    the operator; the baseline is the page's own SELECT of its 50 lines (the one with the LIMIT,
    as the request sent it) run through psycopg on the same connection. p95 of 20 requests."""
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from incentives.models import RewardLine

    client = Client()
    client.force_login(operator)
    raw = connection.cursor().cursor
    kind = (
        RewardLine.objects.filter(reward_list=reward_list)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("-n")[0]["kind"]
    )
    url = reverse("incentives:list", args=[reward_list.pk])
    explained = False
    for query in ("", "?page=40", f"?kind={kind}"):
        for fragment in (False, True):
            headers = {"HTTP_HX_REQUEST": "true"} if fragment else {}
            client.get(url + query, **headers)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url + query, **headers)
            assert response.status_code == 200, (url + query, response.status_code)
            queries = captured.captured_queries
            sql = next(
                q["sql"]
                for q in queries
                if 'FROM "incentives_rewardline"' in q["sql"] and "LIMIT 50" in q["sql"]
            )
            if not query:  # where the request's database time goes
                print(f"  {'fragment' if fragment else 'page'}: its queries over 1 ms")
                for q in queries:
                    if float(q["time"]) >= 0.001:
                        print(f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][:140]}")
            if not explained:
                print("  The page's SELECT of its lines:")
                common.explain(sql)
                explained = True

            def baseline(sql=sql):
                raw.execute(sql)
                raw.fetchall()

            ours = common.p95_time(lambda u=url + query, h=headers: client.get(u, **h), 20)
            base = common.p95_time(baseline, 20)
            ratio(
                f"reward-list lines {'fragment' if fragment else 'page'} {query or 'page 1'}, "
                f"{len(queries)} queries, p95 vs its SELECT",
                ours,
                base,
            )


def bench_organization_suggestions(operator, reward_list) -> None:
    """The adjustment form's organization suggestions (issue #17): the whole request for part of
    a name that many organizations share, and for an id, vs the endpoint's own SELECT."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incentives.models import RewardLine

    client = Client()
    client.force_login(operator)
    raw = connection.cursor().cursor
    organization = (
        RewardLine.objects.filter(reward_list=reward_list)
        .exclude(organization=None)[0]
        .organization
    )
    url = reverse("incentives:list_adjust_organizations", args=[reward_list.pk])
    headers = {"HTTP_HX_REQUEST": "true"}
    for text in (organization.legal_name[:3], str(organization.pk)):
        client.get(url, {"organization": text}, **headers)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"organization": text}, **headers)
        assert response.status_code == 200
        sql = next(q["sql"] for q in captured.captured_queries if "LIMIT 20" in q["sql"])
        print(f"  The suggestions' SELECT for {text!r}:")
        common.explain(sql)

        def baseline(sql=sql):
            raw.execute(sql)
            raw.fetchall()

        ours = common.p95_time(lambda t=text: client.get(url, {"organization": t}, **headers), 20)
        base = common.p95_time(baseline, 20)
        ratio(
            f"adjustment organization suggestions {text!r} "
            f"({response.content.decode().count('<option')} options), p95 vs its SELECT",
            ours,
            base,
        )


def metric_rows(accounts: list[str], day: date) -> list[dict]:
    return [
        {
            "platform_account_id": account,
            "date": str(day),
            "plays": 1_000 + n % 5_000,
            "valid_plays": (1_000 + n % 5_000) * 9 // 10,
            "new_followers": n % 50,
            "videos_published": 1,
            "original_videos": 1,
            "gmv": f"{n % 1000}.50",
            "orders": n % 7,
            "commission": f"{n % 100}.25",
        }
        for n, account in enumerate(accounts)
    ]


METRIC_COLUMNS = [
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
]


def bench_ingestion(client: Client, headers: dict, creators: int) -> None:
    """One new day of metrics for every creator through POST /api/v1/metrics/, against a COPY of
    the same rows into creators_dailymetric with its indexes and keys (rolled back)."""
    accounts = [f"b{n:012d}" for n in range(1, creators + 1)]
    for number, batch in enumerate(INGEST_BATCHES):
        day = date(2026, 10, 15 + number)
        rows = metric_rows(accounts, day)
        started = time.perf_counter()
        for start in range(0, len(rows), batch):
            response = client.post(
                "/api/v1/metrics/",
                json.dumps({"rows": rows[start : start + batch]}),
                content_type="application/json",
                headers=headers,
            )
            assert response.status_code == 200, (response.status_code, response.content[:300])
            result = response.json()
            assert result["written"] == len(rows[start : start + batch]), str(result)[:300]
        ours = time.perf_counter() - started
        copy_day = date(2026, 9, 15 + number)
        base = copy_rows(
            "creators_dailymetric",
            METRIC_COLUMNS,
            (
                (
                    n,
                    copy_day,
                    row["plays"],
                    row["valid_plays"],
                    row["valid_plays"],
                    row["new_followers"],
                    1,
                    1,
                    row["gmv"],
                    row["orders"],
                    row["commission"],
                    "none",
                    "",
                    "2026-10-15 00:00:00+00",
                    0,
                )
                for n, row in enumerate(rows, start=1)
            ),
        )
        ratio(
            f"POST metrics, {creators:,} rows in batches of {batch:,}, vs COPY into the table",
            ours,
            base,
            goal=3,
            note=f"{creators / ours:,.0f} rows/s",
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10x smaller, for a smoke run")
    parser.add_argument("--skip", default="", help="lists,page,ingestion")
    args = parser.parse_args()
    global QUICK, REPEAT
    QUICK = args.quick
    creators = 2_000 if args.quick else 100_000
    if args.quick:
        REPEAT = 3
    skip = set(args.skip.split(","))
    settlement_bench.METRIC_DAYS = 10  # 1,000,000 metric rows at 100,000 creators
    settings.ALLOWED_HOSTS = ["*"]
    settings.ROOT_URLCONF = __name__
    clear_url_caches()
    with common.bench_database("api"):
        from django.db import connection
        from django.utils import timezone

        from creators.models import DailyMetric
        from incentives.models import ListStatus, RewardList
        from portal.celery import app

        app.conf.task_always_eager = True
        operator, cycle = settlement_bench.setup_program()
        with connection.cursor() as cursor:
            # settlement_bench's INSERT predates the `interactions` column (NOT NULL, no database
            # default); give it one in this throw-away database only.
            cursor.execute(
                "ALTER TABLE creators_dailymetric ALTER COLUMN interactions SET DEFAULT 0"
            )
        organizations, metric_rows_count, seconds = settlement_bench.grow_to(creators, operator)
        reward_list, _phases = settlement_bench.settle(operator, cycle)
        # Published directly (a list this large needs a second operator's approval; the review
        # steps are not what is measured here).
        RewardList.objects.filter(pk=reward_list.pk).update(
            status=ListStatus.PUBLISHED, published_at=timezone.now()
        )
        lines = reward_list.lines.count()
        metric_rows_count = DailyMetric.objects.count()
        print(
            f"API at {creators:,} creators, {organizations:,} organizations, "
            f"{metric_rows_count:,} metric rows, {lines:,} reward lines (data in {seconds:.1f} s; "
            f"best of {REPEAT}; partner token, test client in-process; times per request)"
        )
        client = Client()
        headers = partner_headers(operator)
        if "lists" not in skip:
            bench_lists(client, headers, reward_list.pk)
        if "page" not in skip:
            print("Reward-list lines page")
            bench_lines_page(operator, reward_list)
            bench_organization_suggestions(operator, reward_list)
        if "ingestion" not in skip:
            print("Metrics ingestion")
            bench_ingestion(client, headers, creators)
    common.print_results()


if __name__ == "__main__":
    main()
