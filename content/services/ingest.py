"""Videos and their daily figures from the content system: set-based upserts by platform id.

`videos_upsert` takes thousands of rows at once (the API's bulk endpoint and the import commit
both end here): rows are checked for shape first, then written with multi-row INSERT ... ON
CONFLICT statements (videos, products, the video-product links and the key-frame hashes), never
one save() per row. A video sent again updates its description; its creator never changes and
its organization (the one the creator was bound to when it was published) is kept. New or
changed fingerprints make the video wait for the originality check again, unless a reviewer has
already decided it.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from content.fingerprint import bands
from content.models import ContentType, FrameSource, Originality, Video
from creators.models import Binding
from creators.services.metrics import resolve_creators
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core.models import Category
from portal.core.queue import enqueue

CHUNK = 500
MAX_BIG = 2**63 - 1
MAX_GMV = Decimal("99999999999999.99")  # decimal(16, 2)
MAX_FRAMES = 16
MAX_PRODUCTS = 50
UNDECIDED = (Originality.UNCHECKED, Originality.CLEAR)


@dataclass(frozen=True)
class ProductRow:
    sku_id: str
    name: str
    category_name: str = ""


@dataclass(frozen=True)
class VideoRow:
    """One video as the content system describes it, already parsed (hashes as signed ints)."""

    video_id: str
    platform_account_id: str
    category: str  # creative-field code
    content_type: str  # content-type code
    title: str
    duration_seconds: int
    published_at: datetime.datetime
    declared_original: bool = True
    products: tuple[ProductRow, ...] = ()
    frames: tuple[int, ...] = ()


@dataclass(frozen=True)
class VideoMetricRow:
    video_id: str
    date: datetime.date
    plays: int = 0
    valid_plays: int = 0
    completion_rate: Decimal = Decimal(0)
    interactions: int = 0
    gmv: Decimal = Decimal(0)


@dataclass
class Lookups:
    creators: dict[str, int]
    categories: dict[str, int]
    types: dict[str, int]
    existing: dict[str, tuple[int, int, str]]  # video_id -> (pk, creator_id, originality)
    bindings: dict[int, list] = field(default_factory=dict)


def _lookups(rows: Sequence[VideoRow]) -> Lookups:
    ids = list({row.video_id for row in rows})
    existing = {}
    for start in range(0, len(ids), 5000):
        for pk, video_id, creator_id, originality in Video.objects.filter(
            video_id__in=ids[start : start + 5000]
        ).values_list("pk", "video_id", "creator_id", "originality"):
            existing[video_id] = (pk, creator_id, originality)
    creators = resolve_creators(row.platform_account_id for row in rows)
    bindings: dict[int, list] = {}
    creator_ids = list(set(creators.values()))
    for start in range(0, len(creator_ids), 5000):
        for creator_id, organization_id, started, ended in Binding.objects.filter(
            creator_id__in=creator_ids[start : start + 5000]
        ).values_list("creator_id", "organization_id", "started_on", "ended_on"):
            bindings.setdefault(creator_id, []).append((started, ended, organization_id))
    return Lookups(
        creators=creators,
        categories=dict(Category.objects.values_list("code", "pk")),
        types=dict(ContentType.objects.filter(is_active=True).values_list("code", "pk")),
        existing=existing,
        bindings=bindings,
    )


def organization_at(spans: list, day: datetime.date) -> int | None:
    """The organization of the binding in force on `day` (the one that started last)."""
    best = None
    for started, ended, organization_id in spans:
        in_force = started <= day and (ended is None or ended >= day)
        if in_force and (best is None or started > best[0]):
            best = (started, organization_id)
    return best[1] if best else None


def check_video(row: VideoRow, lookups: Lookups) -> str | None:
    """The reader's-language reason a row cannot be used, or None."""
    if not row.video_id or len(row.video_id) > 64:
        return _("The video id is 1 to 64 characters.")
    creator_id = lookups.creators.get(row.platform_account_id)
    if creator_id is None:
        return _("Unknown platform account id.")
    known = lookups.existing.get(row.video_id)
    if known is not None and known[1] != creator_id:
        return _("This video belongs to another creator.")
    if row.category not in lookups.categories:
        return _("Unknown creative field “%(value)s”.") % {"value": row.category}
    if row.content_type not in lookups.types:
        return _("Unknown content type “%(value)s”.") % {"value": row.content_type}
    if not row.title.strip() or len(row.title) > 200:
        return _("The title is 1 to 200 characters.")
    if not 0 <= row.duration_seconds <= 86_400:
        return _("The duration is 0 to 86,400 seconds.")
    if row.published_at > timezone.now() + datetime.timedelta(minutes=5):
        return _("The publication time is in the future.")
    if len(row.frames) > MAX_FRAMES:
        return _("At most %(n)s key-frame hashes per video.") % {"n": MAX_FRAMES}
    if len(row.products) > MAX_PRODUCTS:
        return _("At most %(n)s products per video.") % {"n": MAX_PRODUCTS}
    for product in row.products:
        if not product.sku_id or len(product.sku_id) > 64 or len(product.name) > 200:
            return _("A product needs a SKU id (at most 64 characters) and a name.")
        if len(product.category_name) > 100:
            return _("A product category is at most 100 characters.")
    return None


