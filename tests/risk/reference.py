"""The signals in plain Python over the ORM's rows, loop by loop: what `risk/signals.py` says in
SQL. Yields {(creator_id, organization_id): figure} per signal."""

import datetime
from collections import defaultdict

from content.models import CreatorDay
from creators.models import Binding, DailyMetric, Dispute
from incentives.models import LedgerEntry
from risk.models import IdentityHash, LinkedOrders

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def _subjects(flagged: dict[int, int]) -> dict[tuple, int]:
    out = {}
    for creator_id, figure in flagged.items():
        orgs = set()
        for entry in LedgerEntry.objects.filter(creator_id=creator_id):
            if (
                entry.organization_id
                and entry.payment_status in ("held", "pending", "failed")
                and entry.amount > 0
            ):
                orgs.add(entry.organization_id)
        for binding in Binding.objects.filter(creator_id=creator_id):
            if binding.ended_on is None:
                orgs.add(binding.organization_id)
        for org in orgs:
            out[(creator_id, org)] = figure
    return out


def shared_identity(threshold, since, today):
    groups = defaultdict(set)
    for row in IdentityHash.objects.all():
        for kind in ("identity", "phone", "account"):
            value = getattr(row, kind)
            if value:
                groups[(kind, value)].add(row.creator_id)
    others = defaultdict(set)
    for members in groups.values():
        if len(members) >= threshold:
            for a in members:
                others[a] |= members - {a}
    return _subjects({c: len(o) + 1 for c, o in others.items() if o})


def multi_claim(threshold, since, today):
    orgs = defaultdict(set)
    for b in Binding.objects.all():
        if since <= b.started_on <= today:
            orgs[b.creator_id].add(b.organization_id)
    for d in Dispute.objects.all():
        day = d.created_at.astimezone(SHANGHAI).date()
        if since <= day <= today:
            orgs[d.creator_id] |= {d.claimant_id, d.holder_id}
    return _subjects({c: len(o) for c, o in orgs.items() if len(o) >= threshold})


def transfer_churn(threshold, since, today):
    counts = defaultdict(int)
    for b in Binding.objects.all():
        if b.source == "transferred" and since <= b.started_on <= today:
            counts[b.creator_id] += 1
    return _subjects({c: n for c, n in counts.items() if n >= threshold})


def self_dealing(threshold, since, today):
    counts = defaultdict(int)
    for row in LinkedOrders.objects.all():
        if since <= row.day <= today and row.orders > 0:
            counts[row.creator_id] += row.orders
    return _subjects({c: n for c, n in counts.items() if n >= threshold})


def play_anomaly(threshold, since, today):
    counts = defaultdict(int)
    for m in DailyMetric.objects.all():
        if m.flag in ("open", "confirmed") and since <= m.date <= today:
            counts[m.creator_id] += 1
    return _subjects({c: n for c, n in counts.items() if n >= threshold})


def failed_introductions(threshold, since, today, rule):
    last_start = today - datetime.timedelta(days=rule.window_days)
    failed = defaultdict(int)
    for b in Binding.objects.all():
        if b.source != "recruited" or not since <= b.started_on <= last_start:
            continue
        end = b.started_on + datetime.timedelta(days=rule.window_days)
        plays = sum(
            m.counted_valid_plays
            for m in DailyMetric.objects.filter(creator_id=b.creator_id)
            if b.started_on <= m.date < end
        )
        videos = sum(
            d.original_videos
            for d in CreatorDay.objects.filter(creator_id=b.creator_id)
            if b.started_on <= d.date < end
        )
        if plays < rule.min_valid_plays or videos < rule.min_original_videos:
            failed[b.organization_id] += 1
    return {(None, org): n for org, n in failed.items() if n >= threshold}
