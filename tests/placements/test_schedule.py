"""The placements' scheduled work: the weekly fill proposal, grade grants and closing the
coupons of ended cycles run by themselves (beat), as the system, and running twice changes
nothing the second time."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings as django_settings

from incentives.models import Cycle, LedgerEntry, Pool
from placements import tasks
from placements.models import Coupon, Nomination, NominationSource
from placements.services import coupons_grant_grades
from placements.services.schedule import (
    CLOSE_AFTER_DAYS,
    coupons_close_ended_cycles,
    fills_propose_next_week,
    next_week_start,
)
from portal.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_tasks_are_scheduled_by_their_registered_names():
    from portal.celery import app

    names = {
        "placements.tasks.propose_weekly_fill",
        "placements.tasks.grant_grade_coupons",
        "placements.tasks.close_ended_cycles",
    }
    schedule = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert names <= schedule and names <= set(app.tasks.keys())


def test_next_week_starts_on_the_monday_after_today():
    assert next_week_start(datetime.date(2026, 12, 10)) == datetime.date(2026, 12, 14)
    assert next_week_start(datetime.date(2026, 12, 14)) == datetime.date(2026, 12, 21)


def test_the_weekly_fill_proposes_for_every_surface_once(make_outfit, outfit_tab, today):
    videos = [make_outfit(grade=g) for g in ("S", "A", "B")]
    tasks.propose_weekly_fill()
    proposed = Nomination.objects.filter(source=NominationSource.AUTO_FILL)
    week = next_week_start(today)
    first = proposed.count()
    assert first == 5  # the outfit tab takes all three, the product section S and A only
    assert {n.video_id for n in proposed.filter(surface=outfit_tab)} == {v.pk for v in videos}
    assert all(week <= n.proposed_day < week + datetime.timedelta(days=7) for n in proposed)
    assert all(n.nominated_by is None and n.status == "pending" for n in proposed)
    entries = AuditEntry.objects.filter(action="placements.fill_propose").count()
    tasks.propose_weekly_fill()  # again: nothing more to propose, nothing more written
    assert proposed.count() == first
    assert AuditEntry.objects.filter(action="placements.fill_propose").count() == entries
    assert fills_propose_next_week(today=today) == 0


def test_grade_grants_run_nightly_and_grant_nothing_twice(make_outfit, program, rule):
    make_outfit(grade="S"), make_outfit(grade="A")
    tasks.grant_grade_coupons()
    tasks.grant_grade_coupons()
    assert Coupon.objects.count() == 2
    assert Pool.objects.get(program=program, kind="traffic").committed == Decimal("70.00")


def test_grade_grants_without_a_rule_are_logged_not_raised(caplog):
    tasks.grant_grade_coupons()
    assert "grade grants not made" in caplog.text and not Coupon.objects.exists()


def test_coupons_of_an_ended_cycle_close_once_after_the_last_reports(
    operator, make_outfit, program, rule, today
):
    make_outfit(grade="S")
    last_month = today.replace(day=1) - datetime.timedelta(days=20)
    coupons_grant_grades(actor=operator, day=last_month)
    cycle = Cycle.objects.get(program=program, starts_on__lte=last_month, ends_on__gt=last_month)
    pool = Pool.objects.get(program=program, kind="traffic")
    assert pool.committed == Decimal("50.00")
    too_soon = cycle.ends_on + datetime.timedelta(days=CLOSE_AFTER_DAYS - 1)
    assert coupons_close_ended_cycles(today=too_soon) == 0
    due = cycle.ends_on + datetime.timedelta(days=CLOSE_AFTER_DAYS)
    assert coupons_close_ended_cycles(today=due) == 1
    assert coupons_close_ended_cycles(today=due) == 0  # a closed coupon never closes again
    coupon = Coupon.objects.get()
    assert coupon.closed_at and coupon.returned_value == Decimal("50.00")  # nothing delivered
    pool.refresh_from_db()
    assert pool.committed == 0
    assert LedgerEntry.objects.filter(kind="coupon_return").count() == 1
    tasks.close_ended_cycles()
    assert LedgerEntry.objects.filter(kind="coupon_return").count() == 1


def test_a_manager_proposes_then_confirms_the_week_one_url_each(
    client, manager, owner, make_outfit, outfit_tab, beauty, today
):
    from django.urls import reverse

    from placements.models import Placement

    make_outfit(grade="S")
    week = next_week_start(today).isoformat()
    data = {"surface": outfit_tab.pk, "category": beauty.pk, "week_start": week}
    client.force_login(owner)
    assert client.post(reverse("placements:fill_propose"), data).status_code == 403
    client.force_login(manager)
    assert client.post(reverse("placements:fill_propose"), data).status_code == 302
    assert Nomination.objects.filter(source=NominationSource.AUTO_FILL).count() == 1
    assert client.post(reverse("placements:fill_confirm"), data).status_code == 302
    assert Placement.objects.filter(surface=outfit_tab).count() == 1
    refused = client.post(reverse("placements:fill_confirm"), {**data, "week_start": "x"})
    assert refused.status_code == 400 and refused.context["fill_form"].errors
