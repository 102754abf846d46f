"""The demo's risk center, through the same services as real signals: the partner sends keyed
identity hashes (two creators of different organizations behind one real-name identity, one of
them the showcase organization's) and orders from accounts linked to a creator; the nightly
computation opens the cases, which hold the creators' unpaid entries; the showcase owner sends a
statement and an operator releases another case with a reason."""

import datetime
import hashlib
import hmac

from creators.models import Binding, Creator
from incentives.models import LedgerEntry, PaymentStatus
from portal.accounts.permissions import SYSTEM
from risk.models import RiskCase, Signal
from risk.services.cases import case_decide, case_statement_send
from risk.services.compute import risk_signals_compute
from risk.services.partner_data import identity_hashes_record, linked_orders_record

PARTNER_KEY = b"demo-partner-key"  # the partner's own key: the portal never sees clear values


def partner_hash(value: str) -> str:
    return hmac.new(PARTNER_KEY, value.encode(), hashlib.sha256).hexdigest()


def _unpaid_creator(organization=None, exclude=None):
    entries = LedgerEntry.objects.filter(
        creator__isnull=False,
        payment_status__in=(PaymentStatus.HELD, PaymentStatus.PENDING),
        creator__bindings__ended_on=None,
    )
    if organization is not None:
        entries = entries.filter(organization=organization)
    if exclude is not None:
        entries = entries.exclude(organization=exclude)
    entry = entries.order_by("pk").first()
    return entry.creator if entry else None


def demo_risk(*, operator, today: datetime.date, showcase=None, showcase_owner=None) -> dict:
    """Returns counts of what was made."""
    ours = _unpaid_creator(showcase)
    theirs = _unpaid_creator(exclude=showcase)
    bound = Binding.objects.filter(ended_on=None).exclude(organization=showcase).order_by("pk")
    rows = []
    if ours is not None and theirs is not None:
        rows = [
            {
                "creator_id": creator.pk,
                "identity": partner_hash("110101199003077777"),
                "phone": partner_hash(phone),
                "account": partner_hash(account),
            }
            for creator, phone, account in (
                (ours, "13800138001", "6222020200112233445"),
                (theirs, "13800138002", "6222020200112233446"),
            )
        ]
    # Everyone else the partner knows: one identity each.
    others = list(bound.exclude(creator__in=[c for c in (ours, theirs) if c])[:40])
    rows += [
        {"creator_id": b.creator_id, "identity": partner_hash(f"ID{b.creator_id:014d}")}
        for b in others
    ]
    identity_hashes_record(actor=SYSTEM, rows=rows)
    # Orders from accounts linked to a creator with money waiting (another organization's).
    dealer = (
        LedgerEntry.objects.filter(
            creator__isnull=False, payment_status__in=(PaymentStatus.HELD, PaymentStatus.PENDING)
        )
        .exclude(organization=showcase)
        .exclude(creator__in=[c for c in (ours, theirs) if c])
        .order_by("-pk")
        .values_list("creator", flat=True)
        .first()
    )
    dealer = Creator.objects.filter(pk=dealer).first()
    if dealer is not None:
        linked_orders_record(
            actor=SYSTEM,
            rows=[
                {
                    "creator_id": dealer.pk,
                    "day": today - datetime.timedelta(days=offset),
                    "orders": orders,
                    "gmv_fen": orders * 19_900,
                }
                for offset, orders in ((2, 3), (3, 2), (5, 4))
            ],
        )
    summary = risk_signals_compute(actor=SYSTEM, today=today)
    statements = decided = 0
    own_case = (
        RiskCase.objects.filter(organization=showcase, signal=Signal.SHARED_IDENTITY).first()
        if showcase is not None
        else None
    )
    if own_case is not None and showcase_owner is not None:
        case_statement_send(
            actor=showcase_owner,
            case=own_case,
            text="该达人与另一账号为双胞胎姐妹，各自实名认证，附上双方身份证明及签约合同。",
        )
        statements = 1
    other = (
        RiskCase.objects.filter(status="open")
        .exclude(organization=showcase)
        .exclude(signal=Signal.SHARED_IDENTITY)
        .order_by("pk")
        .first()
    )
    if other is not None:
        case_decide(
            actor=operator,
            case=other,
            decision="release",
            note="已核查：流量来自品牌联合活动，订单为真实购买，解除冻结。",
        )
        decided = 1
    return {
        "cases": RiskCase.objects.count(),
        "opened": sum(s["opened"] for s in summary.values()),
        "held": sum(s["held"] for s in summary.values()),
        "statements": statements,
        "decided": decided,
    }
