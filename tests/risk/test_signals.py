"""The set-based signals agree with a plain-Python reference on random data (risk center)."""

import datetime
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from creators.models import Binding, BindingSource, DailyMetric, Dispute, QualificationRule
from risk.models import IdentityHash, LinkedOrders, RiskRule, Signal
from risk.services.compute import flagged_rows, rules_in_force
from risk.services.partner_data import rekey
from tests.creators.factories import CreatorFactory
from tests.organizations.factories import OrganizationFactory

from . import reference

TODAY = datetime.date(2026, 11, 30)


def random_world(seed: int, operator):
    rng = random.Random(seed)
    orgs = [OrganizationFactory() for _ in range(4)]
    creators = [CreatorFactory() for _ in range(30)]
    bindings, metrics, hashes, orders = [], [], [], []
    for creator in creators:
        day = TODAY - datetime.timedelta(days=rng.randint(20, 90))
        for hop in range(rng.choice([1, 1, 2, 3, 4])):
            org = rng.choice(orgs)
            length = rng.randint(3, 25)
            last = hop == 0 or day + datetime.timedelta(days=length) > TODAY
            ends = None if last else day + datetime.timedelta(days=length)
            bindings.append(
                Binding(
                    creator=creator,
                    organization=org,
                    source=rng.choice([BindingSource.RECRUITED, BindingSource.TRANSFERRED]),
                    started_on=day,
                    ended_on=ends,
                    created_by=operator,
                )
            )
            if ends is None:
                break
            day = ends
        for offset in range(rng.randint(0, 12)):
            metrics.append(
                DailyMetric(
                    creator=creator,
                    date=TODAY - datetime.timedelta(days=offset * 3 + rng.randint(0, 2)),
                    plays=rng.randint(0, 5000),
                    counted_valid_plays=rng.randint(0, 3000),
                    original_videos=(videos := rng.randint(0, 2)),
                    videos_published=videos + rng.randint(0, 1),
                    flag=rng.choice(["none", "none", "open", "confirmed", "dismissed"]),
                )
            )
        if rng.random() < 0.7:
            hashes.append(
                IdentityHash(
                    creator=creator,
                    identity=rekey(f"{rng.randint(0, 12):064x}") if rng.random() < 0.8 else "",
                    phone=rekey(f"{rng.randint(0, 15):064x}") if rng.random() < 0.6 else "",
                    account=rekey(f"{rng.randint(0, 20):064x}") if rng.random() < 0.5 else "",
                    received_at=timezone.now(),
                )
            )
        for offset in rng.sample(range(60), rng.randint(0, 4)):
            orders.append(
                LinkedOrders(
                    creator=creator,
                    day=TODAY - datetime.timedelta(days=offset),
                    orders=rng.randint(0, 4),
                    gmv=rng.randint(0, 100_000),
                    received_at=timezone.now(),
                )
            )
    Binding.objects.bulk_create(bindings)
    DailyMetric.objects.bulk_create({(m.creator_id, m.date): m for m in metrics}.values())
    IdentityHash.objects.bulk_create(hashes)
    LinkedOrders.objects.bulk_create(orders)
    for _ in range(rng.randint(0, 8)):
        creator = rng.choice(creators)
        holder, claimant = rng.sample(orgs, 2)
        dispute = Dispute.objects.create(
            creator=creator,
            holder=holder,
            claimant=claimant,
            claimed_source=BindingSource.RECRUITED,
            statement="mine",
            opened_by=operator,
        )
        Dispute.objects.filter(pk=dispute.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=rng.randint(0, 60)),
            status="kept",
        )


REFERENCES = {
    Signal.SHARED_IDENTITY: reference.shared_identity,
    Signal.MULTI_CLAIM: reference.multi_claim,
    Signal.TRANSFER_CHURN: reference.transfer_churn,
    Signal.SELF_DEALING: reference.self_dealing,
    Signal.PLAY_ANOMALY: reference.play_anomaly,
}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_set_based_signals_agree_with_the_reference(seed, operator):
    random_world(seed, operator)
    QualificationRule.objects.update(valid_from=datetime.date(2020, 1, 1))
    qualification = QualificationRule.objects.in_force(TODAY)
    rng = random.Random(seed * 7)
    found = 0
    for rule in rules_in_force():
        for window, threshold in [(rng.randint(5, 60), rng.randint(1, 4)), (30, 2)]:
            probe = RiskRule(
                rule_set=rule.rule_set,
                signal=rule.signal,
                window_days=window,
                threshold=threshold,
                expiry_days=14,
                default_decision="release",
            )
            rows = flagged_rows(probe, TODAY)
            got = {(c, o): figure for c, o, figure, _evidence in rows}
            assert len(got) == len(rows)  # one row per subject
            since = TODAY - datetime.timedelta(days=window - 1)
            if rule.signal == Signal.FAILED_INTRODUCTIONS:
                expected = reference.failed_introductions(threshold, since, TODAY, qualification)
            else:
                expected = REFERENCES[rule.signal](threshold, since, TODAY)
            assert got == expected, rule.signal
            found += len(got)
    assert found  # the random world is not empty of signals


def test_identity_hashes_are_stored_rekeyed_never_as_sent(operator):
    from risk.services.partner_data import identity_hashes_record

    creator = CreatorFactory()
    sent = "ab" * 32
    identity_hashes_record(
        actor=operator, rows=[{"creator_id": creator.pk, "identity": sent, "phone": ""}]
    )
    stored = IdentityHash.objects.get(creator=creator)
    assert stored.identity == rekey(sent) != sent
    assert stored.phone == "" and stored.account == ""


def test_linked_orders_money_is_exact(operator):
    from risk.services.partner_data import linked_orders_record

    creator = CreatorFactory()
    day = TODAY
    linked_orders_record(
        actor=operator, rows=[{"creator_id": creator.pk, "day": day, "orders": 3, "gmv_fen": 1001}]
    )
    assert LinkedOrders.objects.get(creator=creator).gmv == Decimal("10.01")
