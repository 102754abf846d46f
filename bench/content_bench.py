"""Benchmarks for the content side: video ingestion, the near-duplicate check, the content page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/content_bench.py
    ... --quick            (10x smaller, for a smoke run)
    ... --stored 1000000,3000000,10000000   (the stored sizes of the near-duplicate check; the
        default 1M and 3M fit in about 15 minutes on two cores, 10M takes over an hour, most of
        it loading 30 million hashes through the band indexes)

A throw-away test database is created and dropped. Every figure comes with the raw baseline of
the same run on the same rows:

- ingestion: `videos_upsert` (the API's service: checks, upserts of videos, products, links and
  key-frame hashes, in batches of 5,000) against a plain COPY of the same videos and hashes into
  the same (indexed) tables;
- near-duplicates: the banded lookup (`near_duplicate_pairs`) of N new videos against the stored
  ones, against the brute-force SQL (every new key frame against every stored one with
  `content_hamming`). Brute force is linear in the new frames, so it runs on a sample of the new
  videos and is scaled up (said in the output); both must find the same pairs on the sample;
- the content page of an organization with 100,000 videos: time and queries of the page (whole
  and HTMX fragment) against the hand-written SQL of the same rows.
"""

import argparse
import datetime
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from common import ratio, report, timed
from creators_bench import setup_people
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

FRAMES = 3
BATCH = 5_000


