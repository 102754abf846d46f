"""Benchmarks for placements: the placement feed and the weekly fill.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/placements_bench.py
    ... --quick                                   (10x smaller, for a smoke run)
    ... --videos 10000000 --placements 1000000    (the issue's size; loading takes a long while)
    ... --keep                                    (load once into <database>_bench_placements,
                                                   keep it and measure the kept rows next time)

It joins `make bench`'s table (bench/run.py). A throw-away database (<database>_bench_placements)
is created and dropped, unless `--keep` keeps it for the next run. Videos, nominations and placements are
written with set-based SQL (generate_series), spread over 20 fields, four surfaces and 90 days,
one SKU per 20 placements. Every figure comes with the raw baseline of the same run:

- the feed by surface-day-field, surface-day and SKU: p95 of the API (`/api/v1/placements/` as
  the front ends call it, with a placements:read token: authentication, scoping, filters, cursor
  page, boost factors, ETag) against p95 of the hand-written indexed SELECT of the same page of
  rows with the same joins; and the p95 of the 304 answer to a request carrying the ETag;
- the weekly fill of one field with 100,000 (scaled) eligible videos: `fill_propose` (rolled back)
  against the raw ORDER BY … LIMIT of the same candidates, and against a hand-written INSERT …
  SELECT writing the same proposals (the floor of proposing); `--explain` prints its plan.
"""

import argparse
import datetime
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from common import bench_database, p95_time, ratio, report, timed
from creators_bench import setup_people
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

FIELDS = 20
DAYS = 90
FEED_GOAL = 3.0  # the API against the raw indexed SELECT of the same page


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def load(operator, videos: int, placements: int, eligible: int) -> dict:
    from content.models import ContentType
    from incentives.services.programs import program_create
    from placements.models import Surface
    from placements.services import placement_rule_add
    from portal.core.models import Category

    today = timezone.localdate()
    start = today - datetime.timedelta(days=30)
    fields = list(Category.objects.order_by("pk").values_list("pk", flat=True)[:FIELDS])
    outfit = ContentType.objects.get(code="outfit").pk
    surfaces = list(Surface.objects.order_by("pk").values_list("pk", flat=True))
    program = program_create(
        actor=operator,
        name="bench",
        starts_on=start.replace(day=1),
        ends_on=start.replace(day=1) + datetime.timedelta(days=400),
        cash_budget=Decimal(1),
        traffic_budget=Decimal(1_000_000_000),
    )
    placement_rule_add(
        actor=operator,
        program=program,
        effective_from=start,
        rate_per_thousand=Decimal(2),
        monthly_quota=10,
        grade_grants={},
        boosts={("S", "unchecked"): Decimal("1.5"), ("A", "unchecked"): Decimal("1.2")},
    )
    began = time.perf_counter()
    with transaction.atomic():  # all or nothing: a kept database never holds half a load
        insert_rows(operator, videos, placements, eligible, fields, outfit, surfaces, start)
    sql("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM placements_placement")
        made = cursor.fetchone()[0]
    report(
        f"loaded {videos:,} videos, {made:,} placements",
        f"{time.perf_counter() - began:8.1f} s",
    )
    return {"fields": fields, "start": start}


def loaded_world() -> dict | None:
    """The rows a kept database holds from an earlier `--keep` run, or None when it is empty."""
    from placements.models import InventoryRule
    from portal.core.models import Category

    start = InventoryRule.objects.order_by("effective_from").values_list(
        "effective_from", flat=True
    )
    if not start:
        return None
    fields = list(Category.objects.order_by("pk").values_list("pk", flat=True)[:FIELDS])
    return {"fields": fields, "start": start[0]}


