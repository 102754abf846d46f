"""Inventory and the traffic pool under concurrent bookings, on PostgreSQL with real
transactions (inside one test transaction a lock proves nothing)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from incentives.models import Pool
from placements.models import Coupon, InventoryDay, Placement
from placements.services import placement_accept, placement_nominate


def race(manager, nominations, days_for):
    barrier = threading.Barrier(len(nominations))
    outcomes = []

    def accept(nomination):
        try:
            barrier.wait()
            placement_accept(actor=manager, nomination=nomination, days=days_for(nomination))
            outcomes.append("booked")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(n,)) for n in nominations]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_never_oversell_a_day(manager, make_outfit, outfit_tab, today):
    nominations = [
        placement_nominate(actor=manager, video=make_outfit(), surface=outfit_tab)
        for _i in range(8)
    ]
    tomorrow = today + datetime.timedelta(days=1)
    outcomes = race(manager, nominations, lambda n: [tomorrow])
    assert outcomes == ["booked"] * 2 + ["refused"] * 6
    day = InventoryDay.objects.get(surface=outfit_tab, day=tomorrow)
    assert day.booked == day.capacity == 2
    assert Placement.objects.filter(day=tomorrow).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_grants_never_overspend_the_traffic_pool(
    manager, make_outfit, outfit_tab, program, today
):
    Pool.objects.filter(program=program, kind="traffic").update(budget=Decimal("75.00"))
    nominations = [
        placement_nominate(actor=manager, video=make_outfit(), surface=outfit_tab)
        for _i in range(6)
    ]
    # Each on its own day: only the pool (room for three 25.00 coupons) limits them.
    days = {n.pk: [today + datetime.timedelta(days=i + 1)] for i, n in enumerate(nominations)}
    outcomes = race(manager, nominations, lambda n: days[n.pk])
    assert outcomes == ["booked"] * 3 + ["refused"] * 3
    pool = Pool.objects.get(program=program, kind="traffic")
    assert pool.committed == Decimal("75.00") == pool.budget
    assert Coupon.objects.count() == 3
    assert sum(InventoryDay.objects.values_list("booked", flat=True)) == 3
