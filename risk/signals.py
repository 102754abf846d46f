"""The signals' SQL: each one a statement over whole tables that yields the flagged subjects.

Every query takes the same parameters (`today`, `since` = the window's first day, `threshold`, and
for the surge the qualification rule's figures) and yields rows
`(creator_id, organization_id, figure, evidence)`:

- `creator_id` is NULL for an organization's own signal (the surge of failing introductions);
- a creator's signal yields one row per organization concerned: each organization named on the
  creator's unpaid entries and the one it is bound to now (so each sees only its own case);
- `figure` is the count compared with the threshold; `evidence` a JSON list of items. An item
  with `"subject": true` is about the subject itself; any other names the organization it belongs
  to (`organization`), and an organization is shown only its own items (`risk.selectors`).

The plain-Python reference in `tests/risk/reference.py` says the same in loops; the property test
compares both on random data.
"""

from content.models import CreatorDay
from creators.models import Binding, Creator, DailyMetric, Dispute
from incentives.models import COUPON_KINDS, LedgerEntry

# Other apps' tables, by their models (never as literals).
LEDGER = LedgerEntry._meta.db_table
BINDING = Binding._meta.db_table
CREATOR = Creator._meta.db_table
DAILY = DailyMetric._meta.db_table
DISPUTE = Dispute._meta.db_table
CREATOR_DAY = CreatorDay._meta.db_table

UNPAID = ("held", "pending", "failed")

# A creator's flagged rows -> one row per organization concerned.
_SUBJECTS = f"""
SELECT f.creator_id, s.organization_id, f.figure, f.evidence
FROM flagged f
JOIN LATERAL (
    SELECT e.organization_id FROM {LEDGER} e
    WHERE e.creator_id = f.creator_id AND e.organization_id IS NOT NULL
      AND e.payment_status IN ('held', 'pending', 'failed') AND e.amount > 0
    UNION
    SELECT b.organization_id FROM {BINDING} b
    WHERE b.creator_id = f.creator_id AND b.ended_on IS NULL
) s ON true
"""  # noqa: S608 - constants only, parameters are bound

SHARED_IDENTITY = (
    f"""
WITH h AS (
    SELECT creator_id, 'identity' AS kind, identity AS value FROM risk_identityhash
    WHERE identity <> ''
    UNION ALL
    SELECT creator_id, 'phone', phone FROM risk_identityhash WHERE phone <> ''
    UNION ALL
    SELECT creator_id, 'account', account FROM risk_identityhash WHERE account <> ''
), shared AS (
    SELECT kind, value FROM h GROUP BY kind, value HAVING count(*) >= %(threshold)s
), pairs AS (
    SELECT a.creator_id, b.creator_id AS other_id, array_agg(a.kind ORDER BY a.kind) AS kinds
    FROM shared g
    JOIN h a ON a.kind = g.kind AND a.value = g.value
    JOIN h b ON b.kind = g.kind AND b.value = g.value AND b.creator_id <> a.creator_id
    GROUP BY a.creator_id, b.creator_id
), flagged AS (
    SELECT p.creator_id, count(*) + 1 AS figure,
           jsonb_agg(jsonb_build_object(
               'creator', o.id, 'account', o.platform_account_id, 'name', o.display_name,
               'organization', ob.organization_id, 'matched', to_jsonb(p.kinds)
           ) ORDER BY o.id) AS evidence
    FROM pairs p
    JOIN {CREATOR} o ON o.id = p.other_id
    LEFT JOIN {BINDING} ob ON ob.creator_id = o.id AND ob.ended_on IS NULL
    GROUP BY p.creator_id
)
"""  # noqa: S608 - constants only, parameters are bound
    + _SUBJECTS
)

MULTI_CLAIM = (
    f"""
WITH claims AS (
    SELECT creator_id, organization_id, started_on AS day, 'binding' AS kind
    FROM {BINDING} WHERE started_on BETWEEN %(since)s AND %(today)s
    UNION ALL
    SELECT creator_id, claimant_id, (created_at AT TIME ZONE 'Asia/Shanghai')::date, 'claim'
    FROM {DISPUTE}
    WHERE (created_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN %(since)s AND %(today)s
    UNION ALL
    SELECT creator_id, holder_id, (created_at AT TIME ZONE 'Asia/Shanghai')::date, 'held'
    FROM {DISPUTE}
    WHERE (created_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN %(since)s AND %(today)s
), flagged AS (
    SELECT creator_id, count(DISTINCT organization_id) AS figure,
           jsonb_agg(jsonb_build_object('organization', organization_id, 'kind', kind,
                                        'day', day) ORDER BY day, organization_id, kind)
               AS evidence
    FROM claims GROUP BY creator_id
    HAVING count(DISTINCT organization_id) >= %(threshold)s
)
"""  # noqa: S608 - constants only, parameters are bound
    + _SUBJECTS
)

TRANSFER_CHURN = (
    f"""
WITH flagged AS (
    SELECT creator_id, count(*) AS figure,
           jsonb_agg(jsonb_build_object('organization', organization_id, 'kind', 'transfer',
                                        'day', started_on) ORDER BY started_on, id) AS evidence
    FROM {BINDING}
    WHERE source = 'transferred' AND started_on BETWEEN %(since)s AND %(today)s
    GROUP BY creator_id HAVING count(*) >= %(threshold)s
)
"""  # noqa: S608 - constants only, parameters are bound
    + _SUBJECTS
)

