"""Accepting, declining, the weekly fill, the inventory and the coupons that placements carry."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from incentives.models import LedgerEntry, Pool
from placements.models import (
    Coupon,
    InventoryDay,
    Nomination,
    NominationSource,
    NominationStatus,
    Placement,
)
from placements.services import (
    fill_confirm,
    fill_propose,
    placement_accept,
    placement_decline,
    placement_nominate,
)
from portal.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def nomination(owner, outfit_video, outfit_tab):
    return placement_nominate(actor=owner, video=outfit_video, surface=outfit_tab)


def test_manager_accepts_on_chosen_days_and_each_placement_carries_a_coupon(
    manager, nomination, today, program
):
    days = [today + datetime.timedelta(days=1), today + datetime.timedelta(days=2)]
    placements = placement_accept(actor=manager, nomination=nomination, days=days)
    assert [p.day for p in placements] == days
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.ACCEPTED
    for placement in placements:
        coupon = placement.coupon
        assert coupon.impressions == 10_000 and coupon.value == Decimal("25.00")
        assert coupon.entry.kind == "coupon" and coupon.entry.pool.kind == "traffic"
        assert coupon.entry.amount == Decimal("25.00")
    assert Pool.objects.get(program=program, kind="traffic").committed == Decimal("50.00")
    assert InventoryDay.objects.get(day=days[0]).booked == 1
    assert AuditEntry.objects.filter(action="placements.accept").exists()


def test_next_free_skips_full_days(manager, owner, make_outfit, outfit_tab, today):
    tomorrow = today + datetime.timedelta(days=1)
    for _i in range(2):
        n = placement_nominate(actor=manager, video=make_outfit(), surface=outfit_tab)
        placement_accept(actor=manager, nomination=n, days=[tomorrow])
    n = placement_nominate(actor=owner, video=make_outfit(), surface=outfit_tab)
    [placement] = placement_accept(actor=manager, nomination=n)
    assert placement.day == tomorrow + datetime.timedelta(days=1)


def test_a_full_day_is_refused_and_nothing_is_booked(manager, make_outfit, outfit_tab, today):
    tomorrow = today + datetime.timedelta(days=1)
    for _i in range(2):
        n = placement_nominate(actor=manager, video=make_outfit(), surface=outfit_tab)
        placement_accept(actor=manager, nomination=n, days=[tomorrow])
    n = placement_nominate(actor=manager, video=make_outfit(), surface=outfit_tab)
    with pytest.raises(ValidationError) as info:
        placement_accept(
            actor=manager, nomination=n, days=[tomorrow + datetime.timedelta(days=1), tomorrow]
        )
    assert "fully booked" in str(info.value)
    assert Placement.objects.filter(nomination=n).count() == 0
    n.refresh_from_db()
    assert n.status == NominationStatus.PENDING


def test_the_database_refuses_overbooking_directly(manager, nomination, today):
    [placement] = placement_accept(actor=manager, nomination=nomination)
    day = InventoryDay.objects.get(pk=placement.inventory_day_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        InventoryDay.objects.filter(pk=day.pk).update(booked=day.capacity + 1)


def test_past_days_cannot_be_booked(manager, nomination, today):
    with pytest.raises(ValidationError):
        placement_accept(
            actor=manager, nomination=nomination, days=[today - datetime.timedelta(days=1)]
        )


def test_manager_of_another_field_may_not_accept(pets_manager, owner, nomination):
    for actor in (pets_manager, owner):
        with pytest.raises(PermissionDenied):
            placement_accept(actor=actor, nomination=nomination)


def test_decline_needs_a_reason_code(manager, nomination):
    with pytest.raises(ValidationError):
        placement_decline(actor=manager, nomination=nomination, reason="nope")
    with pytest.raises(ValidationError):
        placement_decline(actor=manager, nomination=nomination, reason="other", note=" ")
    declined = placement_decline(actor=manager, nomination=nomination, reason="fit")
    assert declined.status == NominationStatus.DECLINED and declined.decline_reason == "fit"
    with pytest.raises(ValidationError):
        placement_accept(actor=manager, nomination=nomination)


def test_no_room_in_the_traffic_pool_refuses_the_placement(manager, nomination, program):
    Pool.objects.filter(program=program, kind="traffic").update(budget=Decimal("10.00"))
    with pytest.raises(ValidationError) as info:
        placement_accept(actor=manager, nomination=nomination)
    assert "traffic pool has 10.00 CNY left" in str(info.value)
    assert not Placement.objects.exists() and not LedgerEntry.objects.exists()
    assert InventoryDay.objects.filter(booked__gt=0).count() == 0


def test_weekly_fill_proposes_best_graded_and_manager_confirms(
    manager, make_outfit, outfit_tab, beauty, today
):
    b = make_outfit(grade="B", score="65")
    s = make_outfit(grade="S", score="92")
    a = make_outfit(grade="A", score="80")
    copy = make_outfit(grade="S", score="99")
    from content.models import Video

    Video.objects.filter(pk=copy.pk).update(originality="copy")
    week = today + datetime.timedelta(days=7 - today.weekday())
    assert (
        fill_propose(actor=manager, surface=outfit_tab, category_id=beauty.pk, week_start=week) == 3
    )
    proposed = list(Nomination.objects.filter(source=NominationSource.AUTO_FILL).order_by("pk"))
    assert {(n.video_id, n.proposed_day) for n in proposed} == {
        (s.pk, week),
        (a.pk, week),
        (b.pk, week + datetime.timedelta(days=1)),
    }
    assert {n.note for n in proposed} == {
        "Weekly fill: grade S",
        "Weekly fill: grade A",
        "Weekly fill: grade B",
    }
    assert all(n.status == "pending" and n.nominated_by == manager for n in proposed)
    assert all(n.nominated_at is not None and n.category_id == beauty.pk for n in proposed)
    # Proposing again adds nothing: every candidate is proposed.
    assert (
        fill_propose(actor=manager, surface=outfit_tab, category_id=beauty.pk, week_start=week) == 0
    )
    assert (
        fill_confirm(actor=manager, surface=outfit_tab, category_id=beauty.pk, week_start=week) == 3
    )
    assert Placement.objects.filter(day=week).count() == 2
    assert Coupon.objects.count() == 3


def test_owner_may_not_run_the_weekly_fill(owner, outfit_tab, beauty, today):
    with pytest.raises(PermissionDenied):
        fill_propose(actor=owner, surface=outfit_tab, category_id=beauty.pk, week_start=today)
