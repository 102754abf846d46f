"""Traffic coupons: grade grants, deliveries, returns at the cycle's end and on withdrawal."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from content.models import OriginalityReview, ReasonCode
from content.services import originality_decide
from incentives.models import Cycle, LedgerEntry, Pool
from placements.models import Coupon, InventoryDay, Placement, PlacementStatus
from placements.services import (
    DeliveryRow,
    coupons_close_cycle,
    coupons_grant_grades,
    deliveries_report,
    placement_accept,
    placement_nominate,
)
from portal.accounts.permissions import SYSTEM

pytestmark = pytest.mark.django_db


def traffic(program):
    return Pool.objects.get(program=program, kind="traffic").committed


def test_grade_grants_once_per_video_and_are_explained(operator, make_outfit, program, rule):
    s, a = make_outfit(grade="S"), make_outfit(grade="A")
    make_outfit(grade="B")  # no grant for B
    assert coupons_grant_grades(actor=operator) == 2
    assert coupons_grant_grades(actor=operator) == 0  # nothing granted twice
    coupon = Coupon.objects.get(video=s)
    assert (coupon.source, coupon.grade, coupon.impressions, coupon.rule) == (
        "grade",
        "S",
        20_000,
        rule,
    )
    assert coupon.value == Decimal("50.00") and coupon.entry.reason_code == "grade_grant"
    assert Coupon.objects.get(video=a).value == Decimal("20.00")
    assert traffic(program) == Decimal("70.00")


def test_grade_grants_refuse_all_when_the_pool_has_no_room(operator, make_outfit, program):
    make_outfit(grade="S"), make_outfit(grade="S")
    Pool.objects.filter(program=program, kind="traffic").update(budget=Decimal("60.00"))
    with pytest.raises(ValidationError):
        coupons_grant_grades(actor=operator)
    assert not Coupon.objects.exists() and traffic(program) == 0


def test_deliveries_applied_twice_change_nothing(operator, make_outfit, program, today):
    video = make_outfit(grade="S")
    coupons_grant_grades(actor=operator)
    coupon = Coupon.objects.get(video=video)
    rows = [
        DeliveryRow(coupon.pk, today, 7_000),
        DeliveryRow(coupon.pk, today - datetime.timedelta(days=1), 3_000),
    ]
    first = deliveries_report(actor=SYSTEM, rows=rows)
    assert (first.applied, first.unchanged, first.errors) == (2, 0, {})
    again = deliveries_report(actor=SYSTEM, rows=rows)
    assert (again.applied, again.unchanged) == (0, 2)
    coupon.refresh_from_db()
    assert coupon.delivered == 10_000
    # A new figure for a day replaces it.
    deliveries_report(actor=SYSTEM, rows=[DeliveryRow(coupon.pk, today, 5_000)])
    coupon.refresh_from_db()
    assert coupon.delivered == 8_000


def test_deliveries_beyond_the_grant_or_unknown_are_row_errors(operator, make_outfit, today):
    make_outfit(grade="A")
    coupons_grant_grades(actor=operator)
    coupon = Coupon.objects.get()
    result = deliveries_report(
        actor=SYSTEM,
        rows=[
            DeliveryRow(coupon.pk, today, 5_000),
            DeliveryRow(999_999, today, 1),
            DeliveryRow(coupon.pk, today + datetime.timedelta(days=3), 1),
            DeliveryRow(coupon.pk, today - datetime.timedelta(days=1), 6_000),
        ],
    )
    assert result.applied == 1 and sorted(result.errors) == [1, 2, 3]
    assert "the coupon granted 8,000" in result.errors[3]
    result = deliveries_report(actor=SYSTEM, rows=[DeliveryRow(coupon.pk, today, 9_000)])
    assert "between 0 and the coupon's 8,000" in result.errors[0]


def test_cycle_end_returns_undelivered_impressions_to_the_pool(
    operator, make_outfit, program, today
):
    make_outfit(grade="S")
    coupons_grant_grades(actor=operator)
    coupon = Coupon.objects.get()
    deliveries_report(actor=SYSTEM, rows=[DeliveryRow(coupon.pk, today, 5_000)])
    cycle = coupon.entry.cycle
    with pytest.raises(ValidationError):
        coupons_close_cycle(actor=operator, cycle=cycle)
    Cycle.objects.filter(pk=cycle.pk).update(ends_on=today)
    cycle.refresh_from_db()
    assert coupons_close_cycle(actor=operator, cycle=cycle) == 1
    assert coupons_close_cycle(actor=operator, cycle=cycle) == 0
    coupon.refresh_from_db()
    assert coupon.returned_value == Decimal("37.50")  # 15,000 of 20,000 undelivered
    assert coupon.returned_entry.amount == Decimal("-37.50")
    assert coupon.returned_entry.kind == "coupon_return"
    assert traffic(program) == Decimal("12.50")
    result = deliveries_report(actor=SYSTEM, rows=[DeliveryRow(coupon.pk, today, 6_000)])
    assert result.errors  # a closed coupon takes no more deliveries


def test_rejected_originality_withdraws_every_future_slot_and_returns_coupons(
    owner, manager, make_outfit, outfit_tab, program, today
):
    video = make_outfit(grade="S")
    nomination = placement_nominate(actor=owner, video=video, surface=outfit_tab)
    days = [today, today + datetime.timedelta(days=1), today + datetime.timedelta(days=2)]
    placement_accept(actor=manager, nomination=nomination, days=days)
    past = Placement.objects.get(day=today)
    Placement.objects.filter(pk=past.pk).update(day=today - datetime.timedelta(days=1))
    assert traffic(program) == Decimal("75.00")
    review = OriginalityReview.objects.create(video=video, category=video.category)
    originality_decide(
        actor=manager, review=review, outcome="copy", reason=ReasonCode.objects.get(code="reupload")
    )
    future = Placement.objects.filter(day__gte=today)
    assert future.count() == 2
    assert set(future.values_list("status", flat=True)) == {PlacementStatus.WITHDRAWN}
    assert Placement.objects.get(pk=past.pk).status == PlacementStatus.SCHEDULED
    assert (
        InventoryDay.objects.filter(day__gt=today).values_list("booked", flat=True).distinct().get()
        == 0
    )
    nomination.refresh_from_db()
    assert nomination.status == "withdrawn"
    # All three coupons were undelivered: the whole value went back.
    assert traffic(program) == 0
    assert LedgerEntry.objects.filter(kind="coupon_return").count() == 3
