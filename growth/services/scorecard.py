"""The monthly health score of the organizations: one set-based INSERT ... SELECT per month and two
UPDATEs for the levels, in SQL that runs the same on PostgreSQL and SQLite.

Definitions, for the month M = [start, end) and the scorecard version in force on `start`:

- Scored: the organizations whose status is "approved" when the month is computed.
- A binding covers a day D when started_on <= D and (ended_on is empty or ended_on > D).
- Figures of an organization (0 when there are none):
  creators: creators with a binding to it that covers a day of M;
  videos, original_videos: the sums over M of the one source of truth (`content_creatorday`) for
  its creators on the days their binding to it covers; active_creators: those of its creators
  with at least one video published on such a day;
  recruited: its recruited bindings that start in M; qualified: those of them that count as
  successfully introduced in M (`creators.introduced.counting_bindings`, the program's rule);
  violations: days of M with confirmed abnormal plays of its creators (on days it held them),
  plus its videos published in M reviewed as copies, plus what other apps confirmed in M through
  the core's registry (`portal.core.violations`: risk counts its cases decided "forfeit" in M);
  items_due: coaching action items it owns due in M up to the day of the computation (items
  not yet due do not count); items_on_time: those of them done by the end of their due day
  (Asia/Shanghai);
  roster_start, roster_end: creators whose binding covers the first and the last day of M.
- Components (IEEE double divisions of the integer figures, identical in Python):
  original_share = original_videos / videos (0 without videos);
  active_share = active_creators / creators (0 without creators);
  qualification_rate = qualified / recruited (0 without recruits);
  violations = violations / max(creators, 1), where fewer is better;
  items_on_time = items_on_time / items_due (1 when nothing was due: nothing was late);
  growth = (roster_end - roster_start) / max(roster_start, 1).
- Percentile: PERCENT_RANK among the N scored organizations, (r - 1) / (N - 1) with r the RANK
  (ascending; descending for violations, so the fewest violations rank highest). Ties share the
  lowest rank. 0 for everyone when N = 1.
- Score: sum(w x (r - 1)) / (N - 1) with the version's weights (whole percent adding up to 100),
  rounded half up to 3 decimals, computed in integer thousandths as
  (2000 * sum(w * (r - 1)) + N - 1) / (2 * (N - 1)) so both databases and the Python reference
  agree to the last digit.
- Levels: reached_level is the highest level whose min_score <= score (0 below every level).
  Hysteresis: a reached level at or above last month's level is taken at once; below it, the
  organization keeps last month's level for one month (months_below = 1) and drops to the reached
  level in the second consecutive month below. Without last month's scorecard the reached level
  is taken. Months are computed in order (the monthly job does); computing a past month again
  does not recompute the months after it.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from creators.introduced import counting_bindings
from creators.models import Binding, DailyMetric, PlayFlag
from growth.models import COMPONENTS, Scorecard, ScorecardVersion, VersionStatus
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core.violations import violation_sources

SORT_MEMORY = "256MB"

# Other apps' tables by their models (the organization's through the binding: growth does not
# import organizations' models at load).
BINDING = Binding._meta.db_table
DAILY = DailyMetric._meta.db_table
ORGANIZATION = Binding._meta.get_field("organization").related_model._meta.db_table

COMPONENT_SQL = {
    "original_share": "CASE WHEN f.videos > 0 THEN CAST(f.original_videos AS DOUBLE PRECISION)"
    " / CAST(f.videos AS DOUBLE PRECISION) ELSE CAST(0 AS DOUBLE PRECISION) END",
    "active_share": "CASE WHEN f.creators > 0 THEN CAST(f.active_creators AS DOUBLE PRECISION)"
    " / CAST(f.creators AS DOUBLE PRECISION) ELSE CAST(0 AS DOUBLE PRECISION) END",
    "qualification_rate": "CASE WHEN f.recruited > 0 THEN CAST(f.qualified AS DOUBLE PRECISION)"
    " / CAST(f.recruited AS DOUBLE PRECISION) ELSE CAST(0 AS DOUBLE PRECISION) END",
    "violations": "CAST(f.violations AS DOUBLE PRECISION) / CAST(CASE WHEN f.creators > 1"
    " THEN f.creators ELSE 1 END AS DOUBLE PRECISION)",
    "items_on_time": "CASE WHEN f.items_due > 0 THEN CAST(f.items_on_time AS DOUBLE PRECISION)"
    " / CAST(f.items_due AS DOUBLE PRECISION) ELSE CAST(1 AS DOUBLE PRECISION) END",
    "growth": "CAST(f.roster_end - f.roster_start AS DOUBLE PRECISION) / CAST(CASE WHEN"
    " f.roster_start > 1 THEN f.roster_start ELSE 1 END AS DOUBLE PRECISION)",
}
BETTER = {code: better for code, _label, better in COMPONENTS}
FIGURES = (
    "videos",
    "original_videos",
    "creators",
    "active_creators",
    "recruited",
    "qualified",
    "violations",
    "items_due",
    "items_on_time",
    "roster_start",
    "roster_end",
)


class NoVersionInForce(ValidationError):
    """No published scorecard version is in force on the month's first day."""


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = month.replace(day=1)
    return start, (start + datetime.timedelta(days=32)).replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def version_in_force(day: datetime.date) -> ScorecardVersion | None:
    return (
        ScorecardVersion.objects.filter(status=VersionStatus.PUBLISHED, effective_from__lte=day)
        .order_by("-effective_from", "-number")
        .first()
    )


