"""The demo's incentive program, settled through the same services as real money: a program of
twelve monthly cycles from October, rules for every creative field, last month computed, approved
by two operators, published, exported and paid (two payments failed and wait for a retry), and a
draft version that raises the playback rate, ready to simulate."""

import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from incentives.models import OrgTier, SubsidyRule, TrafficBand
from incentives.services import (
    exported_entries,
    program_create,
    program_set_status,
    rule_version_draft,
    rule_version_publish,
    rule_version_update,
    settlement_approve,
    settlement_compute,
    settlement_export,
    settlement_mark_paid,
    settlement_publish,
    settlement_submit,
)
from portal.core.models import Category

LEVELS = [
    # (level, original videos, valid plays, followers, amount in CNY)
    (1, 3, 10_000, 1_000, 500),
    (2, 6, 50_000, 10_000, 3_000),
    (3, 12, 300_000, 100_000, 12_000),
]
TIERS = [(1, 3, 10_000), (2, 5, 50_000), (3, 10, 200_000), (4, 20, 1_000_000), (5, 50, 5_000_000)]
BANDS = [(1, 10, 20_000), (11, 100, 5_000), (101, 500, 1_000)]


def demo_incentives(*, operators: list, today: datetime.date, showcase=None) -> dict:
    """Returns counts of what was made. Two payments of the `showcase` organization (the demo
    owner's) fail, so its statement and dashboard show what a failed payment looks like."""
    first, second = operators[0], operators[1]
    start = today.replace(day=1)
    start = (start - datetime.timedelta(days=1)).replace(day=1)  # last month: a settled cycle
    program = program_create(
        actor=first,
        name="内容生态激励计划",
        description="10 亿现金 + 10 亿流量，扶持短视频达人与 MCN 机构。",
        starts_on=start,
        ends_on=start.replace(year=start.year + 1),
        cash_budget=Decimal(1_000_000_000),
        traffic_budget=Decimal(1_000_000_000),
        second_approval_above=Decimal(1_000_000),
    )
    version = rule_version_draft(actor=first, program=program, effective_from=start)
    rule_version_update(
        actor=first,
        version=version,
        fields={
            "note": "首版规则",
            "creator_cap": Decimal(30_000),
            "playback_rate": Decimal("2.00"),
            "commission_bp": 300,
            "basic_per_introduced": Decimal(200),
            "traffic_min_original": 5,
            "minimum_payout": Decimal(100),
            # An organization's own cash of a month above this waits for its invoice (发票).
            "invoice_above": Decimal(100),
        },
        # Commission waits out the returns window (refunds net against it before payment).
        holding_periods=[{"kind": "commission", "days": 30}],
        subsidy_rules=[
            {
                "category": category,
                "level": level,
                "min_original_videos": videos,
                "min_valid_plays": plays,
                "min_followers": followers,
                "amount": Decimal(amount),
            }
            for category in Category.objects.filter(is_active=True)
            for level, videos, plays, followers, amount in LEVELS
        ],
        org_tiers=[
            {"level": level, "min_introduced": n, "amount": Decimal(amount)}
            for level, n, amount in TIERS
        ],
        traffic_bands=[
            {"rank_from": a, "rank_to": b, "coupon": Decimal(coupon)} for a, b, coupon in BANDS
        ],
    )
    rule_version_publish(actor=first, version=version)
    program_set_status(actor=first, program=program, status="active")

    cycle = program.cycles.get(number=1)
    reward_list = settlement_compute(actor=first, cycle=cycle)
    reward_list = settlement_submit(actor=first, reward_list=reward_list)
    for approver in (first, second):
        reward_list = settlement_approve(
            actor=approver, reward_list=reward_list, revision=reward_list.revision
        )
        if reward_list.status == "approved":
            break
    reward_list = settlement_publish(actor=first, reward_list=reward_list)
    entries = list(exported_entries(settlement_export(actor=first, reward_list=reward_list)))
    result = io.StringIO()
    result.write("entry,amount,result,reference,reason\n")
    reasons = iter(["收款账户已注销", "收款人姓名与账户不符"])
    failing = [e.pk for e in entries if showcase is None or e.organization_id == showcase.pk]
    failures = {pk: next(reasons) for pk in (failing[:1] + failing[-1:])}
    for entry in entries:
        reason = failures.get(entry.pk, "")
        reference = "" if reason else f"PAY{today:%Y%m}{entry.pk:07d}"
        outcome = "failed" if reason else "paid"
        result.write(f"{entry.pk},{entry.amount},{outcome},{reference},{reason}\n")
    settlement_mark_paid(
        actor=first,
        reward_list=reward_list,
        upload=SimpleUploadedFile("payment-result.csv", result.getvalue().encode()),
    )

    draft = rule_version_draft(actor=first, program=program, effective_from=today.replace(day=1))
    rule_version_update(
        actor=first,
        version=draft,
        fields={"note": "提高播放补贴至每千次有效播放 2.50 元", "playback_rate": Decimal("2.50")},
        subsidy_rules=_rows(SubsidyRule, draft),
        org_tiers=_rows(OrgTier, draft),
        traffic_bands=_rows(TrafficBand, draft),
    )
    return {"reward_lines": reward_list.line_count, "ledger_entries": len(entries)}


def _rows(model, version) -> list[dict]:
    fields = [f.name for f in model._meta.concrete_fields if f.name not in ("id", "version")]
    return [
        {name: getattr(row, name) for name in fields}
        for row in model.objects.filter(version=version)
    ]