SELF_DEALING = (
    """
WITH flagged AS (
    SELECT creator_id, sum(orders) AS figure,
           jsonb_agg(jsonb_build_object('subject', true, 'day', day, 'orders', orders,
                                        'gmv', gmv) ORDER BY day) AS evidence
    FROM risk_linkedorders
    WHERE day BETWEEN %(since)s AND %(today)s AND orders > 0
    GROUP BY creator_id HAVING sum(orders) >= %(threshold)s
)
"""  # noqa: S608 - constants only, parameters are bound
    + _SUBJECTS
)

PLAY_ANOMALY = (
    f"""
WITH flagged AS (
    SELECT creator_id, count(*) AS figure,
           jsonb_agg(jsonb_build_object('subject', true, 'day', date, 'plays', plays,
                                        'baseline', flag_baseline, 'flag', flag) ORDER BY date)
               AS evidence
    FROM {DAILY}
    WHERE flag IN ('open', 'confirmed') AND date BETWEEN %(since)s AND %(today)s
    GROUP BY creator_id HAVING count(*) >= %(threshold)s
)
"""  # noqa: S608 - constants only, parameters are bound
    + _SUBJECTS
)

# Recruited bindings whose qualification window started in the signal's window and is over by
# today, that did not qualify: per organization. `last_start` = today - the rule's window days.
FAILED_INTRODUCTIONS = f"""
WITH ended AS (
    SELECT b.id, b.creator_id, b.organization_id, b.started_on,
           b.started_on + %(rule_days)s AS window_end
    FROM {BINDING} b
    WHERE b.source = 'recruited' AND b.started_on BETWEEN %(since)s AND %(last_start)s
), plays AS (
    SELECT e.id, sum(m.counted_valid_plays) AS plays
    FROM ended e JOIN {DAILY} m
      ON m.creator_id = e.creator_id AND m.date >= e.started_on AND m.date < e.window_end
    WHERE m.date >= %(since)s AND m.date < %(today)s
    GROUP BY e.id
), videos AS (
    SELECT e.id, sum(d.original_videos) AS videos
    FROM ended e JOIN {CREATOR_DAY} d
      ON d.creator_id = e.creator_id AND d.date >= e.started_on AND d.date < e.window_end
    WHERE d.date >= %(since)s AND d.date < %(today)s
    GROUP BY e.id
), failed AS (
    SELECT e.*, coalesce(p.plays, 0) AS plays, coalesce(v.videos, 0) AS videos
    FROM ended e LEFT JOIN plays p ON p.id = e.id LEFT JOIN videos v ON v.id = e.id
    WHERE coalesce(p.plays, 0) < %(min_plays)s OR coalesce(v.videos, 0) < %(min_videos)s
)
SELECT NULL::bigint, f.organization_id, count(*) AS figure,
       jsonb_agg(jsonb_build_object(
           'organization', f.organization_id, 'creator', f.creator_id,
           'account', c.platform_account_id, 'name', c.display_name, 'day', f.started_on,
           'plays', f.plays, 'videos', f.videos) ORDER BY f.started_on, f.id) AS evidence
FROM failed f JOIN {CREATOR} c ON c.id = f.creator_id
GROUP BY f.organization_id HAVING count(*) >= %(threshold)s
"""  # noqa: S608 - constants only, parameters are bound

QUERIES = {
    "shared_identity": SHARED_IDENTITY,
    "multi_claim": MULTI_CLAIM,
    "transfer_churn": TRANSFER_CHURN,
    "self_dealing": SELF_DEALING,
    "play_anomaly": PLAY_ANOMALY,
    "failed_introductions": FAILED_INTRODUCTIONS,
}

# The entries a case holds: its subject's unpaid, positive entries (never a traffic coupon).
LINK_CREATOR_ENTRIES = f"""
INSERT INTO risk_caseentry (case_id, entry_id)
SELECT c.id, e.id FROM risk_riskcase c
JOIN {LEDGER} e
  ON e.creator_id = c.creator_id AND e.organization_id = c.organization_id
WHERE c.status = 'open' AND c.signal = %(signal)s AND c.creator_id IS NOT NULL
  AND e.payment_status IN {UNPAID} AND e.amount > 0 AND e.kind NOT IN {COUPON_KINDS}
ON CONFLICT DO NOTHING
RETURNING entry_id
"""  # noqa: S608 - constants only, parameters are bound
LINK_ORGANIZATION_ENTRIES = f"""
INSERT INTO risk_caseentry (case_id, entry_id)
SELECT c.id, e.id FROM risk_riskcase c
JOIN {LEDGER} e ON e.organization_id = c.organization_id AND e.creator_id IS NULL
WHERE c.status = 'open' AND c.signal = %(signal)s AND c.creator_id IS NULL
  AND e.payment_status IN {UNPAID} AND e.amount > 0 AND e.kind NOT IN {COUPON_KINDS}
ON CONFLICT DO NOTHING
RETURNING entry_id
"""  # noqa: S608 - constants only, parameters are bound

UPSERT_CASES = """
INSERT INTO risk_riskcase (signal, rule_id, creator_id, organization_id, status, figure,
                           evidence, opened_at, updated_at, expires_on, decision_note, expired)
SELECT %(signal)s, %(rule)s, s.creator_id, s.organization_id, 'open', s.figure, s.evidence,
       %(now)s, %(now)s, %(expires_on)s, '', false
FROM ({query}) AS s (creator_id, organization_id, figure, evidence)
ON CONFLICT (signal, creator_id, organization_id) WHERE status = 'open'
DO UPDATE SET figure = EXCLUDED.figure, evidence = EXCLUDED.evidence,
              updated_at = EXCLUDED.updated_at
RETURNING (xmax = 0) AS opened, organization_id
"""