def _local_date(column: str) -> str:
    """The calendar day (in the portal's time zone) of a stored timestamp."""
    if connection.vendor == "postgresql":
        return f"CAST(({column} AT TIME ZONE '{settings.TIME_ZONE}') AS DATE)"
    # SQLite keeps UTC text; Asia/Shanghai has no daylight saving time.
    offset = timezone.now().astimezone(timezone.get_default_timezone()).utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset else 0
    return f"date({column}, '{hours:+d} hours')"


def _qualified_sql(start: datetime.date, end: datetime.date) -> tuple[str, list]:
    """Per organization, its bindings that count as introduced in the month (the program's own
    query, compiled by the ORM)."""
    counted = counting_bindings(Binding.objects.all(), cycle_start=start, cycle_end=end)
    if not counted.query.is_empty():
        rows = counted.order_by().values("organization_id").annotate(n=Count("pk"))
        sql, params = rows.query.sql_with_params()
        return sql, list(params)
    return "SELECT NULL AS organization_id, 0 AS n WHERE 1 = 0", []


def _confirmed_sql(start: datetime.date, end: datetime.date) -> tuple[list[str], list]:
    """Per registered source (`portal.core.violations`), its per-organization count for the month,
    compiled by the ORM; with the parameters of all of them, in order."""
    statements, params = [], []
    for source in violation_sources():
        rows = source.rows(start, end)
        if rows.query.is_empty():
            continue
        sql, values = rows.order_by().query.sql_with_params()
        statements.append(sql)
        params.extend(values)
    return statements, params