def insert_rows(operator, videos, placements, eligible, fields, outfit, surfaces, start) -> None:
    sql(
        """INSERT INTO creators_creator (platform_account_id, display_name, primary_category_id,
             follower_count, real_name_verified, stage, avatar, plays_30d, valid_plays_30d,
             gmv_30d, created_at, updated_at)
           SELECT 'pb' || g, '达人' || g, %s, 1000, true, 'none', '', 0, 0, 0, now(), now()
           FROM generate_series(1, 10000) g""",
        [fields[0]],
    )
    sql(
        """INSERT INTO content_product (sku_id, name, category_name)
           SELECT 'SKU' || g, '商品' || g, '服饰' FROM generate_series(1, %s) g""",
        [max(placements // 20, 1)],
    )
    # Field 0 holds `eligible` graded outfit videos (the weekly fill's candidates); the rest are
    # spread over the other fields, a quarter of them graded.
    sql(
        """INSERT INTO content_video (video_id, creator_id, organization_id, category_id,
             content_type_id, title, duration_seconds, published_at, published_on,
             declared_original, cover, originality, grade, grade_score, plays, valid_plays, gmv,
             received_at, updated_at)
           SELECT 'pv' || g, c.first + (g %% 10000), NULL,
                  CASE WHEN g <= %s THEN %s ELSE (ARRAY[%s])[1 + g %% %s] END,
                  %s, '穿搭第' || g || '期', 60, now() - (g %% 200) * interval '1 day',
                  current_date - (g %% 200), true, '', 'clear',
                  CASE WHEN g <= %s THEN (ARRAY['S','A','B'])[1 + g %% 3]
                       WHEN g %% 4 = 0 THEN 'A' ELSE '' END,
                  CASE WHEN g <= %s OR g %% 4 = 0 THEN 60 + g %% 40 END, 0, 0, 0, now(), now()
           FROM generate_series(1, %s) g,
                (SELECT MIN(id) AS first FROM creators_creator) c""".replace(
            "ARRAY[%s]", "ARRAY[" + ",".join(str(f) for f in fields[1:]) + "]"
        ),
        [eligible, fields[0], len(fields) - 1, outfit, eligible, eligible, videos],
    )
    sql(
        """INSERT INTO placements_inventoryrule (surface_id, category_id, effective_from,
             slots_per_day, impressions_per_slot, created_by_id, created_at)
           SELECT s, f, %s, 1000, 10000, %s, now() FROM unnest(%s::bigint[]) s, unnest(%s::bigint[]) f""",
        [start, operator.pk, surfaces, fields],
    )
    per_day = max(placements // (len(surfaces) * len(fields) * DAYS), 1)
    sql(
        """INSERT INTO placements_inventoryday (surface_id, category_id, day, capacity, booked,
             impressions_per_slot, rule_id)
           SELECT r.surface_id, r.category_id, %s + d, 1000, %s, 10000, r.id
           FROM placements_inventoryrule r, generate_series(0, %s) d""",
        [start, per_day, DAYS - 1],
    )
    # Placements: the n-th takes video n (outside the fill's field), its inventory day, an SKU.
    sql(
        """INSERT INTO placements_nomination (video_id, surface_id, category_id, source, status,
             note, proposed_day, nominated_at, decline_reason, decision_note)
           SELECT v.id, i.surface_id, i.category_id, 'manager', 'accepted', '', i.day, now(), '', ''
           FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM content_video
                 WHERE category_id <> %s ORDER BY id LIMIT %s) v
           JOIN (SELECT id, surface_id, category_id, day,
                        row_number() OVER (ORDER BY day, surface_id, category_id) AS n
                 FROM placements_inventoryday) i ON i.n = 1 + (v.n - 1) / %s""",
        [fields[0], placements, per_day],
    )
    sql(
        """INSERT INTO placements_placement (nomination_id, inventory_day_id, surface_id,
             category_id, day, video_id, organization_id, product_id, impressions, status,
             withdrawn_reason, created_at, updated_at)
           SELECT n.id, i.id, n.surface_id, n.category_id, i.day, n.video_id, NULL,
                  (SELECT MIN(id) FROM content_product) + (n.id %% GREATEST(%s, 1)), 10000,
                  'scheduled', '', now(), now()
           FROM placements_nomination n
           JOIN placements_inventoryday i ON i.surface_id = n.surface_id
             AND i.category_id = n.category_id AND i.day = n.proposed_day""",
        [placements // 20],
    )


# The raw baseline: the same page of rows with the same joins, the codes the front ends send
# resolved by the same indexed lookups, hand-written, in the cursor's order.
FEED_SQL = """
SELECT p.id, s.code, p.day, c.code, v.video_id, cr.platform_account_id, pr.sku_id,
       p.impressions, p.status, p.withdrawn_reason, v.grade, v.originality, p.updated_at
FROM placements_placement p
JOIN placements_surface s ON s.id = p.surface_id
JOIN core_category c ON c.id = p.category_id
JOIN content_video v ON v.id = p.video_id
JOIN creators_creator cr ON cr.id = v.creator_id
LEFT JOIN content_product pr ON pr.id = p.product_id
WHERE {where}
ORDER BY p.id DESC LIMIT 51
"""
SURFACE = "p.surface_id = (SELECT id FROM placements_surface WHERE code = %s)"
FIELD = "p.category_id = (SELECT id FROM core_category WHERE code = %s)"
SKU = "p.product_id = (SELECT id FROM content_product WHERE sku_id = %s)"


def placement_count() -> int:
    from placements.models import Placement

    return Placement.objects.count()


def front_end_token(operator) -> dict:
    """A partner's token with placements:read, as the platform's front ends call the feed."""
    from partners import services

    application = services.application_create(
        actor=operator,
        name=f"前台 {timezone.now():%Y%m%d%H%M%S%f}",  # one per run of a kept database
        contact_name="王芳",
        contact_email="fe@partner.example.com",
        scopes=["placements:read"],
    )
    _token, raw = services.token_issue(actor=operator, application=application)
    return {"Authorization": f"Bearer {raw}"}, application.account


def bench_feed(operator, world: dict, runs: int, size: str) -> None:
    from django.http import QueryDict

    from content.models import Product
    from placements.api.filters import feed_filters
    from placements.models import Placement
    from placements.selectors import feed
    from portal.core.models import Category

    sample = Placement.objects.order_by("id")[Placement.objects.count() // 2]
    field = Category.objects.get(pk=sample.category_id).code
    sku = Product.objects.get(pk=sample.product_id).sku_id
    surface = sample.surface.code
    headers, account = front_end_token(operator)
    client = Client()
    cases = [
        (
            "surface-day-field",
            f"/api/v1/placements/?surface={surface}&date={sample.day}&field={field}",
            FEED_SQL.format(where=f"{SURFACE} AND p.day = %s AND {FIELD}"),
            [surface, sample.day, field],
        ),
        (
            "surface-day",
            f"/api/v1/placements/?surface={surface}&date={sample.day}",
            FEED_SQL.format(where=f"{SURFACE} AND p.day = %s"),
            [surface, sample.day],
        ),
        ("SKU", f"/api/v1/placements/?sku={sku}", FEED_SQL.format(where=SKU), [sku]),
    ]
    for label, url, raw, params in cases:
        response = client.get(url, headers=headers)
        assert response.status_code == 200 and response.json()["results"], url
        etag = response["ETag"]
        queries = []  # (Django's query log is reset at each request's start)

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(url, headers=headers)
        api = p95_time(lambda url=url: client.get(url, headers=headers), runs)
        cached = p95_time(
            lambda url=url, etag=etag: client.get(url, headers={**headers, "If-None-Match": etag}),
            runs,
        )

        def select(raw=raw, params=params):
            with connection.cursor() as cursor:
                cursor.execute(raw, params)
                cursor.fetchall()

        base = p95_time(select, runs)
        filters = feed_filters(QueryDict(url.split("?", 1)[1]))
        orm = p95_time(
            lambda filters=filters: list(feed(account, **filters).order_by("-id")[:51]), runs
        )
        rows = len(response.json()["results"])
        ratio(
            f"placement feed by {label}, {size}: API p95 / raw indexed SELECT p95",
            api,
            base,
            goal=FEED_GOAL,
            note=f"{len(queries)} queries, {rows} rows; 304 with the ETag: {cached * 1000:.1f} ms; "
            f"the feed's SELECT alone: {orm * 1000:.2f} ms",
        )


BOOSTS_SQL = """
SELECT v.id, v.video_id, cr.platform_account_id, c.code, v.grade, v.originality,
       COALESCE((SELECT b.factor FROM placements_boostfactor b WHERE b.rule_id = %s
                 AND b.grade = v.grade AND b.originality = v.originality), 1.00),
       v.updated_at
FROM content_video v
JOIN creators_creator cr ON cr.id = v.creator_id
JOIN core_category c ON c.id = v.category_id
WHERE v.category_id = (SELECT id FROM core_category WHERE code = %s) AND v.declared_original
  AND v.grade <> '' AND v.originality <> 'copy'
ORDER BY v.id DESC LIMIT 51
"""


def bench_boosts(operator, world: dict, runs: int, size: str) -> None:
    """The boost list of one field, as an operator's session reads it (the bench's videos have
    no organization, so a partner token sees none), against the raw indexed SELECT."""
    from placements.models import PlacementRule
    from portal.core.models import Category

    field = Category.objects.get(pk=world["fields"][1]).code
    rule = PlacementRule.objects.in_force(timezone.localdate())
    client = Client()
    client.force_login(operator)
    url = f"/api/v1/placements/boosts/?field={field}"
    response = client.get(url)
    assert response.status_code == 200 and response.json()["results"], url
    api = p95_time(lambda: client.get(url), runs)

    def select():
        with connection.cursor() as cursor:
            cursor.execute(BOOSTS_SQL, [rule.pk, field])
            cursor.fetchall()

    ratio(
        f"boost factors of one field, {size}: API p95 / raw indexed SELECT p95",
        api,
        p95_time(select, runs),
        goal=FEED_GOAL,
        note=f"{len(response.json()['results'])} rows",
    )


FILL_RAW = """SELECT id FROM content_video WHERE category_id = %s AND declared_original
AND grade IN ('S','A','B') AND content_type_id = (SELECT id FROM content_contenttype
WHERE code = 'outfit') AND originality NOT IN ('copy','suspected')
ORDER BY CASE grade WHEN 'S' THEN 4 WHEN 'A' THEN 3 WHEN 'B' THEN 2 ELSE 1 END DESC,
grade_score DESC NULLS LAST, published_at DESC, id DESC LIMIT %s"""

# The floor of proposing: the same rows written by one hand-written INSERT … SELECT.
FILL_INSERT = """INSERT INTO placements_nomination (video_id, surface_id, category_id, source,
status, note, proposed_day, nominated_at, decline_reason, decision_note)
SELECT v.id, %s, %s, 'auto_fill', 'pending', 'Weekly fill: grade ' || v.grade, %s, now(), '', ''
FROM ({raw}) c JOIN content_video v ON v.id = c.id"""


def bench_fill(operator, world: dict, eligible: int, explain: bool) -> None:
    from placements.models import Surface
    from placements.services import fill_propose
    from placements.services.scheduling import fill_candidates

    surface = Surface.objects.get(code="browse_outfit")
    field = world["fields"][0]
    monday = timezone.localdate() + datetime.timedelta(days=7 - timezone.localdate().weekday())

    def rolled_back(function):
        """Seconds of `function` in a transaction rolled back afterwards, and its result."""
        with transaction.atomic():
            found = timed(function)
            transaction.set_rollback(True)
        return found

    elapsed, proposed = rolled_back(
        lambda: fill_propose(actor=operator, surface=surface, category_id=field, week_start=monday)
    )
    if explain:
        print("    the candidates' query (fill_candidates, LIMIT the slots wanted):")
        query = fill_candidates(surface, field).values("id")[:proposed].query
        common.explain(*query.sql_with_params())

    def raw_select():
        with connection.cursor() as cursor:
            cursor.execute(FILL_RAW, [field, proposed])
            cursor.fetchall()

    def raw_insert():
        with connection.cursor() as cursor:
            cursor.execute(
                FILL_INSERT.format(raw=FILL_RAW), [surface.pk, field, monday, field, proposed]
            )

    raw = min(timed(raw_select)[0] for _ in range(3))
    written = min(rolled_back(raw_insert)[0] for _ in range(3))
    best = min(
        [elapsed]
        + [
            rolled_back(
                lambda: fill_propose(
                    actor=operator, surface=surface, category_id=field, week_start=monday
                )
            )[0]
            for _ in range(2)
        ]
    )
    ratio(
        f"weekly fill, {eligible:,} eligible videos: fill_propose / raw ORDER BY … LIMIT",
        best,
        raw,
        note=f"{proposed:,} proposed; best of 3",
    )
    ratio(
        f"weekly fill, {eligible:,} eligible videos: fill_propose / raw INSERT … SELECT",
        best,
        written,
        note=f"{proposed:,} nominations written, rolled back; best of 3",
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10x smaller, for a smoke run")
    parser.add_argument("--videos", type=int, default=1_000_000)
    parser.add_argument("--placements", type=int, default=100_000)
    parser.add_argument("--eligible", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--explain", action="store_true", help="print the fill's query plan")
    parser.add_argument(
        "--keep", action="store_true", help="keep the loaded database and reuse it next time"
    )
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    videos, placements = args.videos // scale, args.placements // scale
    database = common.kept_database if args.keep else bench_database
    with database("placements"):
        from portal.accounts.models import User

        common.settings.ALLOWED_HOSTS = ["testserver"]
        print(common.server_settings())
        world = loaded_world() if args.keep else None
        if world is None:
            operator, _owner, _organization = setup_people()
            world = load(operator, videos, placements, args.eligible // scale)
        else:
            operator = User.objects.get(email="bench-operator@example.com")
            report("reused the kept database", f"{placement_count():,} placements")
        print("Placement feed")
        bench_feed(operator, world, args.runs, f"{videos:,} videos")
        print("Boost factors")
        bench_boosts(operator, world, args.runs, f"{videos:,} videos")
        print("Weekly fill")
        bench_fill(operator, world, args.eligible // scale, args.explain)
    common.print_results()


if __name__ == "__main__":
    main()
