"""Videos made the way the content system sends them: through the services."""

import datetime
import itertools

from django.utils import timezone

from content.models import Video
from content.services import VideoRow, originality_check, videos_upsert
from portal.accounts.permissions import SYSTEM

_numbers = itertools.count(1)


def row(creator, *, video_id=None, frames=(), published_at=None, days_ago=None, **fields):
    if published_at is None:
        published_at = timezone.now() - datetime.timedelta(days=days_ago or 1, hours=1)
    return VideoRow(
        video_id=video_id or f"v{next(_numbers):08d}",
        platform_account_id=creator.platform_account_id,
        category=fields.pop("category", creator.primary_category.code),
        content_type=fields.pop("content_type", "review"),
        title=fields.pop("title", "油皮粉底液横评"),
        duration_seconds=fields.pop("duration_seconds", 180),
        published_at=published_at,
        frames=tuple(frames),
        **fields,
    )


def make_videos(*rows) -> list[Video]:
    result = videos_upsert(actor=SYSTEM, rows=list(rows), source="test")
    assert not result["errors"], result["errors"]
    return list(Video.objects.filter(video_id__in=[r.video_id for r in rows]).order_by("id"))


def make_video(creator, **kwargs) -> Video:
    return make_videos(row(creator, **kwargs))[0]


def check():
    return originality_check()


HASH_A = (0x0123456789ABCDEF, 0x1111222233334444, 0x7777888899990000)


def flipped(value: int, bits: int) -> int:
    """`value` with its lowest `bits` bits flipped (still a signed 64-bit value)."""
    from content.fingerprint import to_signed

    return to_signed(value ^ ((1 << bits) - 1))
