"""Taking money back without editing history: negative adjusting entries that point at the entry
they correct, explained, netted against the beneficiary's next payout.

A clawback (or, after an appeal, a restoration) is a new ledger entry of kind `adjustment` with
`corrects` set. While the corrected entry is not yet in a payment file the correction goes in the
same cycle, so the two net in the same payout; once it is exported or paid the correction goes in
the next cycle whose list has not been exported yet (the last cycle when every list is out). The
export nets a payee's entries and never pays a negative amount: a payee whose net is not positive
carries everything over. A correction never takes back more than the entry paid, nor restores
more than was taken.

Three things produce them: refunded orders (the partner reports refunded GMV per creator and day:
the commission on it), a confirmed abnormal-play flag (the creator's subsidy and playback computed
again without those plays), and a rejected originality decision (the organization's basic and
tier incentives counted again without the video).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from creators.introduced import counting_bindings
from creators.models import Binding, BindingSource, DailyMetric
from incentives.models import (
    Cycle,
    LedgerEntry,
    LineKind,
    ListStatus,
    OrgTier,
    PaymentStatus,
    Refund,
    SubsidyRule,
)
from portal.accounts.permissions import SYSTEM, authorize
from portal.audit.services import audit_record
from portal.core.money import from_fen, to_fen
from portal.core.ranges import RangeProblem, parse_decimal

from .holds import NOT_EXPORTED, lock_entries
from .review import check_room, commit_to_pools, lock_pools

SETTLED = (ListStatus.APPROVED, ListStatus.PUBLISHED, ListStatus.EXPORTED, ListStatus.PAID)
OUT = (ListStatus.EXPORTED, ListStatus.PAID)


class ClawbackReason:
    REFUND = "refund"
    ABNORMAL_PLAY = "abnormal_play"
    ORIGINALITY = "originality"


def correction_cycle(entry: LedgerEntry) -> Cycle:
    """Where a correction of `entry` goes: its own cycle while it is not in a payment file,
    else the next cycle whose list is not out yet (or the program's last cycle)."""
    if entry.payment_status in NOT_EXPORTED:
        return entry.cycle
    later = Cycle.objects.filter(
        program_id=entry.cycle.program_id, starts_on__gt=entry.cycle.starts_on
    ).order_by("starts_on")
    return later.exclude(reward_list__status__in=OUT).first() or later.last() or entry.cycle


def corrected_so_far(entry: LedgerEntry) -> int:
    """Fen the corrections of `entry` add (negative: taken back), forfeited ones aside."""
    total = entry.corrections.exclude(payment_status=PaymentStatus.FORFEITED).aggregate(
        total=Sum("amount")
    )["total"]
    return to_fen(total or 0)


def correction_post(
    *, actor, entry: LedgerEntry, amount_fen: int, reason_code: str, note: str
) -> LedgerEntry | None:
    """Post one correction of `entry` (inside the caller's transaction, the entry locked).
    A take-back is limited to what the entry still stands at; a restoration to what was taken.
    Returns the new entry, or None when nothing is left to correct."""
    authorize(actor, "payouts.correct")
    if not note.strip():
        raise ValidationError({"note": _("Explain the correction; the beneficiary reads it.")})
    if entry.payment_status == PaymentStatus.FORFEITED or entry.corrects_id is not None:
        return None
    so_far = corrected_so_far(entry)
    if amount_fen < 0:
        amount_fen = max(amount_fen, -(to_fen(entry.amount) + so_far))
    else:
        amount_fen = min(amount_fen, -so_far)
    if amount_fen == 0:
        return None
    cycle = correction_cycle(entry)
    pools = lock_pools(cycle.program)
    kind = entry.pool.kind
    if amount_fen > 0:
        check_room(pools, {kind: amount_fen})
    correction = LedgerEntry.objects.create(
        pool=pools[kind],
        cycle=cycle,
        kind=LineKind.ADJUSTMENT,
        creator_id=entry.creator_id,
        organization_id=entry.organization_id,
        amount=from_fen(amount_fen),
        rule_version_id=entry.rule_version_id,
        reason_code=reason_code,
        corrects=entry,
        note=note.strip(),
        payment_status=PaymentStatus.PENDING,
    )
    commit_to_pools(pools, {kind: amount_fen})
    audit_record(
        actor=actor,
        action="payouts.clawback" if amount_fen < 0 else "payouts.restore",
        obj=cycle,
        organization=entry.organization,
        before={"entry": entry.pk, "status": entry.payment_status},
        after={"correction": correction.pk, "amount": correction.amount, "cycle": cycle.number},
        reason=note.strip(),
    )
    return correction


def _bilingual(zh: str, en: str) -> str:
    # Notes are stored once and read by both languages' readers, as the content corrections do.
    return f"{zh} / {en}"


# --- refunds ------------------------------------------------------------------------------------


@transaction.atomic
def refund_record(*, actor, creator, day: datetime.date, amount) -> tuple[Refund, list]:
    """The partner's refunded GMV of a creator's orders on `day`, as a running total: the same
    total again changes nothing, a higher total takes back the commission on the difference from
    every settled commission entry of a cycle containing the day. Returns the refund and the
    corrections made."""
    authorize(actor, "payouts.refund")
    try:
        amount = parse_decimal(str(amount), places=2, high=from_fen(2**62), low=0)
    except RangeProblem as problem:
        raise ValidationError({"amount": _("Enter the refunded amount in CNY.")}) from problem
    if to_fen(amount) <= 0:
        raise ValidationError({"amount": _("A refund is a positive amount.")})
    refund = Refund.objects.select_for_update().filter(creator=creator, day=day).first()
    before = to_fen(refund.amount) if refund else 0
    if to_fen(amount) < before:
        raise ValidationError(
            {
                "amount": _(
                    "Refunds for this day already total %(total)s CNY; send the running total, "
                    "which never goes down."
                )
                % {"total": from_fen(before)}
            }
        )
    if refund is None:
        refund = Refund.objects.create(creator=creator, day=day, amount=amount)
    elif to_fen(amount) != before:
        Refund.objects.filter(pk=refund.pk).update(amount=amount)
        refund.refresh_from_db()
    difference = to_fen(amount) - before
    made = []
    if difference:
        entries = LedgerEntry.objects.filter(
            creator=creator,
            kind=LineKind.COMMISSION,
            cycle__starts_on__lte=day,
            cycle__ends_on__gt=day,
        ).select_related("rule_version", "cycle", "pool")
        for entry in lock_entries(entries):
            entry = LedgerEntry.objects.select_related("rule_version", "cycle", "pool").get(
                pk=entry.pk
            )
            fen = difference * entry.rule_version.commission_bp // 10000
            note = _bilingual(
                f"{day} 的订单退款 {from_fen(difference)} 元，收回其佣金",
                f"Orders of {day} refunded ({from_fen(difference)} CNY): their commission is "
                "taken back",
            )
            # The refund's consequence, taken by the platform: the partner may report
            # refunds, not post ledger entries (the refund's audit names the partner).
            correction = correction_post(
                actor=SYSTEM,
                entry=entry,
                amount_fen=-fen,
                reason_code=ClawbackReason.REFUND,
                note=note,
            )
            if correction is not None:
                made.append(correction)
        audit_record(
            actor=actor,
            action="payouts.refund",
            obj=creator,
            before={"amount": from_fen(before)},
            after={"amount": amount, "day": day, "corrections": [c.pk for c in made]},
        )
    return refund, made


# --- abnormal plays -----------------------------------------------------------------------------


def _creator_cash_targets(entry_by_kind: dict, cycle: Cycle, creator) -> dict[str, int]:
    """What the creator's subsidy and playback come to now, on the settled lines' rule version
    and figures, with the plays that still count. The computation's own integer arithmetic."""
    some = next(iter(entry_by_kind.values()))
    version = some.rule_version
    line = some.line
    plays = (
        DailyMetric.objects.filter(
            creator=creator, date__gte=cycle.starts_on, date__lt=cycle.ends_on
        ).aggregate(n=Sum("counted_valid_plays"))["n"]
        or 0
    )
    originals = (line.original_videos or 0) if line else 0
    followers = (line.followers or 0) if line else 0
    subsidy_entry = entry_by_kind.get(LineKind.CREATOR_SUBSIDY)
    category_id = creator.primary_category_id
    if subsidy_entry is not None and subsidy_entry.line and subsidy_entry.line.rule_id:
        category_id = SubsidyRule.objects.get(pk=subsidy_entry.line.rule_id).category_id
    level = (
        SubsidyRule.objects.filter(
            version=version,
            category_id=category_id,
            min_original_videos__lte=originals,
            min_valid_plays__lte=plays,
            min_followers__lte=followers,
        )
        .order_by("-level")
        .first()
    )
    cap = to_fen(version.creator_cap)
    subsidy = min(to_fen(level.amount) if level else 0, cap)
    playback = min(plays * to_fen(version.playback_rate) // 1000, cap - subsidy)
    return {LineKind.CREATOR_SUBSIDY: subsidy, LineKind.PLAYBACK: playback}


@transaction.atomic
def abnormal_play_correct(*, actor=SYSTEM, creator, day: datetime.date) -> list:
    """After plays of `day` are confirmed abnormal: the creator's subsidy and playback of every
    settled cycle containing the day, computed again without them; what was paid above that is
    taken back (each correction pointing at its entry)."""
    entries = LedgerEntry.objects.filter(
        creator=creator,
        kind__in=(LineKind.CREATOR_SUBSIDY, LineKind.PLAYBACK),
        cycle__starts_on__lte=day,
        cycle__ends_on__gt=day,
        cycle__reward_list__status__in=SETTLED,
    )
    locked = lock_entries(entries)
    by_cycle: dict = {}
    for entry in LedgerEntry.objects.filter(pk__in=[e.pk for e in locked]).select_related(
        "rule_version", "cycle", "pool", "line"
    ):
        by_cycle.setdefault(entry.cycle, {})[entry.kind] = entry
    made = []
    for cycle, by_kind in by_cycle.items():
        targets = _creator_cash_targets(by_kind, cycle, creator)
        for kind, entry in by_kind.items():
            standing = to_fen(entry.amount) + corrected_so_far(entry)
            difference = targets[kind] - standing
            if difference >= 0:
                continue
            correction = correction_post(
                actor=actor,
                entry=entry,
                amount_fen=difference,
                reason_code=ClawbackReason.ABNORMAL_PLAY,
                note=_bilingual(
                    f"{day} 的播放经确认为异常，不计入有效播放；按剩余有效播放重新计算",
                    f"Plays of {day} confirmed abnormal and no longer valid; computed again "
                    "with the plays that count",
                ),
            )
            if correction is not None:
                made.append(correction)
    return made


# --- originality: the organization's incentives ---------------------------------------------------


def _org_targets(entry_by_kind: dict, cycle: Cycle, organization) -> dict[str, int]:
    some = next(iter(entry_by_kind.values()))
    version = some.rule_version
    introduced = counting_bindings(
        Binding.objects.filter(organization=organization),
        cycle_start=cycle.starts_on,
        cycle_end=cycle.ends_on,
    ).aggregate(n=_distinct_creators())["n"]
    tier = (
        OrgTier.objects.filter(version=version, min_introduced__lte=introduced)
        .order_by("-min_introduced")
        .first()
    )
    return {
        LineKind.ORG_BASIC: introduced * to_fen(version.basic_per_introduced),
        LineKind.ORG_TIER: to_fen(tier.amount) if tier else 0,
        "introduced": introduced,
    }


def _distinct_creators():
    from django.db.models import Count

    return Count("creator", distinct=True)


@transaction.atomic
def originality_org_correct(*, actor=SYSTEM, video, decision_outcome: str) -> list:
    """After an originality decision changes whether `video` counts: for every recruited binding
    of its creator whose qualification window contains the publication day, the organization's
    basic and tier incentives of the settled cycle the binding started in, counted again. Less
    than was paid is taken back; an appeal that restores the video restores what was taken."""
    bindings = Binding.objects.filter(
        creator_id=video.creator_id,
        source=BindingSource.RECRUITED,
        started_on__lte=video.published_on,
    ).select_related("organization")
    made = []
    for binding in bindings:
        entries = LedgerEntry.objects.filter(
            organization=binding.organization,
            creator__isnull=True,
            kind__in=(LineKind.ORG_BASIC, LineKind.ORG_TIER),
            cycle__starts_on__lte=binding.started_on,
            cycle__ends_on__gt=binding.started_on,
            cycle__reward_list__status__in=SETTLED,
        )
        locked = lock_entries(entries)
        by_cycle: dict = {}
        for entry in LedgerEntry.objects.filter(pk__in=[e.pk for e in locked]).select_related(
            "rule_version", "cycle", "pool"
        ):
            by_cycle.setdefault(entry.cycle, {})[entry.kind] = entry
        for cycle, by_kind in by_cycle.items():
            targets = _org_targets(by_kind, cycle, binding.organization)
            rejected = decision_outcome == "copy"
            for kind, entry in by_kind.items():
                standing = to_fen(entry.amount) + corrected_so_far(entry)
                difference = targets[kind] - standing
                if difference == 0 or (difference < 0) != rejected:
                    continue
                verdict = (
                    ("判定为非原创", "rejected as a copy")
                    if rejected
                    else (
                        "恢复为原创",
                        "restored as original",
                    )
                )
                correction = correction_post(
                    actor=actor,
                    entry=entry,
                    amount_fen=difference,
                    reason_code=ClawbackReason.ORIGINALITY,
                    note=_bilingual(
                        f"视频《{video.title}》（{video.video_id}）经原创审核{verdict[0]}："
                        f"本周期成功引入达人 {targets['introduced']} 位",
                        f"Video “{video.title}” ({video.video_id}) {verdict[1]}: "
                        f"{targets['introduced']} creators successfully introduced in the cycle",
                    ),
                )
                if correction is not None:
                    made.append(correction)
    return made


__all__ = [
    "ClawbackReason",
    "abnormal_play_correct",
    "correction_cycle",
    "correction_post",
    "originality_org_correct",
    "refund_record",
]
