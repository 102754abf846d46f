"""Benchmark of the REST API: the main list endpoints and bulk metrics ingestion (issue #8).

Run against PostgreSQL (a throw-away database, portal_bench_api, is created and dropped):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/api_bench.py
    ... --quick     (10,000 creators / 100,000 metric rows, for a smoke run)

The data is settlement_bench's generate_series data (100,000 creators in organizations of 100, 10
metric days each: 1,000,000 metric rows) and the published reward list of its cycle. Every request
goes through the whole stack in-process (Django's test client: middleware, a partner token with
every read scope, DRF, cursor pagination) and is compared, in the same run, with a raw view behind
the same middleware that returns `Model.objects.filter(...).values(...)[:page_size]` of the same rows
as a JsonResponse. Ingestion POSTs one day of metrics for every creator in batches of 1,000 rows and
is compared with a COPY of the same rows into creators_dailymetric. Figures are the best of N runs.
"""

import argparse
import io
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django

django.setup()

import settlement_bench
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.test import Client
from django.test.utils import setup_databases, teardown_databases
from django.urls import clear_url_caches, include, path

DATABASE_NAME = "portal_bench_api"
RESULTS: list[tuple[str, str]] = []
INGEST_BATCH = 1_000
REPEAT = 5


def report(label: str, value: str) -> None:
    RESULTS.append((label, value))
    print(f"  {label:58} {value}", flush=True)


def best_of(repeat: int, function) -> float:
    best = None
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best


# --- the raw views: the same rows, .values() and JsonResponse, nothing else ---------------------


def raw_view(model_path: str, fields: list[str], **filters):
    def view(request, **kwargs):
        from django.apps import apps

        model = apps.get_model(model_path)
        size = int(request.GET.get("page_size", 50))
        rows = list(
            model.objects.filter(
                **{k: kwargs[v] if isinstance(v, str) else v for k, v in filters.items()}
            )
            .order_by("-id")
            .values(*fields)[:size]
        )
        return JsonResponse({"results": rows})

    return view


RAW = {
    "organizations": raw_view(
        "organizations.Organization",
        ["id", "legal_name", "status", "created_at"],
        status__in=["approved", "suspended"],
    ),
    "creators": raw_view(
        "creators.Creator",
        ["id", "platform_account_id", "display_name", "primary_category_id", "follower_count"],
    ),
    "metrics": raw_view(
        "creators.DailyMetric",
        ["id", "creator_id", "date", "plays", "valid_plays", "gmv", "orders", "commission"],
    ),
    "lines": raw_view(
        "incentives.RewardLine",
        ["id", "creator_id", "organization_id", "kind", "pool", "amount"],
        reward_list_id="reward_list_pk",
    ),
}

urlpatterns = [
    path("raw/organizations/", RAW["organizations"]),
    path("raw/creators/", RAW["creators"]),
    path("raw/metrics/", RAW["metrics"]),
    path("raw/reward-lists/<int:reward_list_pk>/lines/", RAW["lines"]),
    path("", include("portal.urls")),
]


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
            rows = len(first.json()["results"])
            raw_rows = len(client.get(raw_url).json()["results"])
            assert rows == raw_rows, (name, rows, raw_rows)
            # The second page too, so that the cursor is exercised.
            cursor = first.json()["next"]
            if cursor:
                assert client.get(cursor, headers=headers).status_code == 200
            requests = 20 if size == 100 else 8
            ours = best_of(
                REPEAT,
                lambda u=api_url, n=requests: [client.get(u, headers=headers) for _ in range(n)],
            )
            base = best_of(REPEAT, lambda u=raw_url, n=requests: [client.get(u) for _ in range(n)])
            report(
                f"GET {name}, page_size {size} ({rows} rows)",
                f"{requests / ours:7.1f} req/s {rows * requests / ours:9,.0f} rows/s  "
                f"raw .values() {requests / base:7.1f} req/s  ratio {ours / base:5.1f}x",
            )


def bench_ingestion(client: Client, headers: dict, creators: int) -> None:
    accounts = [f"b{n:012d}" for n in range(1, creators + 1)]
    api_day, copy_day = date(2026, 10, 15), date(2026, 10, 14)
    rows = [
        {
            "platform_account_id": account,
            "date": str(api_day),
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
    started = time.perf_counter()
    for start in range(0, len(rows), INGEST_BATCH):
        response = client.post(
            "/api/v1/metrics/",
            json.dumps({"rows": rows[start : start + INGEST_BATCH]}),
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 200, (response.status_code, response.content[:300])
        result = response.json()
        assert result["written"] == len(rows[start : start + INGEST_BATCH]), str(result)[:300]
    ours = time.perf_counter() - started
    out = io.StringIO()
    for n in range(1, creators + 1):
        row = rows[n - 1]
        out.write(
            f"{n}\t{copy_day}\t{row['plays']}\t{row['valid_plays']}\t{row['valid_plays']}\t"
            f"{row['new_followers']}\t1\t1\t{row['gmv']}\t{row['orders']}\t{row['commission']}\t"
            "none\t\\N\t\\N\t\t2026-10-15 00:00:00+00\t0\n"
        )
    started = time.perf_counter()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            "COPY creators_dailymetric (creator_id, date, plays, valid_plays, counted_valid_plays, "
            "new_followers, videos_published, original_videos, gmv, orders, commission, flag, "
            "flag_baseline, flag_reviewed_by_id, flag_review_note, received_at, interactions) "
            "FROM STDIN"
        ) as copy,
    ):
        copy.write(out.getvalue().encode())
    base = time.perf_counter() - started
    report(
        f"POST metrics, {creators:,} rows in batches of {INGEST_BATCH:,}",
        f"{ours:7.2f} s {creators / ours:9,.0f} rows/s  COPY {base:6.2f} s  ratio {ours / base:5.1f}x",
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10x smaller, for a smoke run")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run the benchmarks on PostgreSQL: set DATABASE_URL=postgres://...")
    creators = 10_000 if args.quick else 100_000
    settlement_bench.METRIC_DAYS = 10  # 1,000,000 metric rows at 100,000 creators
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    settings.ROOT_URLCONF = __name__
    clear_url_caches()
    connection.settings_dict["TEST"]["NAME"] = DATABASE_NAME
    old = setup_databases(verbosity=0, interactive=False)
    try:
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
        organizations, metric_rows, seconds = settlement_bench.grow_to(creators, operator)
        reward_list, _phases = settlement_bench.settle(operator, cycle)
        # Published directly (a list this large needs a second operator's approval; the review
        # steps are not what is measured here).
        RewardList.objects.filter(pk=reward_list.pk).update(
            status=ListStatus.PUBLISHED, published_at=timezone.now()
        )
        lines = reward_list.lines.count()
        metric_rows = DailyMetric.objects.count()
        print(
            f"API throughput at {creators:,} creators, {organizations:,} organizations, "
            f"{metric_rows:,} metric rows, {lines:,} reward lines (data in {seconds:.1f} s; "
            f"best of {REPEAT}; partner token, test client in-process)"
        )
        client = Client()
        headers = partner_headers(operator)
        bench_lists(client, headers, reward_list.pk)
        print("Metrics ingestion")
        bench_ingestion(client, headers, creators)
    finally:
        teardown_databases(old, verbosity=0)
    print("\n| measure | figure |\n| --- | --- |")
    for label, value in RESULTS:
        print(f"| {label.strip()} | {value.strip()} |")


if __name__ == "__main__":
    main()
