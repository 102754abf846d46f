"""The originality checks, set-based over batches of unchecked videos.

1. Near-duplicates (`content.fingerprint`): each key-frame hash of a video in the batch is looked
   up by its three bands (probes of at most threshold // 3 flipped bits), candidates are compared
   bit by bit (`content_hamming`), and a pair of videos matches when enough distinct key frames
   of the checked video match (the rule's `min_matching_frames`, or all its frames when it has
   fewer). A video without key frames is compared by its cover hash with other covers.
   Of a matching pair, the later publication is the suspect and the earlier one the presumed
   original: another creator's video is a near-duplicate, the creator's own a re-upload.
2. A declared-original video whose cover is within the stock threshold of a known stock image.
3. A creator whose share of videos rejected as copies over the rule's window reaches the rule's
   rate (with enough decided videos): every new video of theirs goes to review.
A video with a finding is "suspected" and gets a review in its field's queue; the others are
"clear". Checking the same batch again finds the same things and adds nothing.
"""

import datetime

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from content.fingerprint import BANDS, probe_masks
from content.models import (
    Decision,
    Finding,
    FindingKind,
    FrameSource,
    Originality,
    OriginalityReview,
    OriginalityRule,
    ReviewStatus,
    Video,
)
from portal.accounts.permissions import SYSTEM
from portal.audit.services import audit_record

BATCH = 2_000
UNDECIDED = (Originality.UNCHECKED, Originality.CLEAR, Originality.SUSPECTED)


def _xor(a: str, b: str) -> str:
    """XOR of two non-negative band values in SQL that both databases run (SQLite has no XOR)."""
    return f"(({a} | {b}) - ({a} & {b}))"


def candidate_sql() -> str:
    """Pairs (checked video, other video, key frames matched, least distance) within the
    threshold, for the videos in `content_checkbatch`; parameters: threshold (once per band)."""
    branches = []
    for band in range(BANDS):
        branches.append(
            f"""
  SELECT q.video_id AS qv, q.position AS qp, s.video_id AS sv,
         content_hamming(q.hash, s.hash) AS d
  FROM q
  JOIN content_checkprobe p ON p.band = {band}
  JOIN content_framehash s ON s.b{band} = {_xor(f"q.b{band}", "p.mask")}
  WHERE s.source = q.source AND s.video_id <> q.video_id
    AND content_hamming(q.hash, s.hash) <= %s"""
        )
    union = "\n  UNION ALL".join(branches)
    return f"""
WITH q AS (
  SELECT f.video_id, f.position, f.source, f.hash, f.b0, f.b1, f.b2
  FROM content_framehash f
  JOIN content_checkbatch b ON b.video_id = f.video_id
  WHERE f.source = %s OR (f.source = %s AND NOT EXISTS (
      SELECT 1 FROM content_framehash k WHERE k.video_id = f.video_id AND k.source = %s))
),
needed AS (SELECT video_id, COUNT(*) AS frames FROM q GROUP BY video_id),
cand AS ({union}
)
SELECT c.qv, c.sv, COUNT(DISTINCT c.qp) AS frames, MIN(c.d) AS distance
FROM cand c JOIN needed n ON n.video_id = c.qv
GROUP BY c.qv, c.sv, n.frames
HAVING COUNT(DISTINCT c.qp) >= CASE WHEN n.frames < %s THEN n.frames ELSE %s END
"""


def _scratch(cursor, video_ids: list[int], threshold: int) -> None:
    """Temporary tables of the batch and of the probes (the masks of each band)."""
    cursor.execute("DROP TABLE IF EXISTS content_checkbatch")
    cursor.execute("DROP TABLE IF EXISTS content_checkprobe")
    cursor.execute("CREATE TEMPORARY TABLE content_checkbatch (video_id bigint PRIMARY KEY)")
    cursor.execute("CREATE TEMPORARY TABLE content_checkprobe (band integer, mask integer)")
    for start in range(0, len(video_ids), 1000):
        chunk = video_ids[start : start + 1000]
        cursor.execute(
            "INSERT INTO content_checkbatch (video_id) VALUES " + ", ".join(["(%s)"] * len(chunk)),
            chunk,
        )
    masks = probe_masks(threshold)
    for start in range(0, len(masks), 500):
        chunk = masks[start : start + 500]
        cursor.execute(
            "INSERT INTO content_checkprobe (band, mask) VALUES "
            + ", ".join(["(%s, %s)"] * len(chunk)),
            [value for pair in chunk for value in pair],
        )
    if connection.vendor == "postgresql":
        cursor.execute("ANALYZE content_checkbatch")
        cursor.execute("ANALYZE content_checkprobe")


def near_duplicate_pairs(video_ids: list[int], rule: OriginalityRule) -> list[tuple]:
    """(checked video, other video, frames matched, distance) for every match of the batch."""
    if not video_ids:
        return []
    with connection.cursor() as cursor:
        _scratch(cursor, video_ids, rule.hamming_threshold)
        cursor.execute(
            candidate_sql(),
            [
                FrameSource.FRAME,
                FrameSource.COVER,
                FrameSource.FRAME,
                *[rule.hamming_threshold] * BANDS,
                rule.min_matching_frames,
                rule.min_matching_frames,
            ],
        )
        pairs = cursor.fetchall()
        cursor.execute("DROP TABLE content_checkbatch")
        cursor.execute("DROP TABLE content_checkprobe")
    return pairs