def _adapt(value):
    """Datetimes as the ORM stores them (naive UTC text on SQLite, as they are on PostgreSQL)."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _execute_values(cursor, head: str, rows: list[tuple], tail: str = "") -> None:
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        width = len(chunk[0])
        values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(chunk))
        cursor.execute(f"{head} VALUES {values} {tail}", [_adapt(v) for row in chunk for v in row])


@transaction.atomic
def videos_upsert(*, actor, rows: Sequence[VideoRow], source: str = "api") -> dict:
    """Write videos (creating or updating by platform id). Returns counts and, by row position,
    the reasons rows could not be used."""
    authorize(actor, "content.write")
    lookups = _lookups(rows)
    errors: dict[int, str] = {}
    usable: dict[str, VideoRow] = {}
    for index, row in enumerate(rows):
        problem = check_video(row, lookups)
        if problem:
            errors[index] = problem
        else:
            usable[row.video_id] = row  # the last copy of a repeated video wins
    now = timezone.now()
    created = [r for r in usable.values() if r.video_id not in lookups.existing]
    with connection.cursor() as cursor:
        _write_videos(cursor, usable, lookups, now)
        ids = _video_ids(list(usable))
        _write_products(cursor, usable, ids)
        _write_frames(cursor, usable, ids, lookups)
    summary = {
        "received": len(rows),
        "created": len(created),
        "updated": len(usable) - len(created),
        "rejected": len(errors),
        "source": source,
    }
    if usable:
        audit_record(actor=actor, action="content.videos_upsert", after=summary)
        enqueue("content.tasks.check_originality")
    return {**summary, "errors": errors}


def _write_videos(cursor, usable, lookups, now) -> None:
    values = []
    for row in usable.values():
        creator_id = lookups.creators[row.platform_account_id]
        day = timezone.localdate(row.published_at)
        values.append(
            (
                row.video_id,
                creator_id,
                organization_at(lookups.bindings.get(creator_id, []), day),
                lookups.categories[row.category],
                lookups.types[row.content_type],
                row.title.strip(),
                row.duration_seconds,
                row.published_at,
                day,
                row.declared_original,
                "",
                Originality.UNCHECKED,
                "",
                0,
                0,
                0,
                now,
                now,
            )
        )
    if not values:
        return
    _execute_values(
        cursor,
        "INSERT INTO content_video (video_id, creator_id, organization_id, category_id, "
        "content_type_id, title, duration_seconds, published_at, published_on, "
        "declared_original, cover, originality, grade, plays, valid_plays, gmv, received_at, "
        "updated_at)",
        values,
        # The organization at publication is kept; so is the creator (checked above).
        "ON CONFLICT (video_id) DO UPDATE SET category_id = excluded.category_id, "
        "content_type_id = excluded.content_type_id, title = excluded.title, "
        "duration_seconds = excluded.duration_seconds, published_at = excluded.published_at, "
        "published_on = excluded.published_on, declared_original = excluded.declared_original, "
        "updated_at = excluded.updated_at",
    )


def _video_ids(video_ids: list[str]) -> dict[str, int]:
    found = {}
    for start in range(0, len(video_ids), 5000):
        found.update(
            Video.objects.filter(video_id__in=video_ids[start : start + 5000]).values_list(
                "video_id", "pk"
            )
        )
    return found


def _write_products(cursor, usable, ids) -> None:
    products = {}
    for row in usable.values():
        for product in row.products:
            products[product.sku_id] = (product.sku_id, product.name, product.category_name)
    if products:
        _execute_values(
            cursor,
            "INSERT INTO content_product (sku_id, name, category_name)",
            list(products.values()),
            "ON CONFLICT (sku_id) DO UPDATE SET name = excluded.name, "
            "category_name = excluded.category_name",
        )
    pks = [ids[video_id] for video_id in usable]
    for start in range(0, len(pks), 5000):
        chunk = pks[start : start + 5000]
        cursor.execute(
            "DELETE FROM content_videoproduct WHERE video_id IN ("  # noqa: S608 - placeholders
            + ", ".join(["%s"] * len(chunk))
            + ")",
            chunk,
        )
    links = {
        (ids[row.video_id], product.sku_id) for row in usable.values() for product in row.products
    }
    if links:
        skus = dict(
            _select_pairs(cursor, "SELECT sku_id, id FROM content_product", "sku_id", products)
        )
        _execute_values(
            cursor,
            "INSERT INTO content_videoproduct (video_id, product_id)",
            sorted((video, skus[sku]) for video, sku in links),
            "ON CONFLICT DO NOTHING",
        )


def _select_pairs(cursor, sql: str, column: str, keys) -> list:
    keys, found = list(keys), []
    for start in range(0, len(keys), 5000):
        chunk = keys[start : start + 5000]
        cursor.execute(f"{sql} WHERE {column} IN ({', '.join(['%s'] * len(chunk))})", chunk)
        found.extend(cursor.fetchall())
    return found


def _write_frames(cursor, usable, ids, lookups) -> None:
    """Replace the key-frame hashes of videos that sent some; a video that was only
    machine-checked is checked again (a reviewed one keeps its decision)."""
    with_frames = [row for row in usable.values() if row.frames]
    if not with_frames:
        return
    pks = [ids[row.video_id] for row in with_frames]
    for start in range(0, len(pks), 5000):
        chunk = pks[start : start + 5000]
        marks = ", ".join(["%s"] * len(chunk))
        cursor.execute(
            f"DELETE FROM content_framehash WHERE source = %s AND video_id IN ({marks})",  # noqa: S608
            [FrameSource.FRAME, *chunk],
        )
        cursor.execute(
            f"UPDATE content_video SET originality = %s WHERE originality = %s "  # noqa: S608
            f"AND id IN ({marks})",
            [Originality.UNCHECKED, Originality.CLEAR, *chunk],
        )
    values = []
    for row in with_frames:
        creator_id = lookups.creators[row.platform_account_id]
        for position, value in enumerate(row.frames):
            values.append(
                (
                    ids[row.video_id],
                    creator_id,
                    row.published_at,
                    FrameSource.FRAME,
                    position,
                    value,
                    *bands(value),
                )
            )
    _execute_values(
        cursor,
        "INSERT INTO content_framehash (video_id, creator_id, published_at, source, position, "
        "hash, b0, b1, b2)",
        values,
    )


def check_metric(row: VideoMetricRow, published_on: dict[str, datetime.date]) -> str | None:
    day = published_on.get(row.video_id)
    if day is None:
        return _("Unknown video id.")
    for value in (row.plays, row.valid_plays, row.interactions):
        if not 0 <= value <= MAX_BIG:
            return _("Counts are whole numbers from 0 to 9,223,372,036,854,775,807.")
    if row.valid_plays > row.plays:
        return _("Valid plays cannot exceed plays.")
    if not row.completion_rate.is_finite() or not 0 <= row.completion_rate <= 1:
        return _("The completion rate is between 0 and 1.")
    if not row.gmv.is_finite() or not 0 <= row.gmv <= MAX_GMV:
        return _("GMV is an amount from 0 to 99,999,999,999,999.99 CNY.")
    if row.date > timezone.localdate():
        return _("The date is in the future.")
    if row.date < day:
        return _("The date is before the video was published.")
    return None


@transaction.atomic
def video_metrics_upsert(*, actor, rows: Sequence[VideoMetricRow], source: str = "api") -> dict:
    """Write per-video daily figures (a day sent again replaces the figures) and refresh the
    videos' totals, set-based."""
    authorize(actor, "content.write")
    wanted = list({row.video_id for row in rows})
    known: dict[str, tuple[int, datetime.date]] = {}
    for start in range(0, len(wanted), 5000):
        for video_id, pk, day in Video.objects.filter(
            video_id__in=wanted[start : start + 5000]
        ).values_list("video_id", "pk", "published_on"):
            known[video_id] = (pk, day)
    published_on = {video_id: day for video_id, (_pk, day) in known.items()}
    errors: dict[int, str] = {}
    usable: dict[tuple[int, datetime.date], VideoMetricRow] = {}
    for index, row in enumerate(rows):
        problem = check_metric(row, published_on)
        if problem:
            errors[index] = problem
        else:
            usable[(known[row.video_id][0], row.date)] = row
    now = timezone.now()
    values = [
        (pk, day, r.plays, r.valid_plays, r.completion_rate, r.interactions, r.gmv, now)
        for (pk, day), r in usable.items()
    ]
    with connection.cursor() as cursor:
        if values:
            _execute_values(
                cursor,
                "INSERT INTO content_videometric (video_id, date, plays, valid_plays, "
                "completion_rate, interactions, gmv, received_at)",
                values,
                "ON CONFLICT (video_id, date) DO UPDATE SET plays = excluded.plays, "
                "valid_plays = excluded.valid_plays, completion_rate = excluded.completion_rate, "
                "interactions = excluded.interactions, gmv = excluded.gmv, "
                "received_at = excluded.received_at",
            )
        refresh_totals(cursor, sorted({pk for pk, _day in usable}))
    summary = {
        "received": len(rows),
        "written": len(usable),
        "rejected": len(errors),
        "source": source,
    }
    if usable:
        audit_record(actor=actor, action="content.metrics_upsert", after=summary)
    return {**summary, "errors": errors}


def refresh_totals(cursor, video_pks: list[int]) -> None:
    """Each video's totals from its daily figures, in one statement per chunk."""
    for start in range(0, len(video_pks), 5000):
        chunk = video_pks[start : start + 5000]
        marks = ", ".join(["%s"] * len(chunk))
        cursor.execute(
            f"""
            UPDATE content_video SET
              plays = COALESCE((SELECT SUM(m.plays) FROM content_videometric m
                                WHERE m.video_id = content_video.id), 0),
              valid_plays = COALESCE((SELECT SUM(m.valid_plays) FROM content_videometric m
                                      WHERE m.video_id = content_video.id), 0),
              gmv = COALESCE((SELECT SUM(m.gmv) FROM content_videometric m
                              WHERE m.video_id = content_video.id), 0)
            WHERE id IN ({marks})
            """,  # noqa: S608
            chunk,
        )