def _score_sql(qualified_sql: str, confirmed: list[str] = ()) -> str:
    local_done = _local_date("a.done_at")
    confirmed_ctes = "".join(f"confirmed_{i} AS ({sql}),\n" for i, sql in enumerate(confirmed))
    confirmed_sum = "".join(f" + COALESCE(k{i}.n, 0)" for i in range(len(confirmed)))
    confirmed_joins = "".join(
        f"\n  LEFT JOIN confirmed_{i} k{i} ON k{i}.organization_id = o.organization_id"
        for i in range(len(confirmed))
    )
    components = ",\n         ".join(
        f"{expression} AS x_{code}" for code, expression in COMPONENT_SQL.items()
    )
    windows = ",\n         ".join(
        f"RANK() OVER (ORDER BY x_{code}{' DESC' if BETTER[code] == 'lower' else ''}) - 1"
        f" AS r_{code}, PERCENT_RANK() OVER (ORDER BY x_{code}"
        f"{' DESC' if BETTER[code] == 'lower' else ''}) AS p_{code}"
        for code in COMPONENT_SQL
    )
    weighted = " + ".join(f"%s * r_{code}" for code in COMPONENT_SQL)
    percentiles = ", ".join(f"p_{code}" for code in COMPONENT_SQL)
    figures = ", ".join(FIGURES)
    milli = f"(2000 * ({weighted}) + f.n - 1) / (2 * (f.n - 1))"
    f_figures = ", ".join(f"f.{name}" for name in FIGURES)
    return f"""
WITH orgs AS (
  SELECT o.id AS organization_id FROM {ORGANIZATION} o WHERE o.status = %s
),
held AS (
  SELECT b.organization_id, b.creator_id, b.started_on, b.ended_on, b.source
  FROM {BINDING} b
  WHERE b.started_on < %s AND (b.ended_on IS NULL OR b.ended_on > %s)
    AND b.organization_id IN (SELECT organization_id FROM orgs)
),
roster AS (
  SELECT h.organization_id,
         COUNT(DISTINCT h.creator_id) AS creators,
         COUNT(DISTINCT h.creator_id) FILTER (
           WHERE h.started_on <= %s AND (h.ended_on IS NULL OR h.ended_on > %s)) AS roster_start,
         COUNT(DISTINCT h.creator_id) FILTER (
           WHERE h.started_on <= %s AND (h.ended_on IS NULL OR h.ended_on > %s)) AS roster_end,
         COUNT(*) FILTER (
           WHERE h.source = %s AND h.started_on >= %s AND h.started_on < %s) AS recruited
  FROM held h GROUP BY h.organization_id
),
days AS (
  SELECT h.organization_id, d.creator_id, d.videos_published, d.original_videos
  FROM content_creatorday d
  JOIN held h ON h.creator_id = d.creator_id AND h.started_on <= d.date
             AND (h.ended_on IS NULL OR h.ended_on > d.date)
  WHERE d.date >= %s AND d.date < %s
),
vids AS (
  SELECT organization_id, SUM(videos_published) AS videos,
         SUM(original_videos) AS original_videos,
         COUNT(DISTINCT creator_id) FILTER (WHERE videos_published > 0) AS active_creators
  FROM days GROUP BY organization_id
),
flags AS (
  SELECT h.organization_id, COUNT(*) AS n
  FROM {DAILY} m
  JOIN held h ON h.creator_id = m.creator_id AND h.started_on <= m.date
             AND (h.ended_on IS NULL OR h.ended_on > m.date)
  WHERE m.date >= %s AND m.date < %s AND m.flag = %s
  GROUP BY h.organization_id
),
copies AS (
  SELECT v.organization_id, COUNT(*) AS n FROM content_video v
  WHERE v.published_on >= %s AND v.published_on < %s AND v.originality = %s
  GROUP BY v.organization_id
),
qualified AS ({qualified_sql}),
{confirmed_ctes}items AS (
  SELECT a.organization_id, COUNT(*) AS items_due,
         COUNT(*) FILTER (WHERE a.status = %s AND {local_done} <= a.due_on) AS items_on_time
  FROM organizations_actionitem a
  WHERE a.owner = %s AND a.due_on >= %s AND a.due_on < %s
  GROUP BY a.organization_id
),
f AS (
  SELECT o.organization_id,
         CAST(COALESCE(v.videos, 0) AS BIGINT) AS videos,
         CAST(COALESCE(v.original_videos, 0) AS BIGINT) AS original_videos,
         COALESCE(r.creators, 0) AS creators,
         COALESCE(v.active_creators, 0) AS active_creators,
         COALESCE(r.recruited, 0) AS recruited,
         COALESCE(q.n, 0) AS qualified,
         COALESCE(fl.n, 0) + COALESCE(c.n, 0){confirmed_sum} AS violations,
         COALESCE(i.items_due, 0) AS items_due,
         COALESCE(i.items_on_time, 0) AS items_on_time,
         COALESCE(r.roster_start, 0) AS roster_start,
         COALESCE(r.roster_end, 0) AS roster_end
  FROM orgs o
  LEFT JOIN roster r ON r.organization_id = o.organization_id
  LEFT JOIN vids v ON v.organization_id = o.organization_id
  LEFT JOIN flags fl ON fl.organization_id = o.organization_id
  LEFT JOIN copies c ON c.organization_id = o.organization_id
  LEFT JOIN qualified q ON q.organization_id = o.organization_id
  LEFT JOIN items i ON i.organization_id = o.organization_id{confirmed_joins}
),
comp AS (
  SELECT f.*, {components} FROM f
),
ranked AS (
  SELECT comp.*, COUNT(*) OVER () AS n, {windows} FROM comp
)
INSERT INTO growth_scorecard (organization_id, month, version_id, {figures},
  {", ".join(f"p_{code}" for code in COMPONENT_SQL)}, scored, score, reached_level, level,
  months_below, computed_at)
SELECT f.organization_id, %s, %s, {f_figures}, {percentiles}, f.n,
       CASE WHEN f.n > 1 THEN ({milli}) ELSE 0 END / 1000.0, 0, 0, 0, %s
FROM ranked f
"""  # noqa: S608 - constant SQL text; every value is a parameter


# The values of content's Originality.COPY and coaching's ItemStatus.DONE and ItemOwner.ORGANIZATION:
# the scorecard reads those tables in SQL and imports neither app, both of which read growth (the
# review lane, the level in a manager's book). tests/growth/test_reference.py checks the values.
ORIGINALITY_COPY = "copy"
ITEM_DONE = "done"
ITEM_OWNER_ORGANIZATION = "organization"


