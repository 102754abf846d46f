"""The one source of truth for "original videos": how many a creator published on a day.

Settlement (creator subsidy levels and traffic bands), the "successfully introduced" rule and the
reserve pool's scoring all read the view `content_creatorday` (model `content.CreatorDay`), never
`creators_dailymetric.original_videos` directly:

- From the day of a creator's first video in the portal, that day and every later one count the
  creator's videos published that day (Asia/Shanghai date): `videos_published` all of them,
  `original_videos` those declared original whose originality stands (everything but a video
  rejected as a copy; suspected and unchecked videos count until a reviewer rejects them).
- Before that day, and for creators without videos, the partner's reported daily figures count.

So a rejection changes what counts from the next computation on, a creator whose content system
starts sending videos mid-month keeps the figures reported before, and the same facts give the
same totals whichever way they arrive (tests/content/test_originals.py).
"""

VIEW = "content_creatorday"

# The pieces of the view, for statements that read the metrics once for several figures (the
# pool's scoring) and apply the same rule row by row instead of reading the view.
PORTAL_ORIGINAL = "CASE WHEN v.declared_original AND v.originality <> 'copy' THEN 1 ELSE 0 END"
FIRST_VIDEO_SQL = "SELECT creator_id, MIN(published_on) AS first_day\n           FROM content_video GROUP BY creator_id"


def reported_counts(metric: str = "m", first: str = "s") -> str:
    """The condition on a metric row (`metric`, joined to FIRST_VIDEO_SQL as `first`) under which
    its reported video figures count: the creator has no video in the portal on or before that
    day."""
    return f"{first}.first_day IS NULL OR {metric}.date < {first}.first_day"


VIEW_SQL = f"""
CREATE VIEW {VIEW} AS
SELECT v.creator_id AS creator_id, v.published_on AS date,
       COUNT(*) AS videos_published,
       SUM({PORTAL_ORIGINAL})
           AS original_videos
FROM content_video v
GROUP BY v.creator_id, v.published_on
UNION ALL
SELECT m.creator_id AS creator_id, m.date AS date,
       m.videos_published AS videos_published, m.original_videos AS original_videos
FROM creators_dailymetric m
LEFT JOIN ({FIRST_VIDEO_SQL}) s ON s.creator_id = m.creator_id
WHERE {reported_counts()}
"""

DROP_SQL = f"DROP VIEW IF EXISTS {VIEW}"