def make_creators(organization, count: int) -> list[tuple[int, str]]:
    from portal.core.models import Category

    beauty = Category.objects.get(code="beauty").pk
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO creators_creator (platform_account_id, display_name, primary_category_id,
                follower_count, real_name_verified, stage, avatar, plays_30d, valid_plays_30d,
                gmv_30d, created_at, updated_at)
            SELECT 'bc' || LPAD(g::text, 10, '0'), '基准达人' || g, %s, 1000, true, 'none', '',
                   0, 0, 0, %s, %s
            FROM generate_series(1, %s) g
            """,
            [beauty, now, now, count],
        )
        cursor.execute(
            """
            INSERT INTO creators_binding (creator_id, organization_id, source, started_on,
                end_reason, created_by_id, created_at)
            SELECT id, %s, 'recruited', DATE '2026-01-01', '', %s, %s FROM creators_creator
            WHERE platform_account_id LIKE 'bc%%'
            """,
            [organization.pk, organization.created_by_id, now],
        )
        cursor.execute(
            "SELECT id, platform_account_id FROM creators_creator "
            "WHERE platform_account_id LIKE 'bc%%' ORDER BY id"
        )
        return cursor.fetchall()


def video_rows(creators, count: int, offset: int, rng: random.Random):
    from content.fingerprint import to_signed
    from content.services import ProductRow, VideoRow

    start = timezone.now() - datetime.timedelta(days=200)
    for n in range(offset, offset + count):
        _pk, account = creators[n % len(creators)]
        yield VideoRow(
            video_id=f"bv{n:09d}",
            platform_account_id=account,
            category="beauty",
            content_type="review",
            title=f"粉底液实测第{n}期",
            duration_seconds=180,
            published_at=start + datetime.timedelta(seconds=n * 7),
            products=(ProductRow(f"SKU{n % 5000}", "持妆粉底液", "彩妆"),),
            frames=tuple(to_signed(rng.getrandbits(64)) for _ in range(FRAMES)),
        )


def copy_videos(rows, creators_by_account, organization_id, type_id, category_id) -> None:
    """The baseline: COPY the same videos and key-frame hashes into the real tables."""
    from content.fingerprint import bands

    now = timezone.now()
    ids = []
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            "COPY content_video (video_id, creator_id, organization_id, category_id, "
            "content_type_id, title, duration_seconds, published_at, published_on, "
            "declared_original, cover, originality, grade, plays, valid_plays, gmv, "
            "received_at, updated_at) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(
                    (
                        row.video_id,
                        creators_by_account[row.platform_account_id],
                        organization_id,
                        category_id,
                        type_id,
                        row.title,
                        row.duration_seconds,
                        row.published_at,
                        row.published_at.date(),
                        True,
                        "",
                        "unchecked",
                        "",
                        0,
                        0,
                        0,
                        now,
                        now,
                    )
                )
                ids.append(row)
        cursor.execute("SELECT video_id, id FROM content_video WHERE video_id LIKE 'bv%%'")
        pks = dict(cursor.fetchall())
        with cursor.cursor.copy(
            "COPY content_framehash (video_id, creator_id, published_at, source, position, hash, "
            "b0, b1, b2) FROM STDIN"
        ) as copy:
            for row in ids:
                for position, value in enumerate(row.frames):
                    copy.write_row(
                        (
                            pks[row.video_id],
                            creators_by_account[row.platform_account_id],
                            row.published_at,
                            1,
                            position,
                            value,
                            *bands(value),
                        )
                    )


def truncate_videos() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE content_framehash, content_videoproduct, content_videometric, "
            "content_finding, content_originalityreview, content_gradingitem, content_video, "
            "content_product CASCADE"
        )


def bench_ingestion(operator, organization, creators, count: int) -> None:
    from content.models import ContentType
    from content.services import videos_upsert
    from portal.core.models import Category

    by_account = {account: pk for pk, account in creators}
    rows = list(video_rows(creators, count, 0, random.Random(1)))
    baseline, _ = timed(
        copy_videos,
        rows,
        by_account,
        organization.pk,
        ContentType.objects.get(code="review").pk,
        Category.objects.get(code="beauty").pk,
    )
    truncate_videos()
    # The originality check is queued for a worker after each request; it is measured on its own
    # (the near-duplicate benchmark), so here the queue keeps it instead of running it inline.
    from content.services import ingest

    queue, ingest.enqueue = ingest.enqueue, lambda task, **kwargs: None
    started = time.perf_counter()
    try:
        for start in range(0, count, BATCH):
            result = videos_upsert(actor=operator, rows=rows[start : start + BATCH], source="bench")
            assert not result["errors"], list(result["errors"].items())[:3]
    finally:
        ingest.enqueue = queue
    ours = time.perf_counter() - started
    report(f"ingest {count:,} videos ({FRAMES} key frames each): videos_upsert", f"{ours:8.1f} s")
    report(f"ingest {count:,} videos: COPY into the same tables", f"{baseline:8.1f} s")
    ratio(f"ingest {count:,} videos vs COPY into the same tables", ours, baseline)
    report(f"ingest {count:,} videos: rows per second", f"{count / ours:8,.0f}")


def load_stored(count: int, rng: random.Random) -> None:
    """`count` stored videos' key-frame hashes (COPY). The bench drops the frames' foreign key:
    the lookup reads only this table, and 10 million video rows would add nothing to measure."""
    from content.fingerprint import bands, to_signed

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'content_framehash'::regclass "
            "AND contype = 'f'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE content_framehash DROP CONSTRAINT "{name}"')
        cursor.execute("TRUNCATE content_framehash")
        now = timezone.now()
        with cursor.cursor.copy(
            "COPY content_framehash (video_id, creator_id, published_at, source, position, hash, "
            "b0, b1, b2) FROM STDIN"
        ) as copy:
            for video in range(1, count + 1):
                for position in range(FRAMES):
                    value = to_signed(rng.getrandbits(64))
                    copy.write_row((video, video % 50_000, now, 1, position, value, *bands(value)))
        cursor.execute("VACUUM ANALYZE content_framehash")


def add_new(new: int, stored: int, rng: random.Random, copies: int) -> list[int]:
    """`new` new videos (ids after the stored ones); the first `copies` copy a stored video's
    frames with one or two bits flipped."""
    from content.fingerprint import bands, to_signed

    ids = list(range(stored + 1, stored + new + 1))
    with connection.cursor() as cursor:
        sources = {}
        if copies:
            cursor.execute(
                "SELECT video_id, position, hash FROM content_framehash WHERE video_id <= %s",
                [copies],
            )
            for video, position, value in cursor.fetchall():
                sources[(video, position)] = value
        now = timezone.now()
        with cursor.cursor.copy(
            "COPY content_framehash (video_id, creator_id, published_at, source, position, hash, "
            "b0, b1, b2) FROM STDIN"
        ) as copy:
            for number, video in enumerate(ids):
                for position in range(FRAMES):
                    if number < copies:
                        value = to_signed(
                            sources[(number + 1, position)] ^ (1 << rng.randrange(64))
                        )
                    else:
                        value = to_signed(rng.getrandbits(64))
                    copy.write_row((video, 7, now, 1, position, value, *bands(value)))
        cursor.execute("ANALYZE content_framehash")
    return ids


def brute_force(ids: list[int], rule) -> set[tuple[int, int]]:
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 2")
        cursor.execute(
            f"""
            SELECT q.video_id, s.video_id
            FROM content_framehash q JOIN content_framehash s
              ON s.source = q.source AND s.video_id <> q.video_id
             AND content_hamming(q.hash, s.hash) <= %s
            WHERE q.video_id IN ({marks})
            GROUP BY q.video_id, s.video_id
            HAVING COUNT(DISTINCT q.position) >= %s
            """,
            [rule.hamming_threshold, *ids, min(rule.min_matching_frames, FRAMES)],
        )
        return set(cursor.fetchall())


def bench_near_duplicates(stored: int, new: int, sample: int) -> None:
    from content.models import OriginalityRule
    from content.services.checks import near_duplicate_pairs

    rng = random.Random(stored)
    rule = OriginalityRule(hamming_threshold=4, min_matching_frames=2)
    load_time, _ = timed(load_stored, stored, rng)
    ids = add_new(new, stored, rng, copies=min(100, new // 10))
    started = time.perf_counter()
    found = set()
    for start in range(0, len(ids), 10_000):
        found |= {
            (q, s) for q, s, _n, _d in near_duplicate_pairs(ids[start : start + 10_000], rule)
        }
    ours = time.perf_counter() - started
    # Brute force on a sample of the new videos (the planted copies first), scaled up.
    chunk = ids[:sample]
    brute_time, brute = timed(brute_force, chunk, rule)
    banded_sample = {(q, s) for q, s, _n, _d in near_duplicate_pairs(chunk, rule)}
    assert banded_sample == brute, (len(banded_sample), len(brute))
    scaled = brute_time * len(ids) / len(chunk)
    label = f"{new:,} new vs {stored:,} stored ({stored * FRAMES:,} hashes)"
    report(f"near-duplicates {label}: banded lookup", f"{ours:8.1f} s ({len(found)} pairs)")
    report(
        f"near-duplicates {label}: brute-force SQL",
        f"{scaled:8.1f} s (measured {brute_time:.1f} s on {len(chunk):,} new, scaled)",
    )
    report(f"near-duplicates {label}: ratio brute force / banded", f"{scaled / ours:8.1f} x")
    report(
        f"near-duplicates {label}: loading the stored hashes (COPY + index)", f"{load_time:8.1f} s"
    )


def bench_content_page(owner, organization, creators, count: int) -> None:
    truncate_videos()
    from content.models import ContentType
    from portal.core.models import Category

    rows = list(video_rows(creators, count, 0, random.Random(2)))
    copy_videos(
        rows,
        {a: pk for pk, a in creators},
        organization.pk,
        ContentType.objects.get(code="review").pk,
        Category.objects.get(code="beauty").pk,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE content_video")
    client = Client()
    client.force_login(owner)
    for label, headers, query in (
        ("page", {}, ""),
        ("HTMX fragment, page 40", {"HX-Request": "true"}, "?page=40"),
        ("filter: suspected, a field", {"HX-Request": "true"}, "?originality=suspected&category=1"),
    ):
        client.get("/content/" + query, headers=headers)  # warm
        with CaptureQueriesContext(connection) as queries:
            elapsed, response = timed(client.get, "/content/" + query, headers=headers)
        assert response.status_code == 200
        report(
            f"content page, {count:,} videos, {label}",
            f"{elapsed * 1000:8.0f} ms, {len(queries)} queries",
        )
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "SELECT COUNT(*) FROM content_video WHERE organization_id = %s", [organization.pk]
        )
        cursor.execute(
            "SELECT v.*, c.display_name FROM content_video v JOIN creators_creator c "
            "ON c.id = v.creator_id WHERE v.organization_id = %s "
            "ORDER BY v.published_at DESC, v.id DESC LIMIT 50",
            [organization.pk],
        )
        cursor.fetchall()
        raw = time.perf_counter() - started
    report(f"content page, {count:,} videos: hand-written SQL of the rows", f"{raw * 1000:8.0f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10x smaller, for a smoke run")
    parser.add_argument("--scale", type=int, default=0, help="N times smaller (overrides --quick)")
    parser.add_argument("--stored", default="", help="stored sizes, comma separated")
    parser.add_argument("--skip", default="", help="ingestion,duplicates,page")
    args = parser.parse_args()
    scale = args.scale or (10 if args.quick else 1)
    stored_sizes = (
        [int(s) for s in args.stored.split(",")]
        if args.stored
        else [1_000_000 // scale, 3_000_000 // scale]
    )
    settings.MEDIA_ROOT = "/tmp/portal-bench-media"
    settings.ALLOWED_HOSTS = ["testserver"]
    with common.bench_database("content"):
        from portal.celery import app

        app.conf.task_always_eager = True
        operator, owner, organization = setup_people()
        creators = make_creators(organization, 10_000)
        skip = set(args.skip.split(","))
        if "ingestion" not in skip:
            print("Video ingestion")
            bench_ingestion(operator, organization, creators, 1_000_000 // scale)
        if "page" not in skip:
            print("Content page of one organization")
            bench_content_page(owner, organization, creators, 100_000 // scale)
        if "duplicates" not in skip:
            print("Near-duplicate check")
            truncate_videos()
            for stored in stored_sizes:
                bench_near_duplicates(stored, 100_000 // scale, sample=20)
    common.print_results()


if __name__ == "__main__":
    main()