def _params(version, start, end, as_of, qualified_params, confirmed_params=()) -> list:
    from organizations.models import OrganizationStatus

    last = end - datetime.timedelta(days=1)
    items_end = min(end, as_of + datetime.timedelta(days=1))
    return [
        OrganizationStatus.APPROVED,
        end,  # held
        start,
        start,  # roster_start
        start,
        last,  # roster_end
        last,
        "recruited",
        start,
        end,
        start,  # days
        end,
        start,  # flags
        end,
        PlayFlag.CONFIRMED,
        start,  # copies
        end,
        ORIGINALITY_COPY,
        *qualified_params,
        *confirmed_params,
        ITEM_DONE,  # items
        ITEM_OWNER_ORGANIZATION,
        start,
        items_end,
        start,  # the inserted rows
        version.pk,
        *[getattr(version, code) for code in COMPONENT_SQL],
        timezone.now(),
    ]


LEVEL_SQL = """
UPDATE growth_scorecard SET reached_level = COALESCE(
  (SELECT MAX(l.number) FROM growth_level l WHERE l.min_score <= growth_scorecard.score), 0)
WHERE month = %s
"""

HYSTERESIS_SQL = """
UPDATE growth_scorecard SET
  previous_level = (SELECT p.level FROM growth_scorecard p
                    WHERE p.organization_id = growth_scorecard.organization_id AND p.month = %s),
  months_below = CASE
    WHEN (SELECT p.level FROM growth_scorecard p WHERE p.organization_id =
          growth_scorecard.organization_id AND p.month = %s) IS NULL THEN 0
    WHEN reached_level >= (SELECT p.level FROM growth_scorecard p WHERE p.organization_id =
          growth_scorecard.organization_id AND p.month = %s) THEN 0
    WHEN (SELECT p.months_below FROM growth_scorecard p WHERE p.organization_id =
          growth_scorecard.organization_id AND p.month = %s) + 1 >= 2 THEN 0
    ELSE (SELECT p.months_below FROM growth_scorecard p WHERE p.organization_id =
          growth_scorecard.organization_id AND p.month = %s) + 1
  END,
  level = CASE
    WHEN (SELECT p.level FROM growth_scorecard p WHERE p.organization_id =
          growth_scorecard.organization_id AND p.month = %s) IS NULL THEN reached_level
    WHEN reached_level >= (SELECT p.level FROM growth_scorecard p WHERE p.organization_id =
          growth_scorecard.organization_id AND p.month = %s) THEN reached_level
    WHEN (SELECT p.months_below FROM growth_scorecard p WHERE p.organization_id =
          growth_scorecard.organization_id AND p.month = %s) + 1 >= 2 THEN reached_level
    ELSE (SELECT p.level FROM growth_scorecard p WHERE p.organization_id =
          growth_scorecard.organization_id AND p.month = %s)
  END
WHERE month = %s
"""

# The sub-selects above all read last month's row (an index lookup each): one parameter each.
HYSTERESIS_PREVIOUS_MONTH_PARAMS = 9


def insert_scorecards(version, month: datetime.date, as_of: datetime.date) -> None:
    """The month's scorecards and levels, inside the caller's transaction."""
    start, end = month_bounds(month)
    qualified_sql, qualified_params = _qualified_sql(start, end)
    confirmed, confirmed_params = _confirmed_sql(start, end)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY}'")
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(
            _score_sql(qualified_sql, confirmed),
            _params(version, start, end, as_of, qualified_params, confirmed_params),
        )
        cursor.execute(LEVEL_SQL, [start])
        previous = previous_month(start)
        cursor.execute(HYSTERESIS_SQL, [previous] * HYSTERESIS_PREVIOUS_MONTH_PARAMS + [start])


@transaction.atomic
def scorecards_compute(
    *, actor=None, month: datetime.date, as_of: datetime.date | None = None
) -> dict:
    """Score every approved organization for `month` with the version in force on its first day,
    replacing that month's scorecards. `as_of` (today by default) is the last day whose due action
    items count. Two runs for one month take turns (they lock the published versions)."""
    if actor is not None:
        authorize(actor, "growth.manage")
    start, _end = month_bounds(month)
    as_of = as_of or timezone.localdate()
    locked = list(
        ScorecardVersion.objects.select_for_update()
        .filter(status=VersionStatus.PUBLISHED, effective_from__lte=start)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    version = version_in_force(start) if locked else None
    if version is None:
        raise NoVersionInForce(
            _("No published scorecard version is in force on %(day)s; publish one first.")
            % {"day": start.isoformat()},
            code="no_version",
        )
    replaced = Scorecard.objects.filter(month=start).delete()[0]
    insert_scorecards(version, start, as_of)
    result = {
        "month": start,
        "version": version.number,
        "scored": Scorecard.objects.filter(month=start).count(),
        "replaced": replaced,
    }
    audit_record(actor=actor or "system", action="scorecards.compute", obj=version, after=result)
    return result