def _stock_findings(video_ids: list[int], rule: OriginalityRule) -> list[Finding]:
    if not video_ids:
        return []
    marks = ", ".join(["%s"] * len(video_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT f.video_id, st.id, MIN(content_hamming(f.hash, st.hash))
            FROM content_framehash f
            JOIN content_video v ON v.id = f.video_id AND v.declared_original
            JOIN content_stockimage st ON st.is_active
            WHERE f.source = %s AND f.video_id IN ({marks})
              AND content_hamming(f.hash, st.hash) <= %s
            GROUP BY f.video_id, st.id
            """,
            [FrameSource.COVER, *video_ids, rule.stock_threshold],
        )
        rows = cursor.fetchall()
    return [
        Finding(video_id=video, kind=FindingKind.STOCK_COVER, stock_image_id=stock, distance=d)
        for video, stock, d in rows
    ]


def _rate_findings(videos: list[Video], rule: OriginalityRule) -> list[Finding]:
    since = timezone.now() - datetime.timedelta(days=rule.rejection_window_days)
    creators = {video.creator_id for video in videos}
    rates = (
        Decision.objects.filter(
            review__video__creator_id__in=creators, decided_at__gte=since, on_appeal=False
        )
        .values("review__video__creator_id")
        .annotate(
            decided=Count("id"),
            rejected=Count("id", filter=Q(review__video__originality=Originality.COPY)),
        )
    )
    flagged = {}
    for row in rates:
        if (
            row["decided"] >= rule.rejection_min_decided
            and 100 * row["rejected"] >= rule.rejection_rate_percent * row["decided"]
        ):
            flagged[row["review__video__creator_id"]] = f"{row['rejected']}/{row['decided']}"
    return [
        Finding(video=video, kind=FindingKind.REJECTION_RATE, detail=flagged[video.creator_id])
        for video in videos
        if video.creator_id in flagged
    ]


def check_batch(videos: list[Video], rule: OriginalityRule) -> dict:
    """Run every check for `videos` and record findings, statuses and reviews."""
    ids = [video.pk for video in videos]
    pairs = near_duplicate_pairs(ids, rule)
    others = Video.objects.in_bulk({sv for _qv, sv, _n, _d in pairs} | set(ids))
    findings: list[Finding] = []
    suspects: set[int] = set()
    for qv, sv, frames, distance in pairs:
        checked, other = others[qv], others[sv]
        # The later publication is the suspect (ties: the later id), the earlier the original.
        suspect, original = (
            (checked, other)
            if (checked.published_at, checked.pk) > (other.published_at, other.pk)
            else (other, checked)
        )
        kind = (
            FindingKind.REUPLOAD
            if suspect.creator_id == original.creator_id
            else FindingKind.NEAR_DUPLICATE
        )
        findings.append(
            Finding(
                video=suspect,
                kind=kind,
                matched_video=original,
                distance=distance,
                frames_matched=frames,
            )
        )
        suspects.add(suspect.pk)
    findings += _stock_findings(ids, rule)
    findings += _rate_findings(videos, rule)
    Finding.objects.bulk_create(findings, ignore_conflicts=True)
    suspects |= {finding.video_id for finding in findings}
    to_review = list(
        Video.objects.filter(pk__in=suspects, originality__in=UNDECIDED).values_list(
            "pk", "category_id"
        )
    )
    Video.objects.filter(pk__in=[pk for pk, _c in to_review]).update(
        originality=Originality.SUSPECTED, updated_at=timezone.now()
    )
    OriginalityReview.objects.bulk_create(
        [OriginalityReview(video_id=pk, category_id=category) for pk, category in to_review],
        ignore_conflicts=True,
    )
    cleared = Video.objects.filter(pk__in=ids, originality=Originality.UNCHECKED).update(
        originality=Originality.CLEAR, updated_at=timezone.now()
    )
    return {"checked": len(ids), "suspected": len(to_review), "clear": cleared}


def originality_check(*, batch: int = BATCH, limit: int | None = None) -> dict:
    """Check every video waiting for it, a batch per transaction (a worker killed midway loses
    only its batch, which is checked again next time)."""
    rule = OriginalityRule.objects.in_force(timezone.localdate())
    totals = {"checked": 0, "suspected": 0, "clear": 0}
    while limit is None or totals["checked"] < limit:
        with transaction.atomic():
            videos = list(
                Video.objects.select_for_update(skip_locked=True)
                .filter(originality=Originality.UNCHECKED)
                .order_by("id")[:batch]
            )
            if not videos:
                break
            result = check_batch(videos, rule)
            audit_record(actor=SYSTEM, action="originality.check", after=result)
        for key in totals:
            totals[key] += result[key]
    return totals


__all__ = ["ReviewStatus", "check_batch", "near_duplicate_pairs", "originality_check"]
