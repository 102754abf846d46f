"""The placement feed and delivery reports, as the platform's systems call them."""

import datetime
from decimal import Decimal

import pytest

from content.models import OriginalityReview, ReasonCode
from content.services import originality_decide
from partners.models import WebhookEvent
from placements.models import Coupon
from placements.services import placement_accept, placement_nominate
from tests.partners.factories import bearer, issue, partner_application, webhook_endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(owner, manager, outfit_video, product_outfit, today):
    from content.models import Product

    nomination = placement_nominate(
        actor=owner,
        video=outfit_video,
        surface=product_outfit,
        product=Product.objects.get(sku_id="sku-1001"),
    )
    return placement_accept(
        actor=manager, nomination=nomination, days=[today + datetime.timedelta(days=1)]
    )[0]


@pytest.fixture
def front_end(operator):
    app = partner_application(operator, name="前台", scopes=["placements:read"])
    return bearer(issue(operator, app))


@pytest.fixture
def content_system(operator):
    app = partner_application(
        operator, name="内容系统", scopes=["placements:read", "placements:write"]
    )
    return bearer(issue(operator, app))


def test_feed_by_surface_day_and_by_sku(
    client, front_end, scheduled, django_assert_max_num_queries
):
    day = scheduled.day.isoformat()
    with django_assert_max_num_queries(12):
        response = client.get(
            f"/api/v1/placements/?surface=product_outfit&date={day}&field=beauty", headers=front_end
        )
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["video_id"] == scheduled.video.video_id and row["sku"] == "sku-1001"
    assert row["status"] == "scheduled" and row["impressions"] == 10_000
    assert row["boost_factor"] == "1.50" and row["boost_rule"] is not None
    by_sku = client.get("/api/v1/placements/?sku=sku-1001", headers=front_end).json()
    assert [r["id"] for r in by_sku["results"]] == [scheduled.pk]
    assert client.get("/api/v1/placements/?sku=nothing", headers=front_end).json()["results"] == []


def test_feed_answers_304_for_an_unchanged_etag(client, front_end, scheduled):
    url = f"/api/v1/placements/?surface=product_outfit&date={scheduled.day.isoformat()}"
    first = client.get(url, headers=front_end)
    etag = first["ETag"]
    again = client.get(url, headers={**front_end, "If-None-Match": etag})
    assert again.status_code == 304


def test_feed_needs_the_placements_read_scope(client, operator, scheduled):
    app = partner_application(operator, name="别的", scopes=["content:read"])
    response = client.get("/api/v1/placements/", headers=bearer(issue(operator, app)))
    assert response.status_code == 403


def test_organizations_cannot_read_the_feed(client, owner, scheduled):
    client.force_login(owner)
    assert client.get("/api/v1/placements/").status_code == 403


def test_withdrawal_shows_in_the_feed_at_once_and_is_sent(
    client, operator, front_end, scheduled, manager
):
    app = partner_application(operator, name="回调", scopes=["placements:read"])
    webhook_endpoint(operator, app, events=["placement.scheduled", "placement.withdrawn"])
    video = scheduled.video
    review = OriginalityReview.objects.create(video=video, category=video.category)
    originality_decide(
        actor=manager, review=review, outcome="copy", reason=ReasonCode.objects.get(code="reupload")
    )
    [row] = client.get("/api/v1/placements/?sku=sku-1001", headers=front_end).json()["results"]
    assert row["status"] == "withdrawn" and row["withdrawn_reason"] == "originality_rejected"
    event = WebhookEvent.objects.get(event_type="placement.withdrawn")
    assert event.payload["data"]["placement"]["id"] == scheduled.pk


def test_scheduling_sends_placement_scheduled(operator, owner, manager, make_outfit, outfit_tab):
    app = partner_application(operator, name="回调", scopes=["placements:read"])
    webhook_endpoint(operator, app, events=["placement.scheduled"])
    nomination = placement_nominate(actor=owner, video=make_outfit(), surface=outfit_tab)
    [placement] = placement_accept(actor=manager, nomination=nomination)
    event = WebhookEvent.objects.get(event_type="placement.scheduled")
    assert event.payload["data"]["placement"]["surface"] == "browse_outfit"
    assert event.payload["data"]["placement"]["day"] == placement.day.isoformat()


def test_delivery_reports_are_idempotent(client, content_system, scheduled, today):
    coupon = Coupon.objects.get(placement=scheduled)
    body = {"rows": [{"coupon": coupon.pk, "date": today.isoformat(), "impressions": 4000}]}
    headers = {**content_system, "Idempotency-Key": "d-1"}
    first = client.post(
        "/api/v1/coupons/deliveries/", body, content_type="application/json", headers=headers
    )
    assert first.status_code == 200 and first.json()["applied"] == 1
    replay = client.post(
        "/api/v1/coupons/deliveries/", body, content_type="application/json", headers=headers
    )
    assert replay.json() == first.json()
    fresh = client.post(
        "/api/v1/coupons/deliveries/", body, content_type="application/json", headers=content_system
    )
    assert fresh.json() == {"applied": 0, "unchanged": 1, "errors": {}}
    coupon.refresh_from_db()
    assert coupon.delivered == 4000
    listed = client.get("/api/v1/coupons/?open=true", headers=content_system).json()["results"]
    assert listed[0]["delivered"] == 4000 and listed[0]["value"] == "25.00"


def test_delivery_rejects_bad_numbers_on_the_row(client, content_system, scheduled, today):
    coupon = Coupon.objects.get(placement=scheduled)
    for bad in (-1, 2**40, "NaN", 1.5):
        body = {"rows": [{"coupon": coupon.pk, "date": today.isoformat(), "impressions": bad}]}
        response = client.post(
            "/api/v1/coupons/deliveries/",
            body,
            content_type="application/json",
            headers=content_system,
        )
        assert response.status_code == 400, bad


def test_a_read_only_front_end_cannot_report_deliveries(client, front_end, scheduled, today):
    coupon = Coupon.objects.get(placement=scheduled)
    body = {"rows": [{"coupon": coupon.pk, "date": today.isoformat(), "impressions": 1}]}
    response = client.post(
        "/api/v1/coupons/deliveries/", body, content_type="application/json", headers=front_end
    )
    assert response.status_code == 403
    assert Coupon.objects.get(pk=coupon.pk).delivered == 0
    assert Decimal(coupon.value) == Decimal("25.00")


def test_feed_queries_do_not_grow_with_rows(
    client, front_end, manager, make_outfit, outfit_tab, today, django_assert_max_num_queries
):
    day = today + datetime.timedelta(days=1)
    for _i in range(2):
        nomination = placement_nominate(actor=manager, video=make_outfit(), surface=outfit_tab)
        placement_accept(actor=manager, nomination=nomination, days=[day])
    url = f"/api/v1/placements/?surface=browse_outfit&date={day.isoformat()}"
    with django_assert_max_num_queries(12):
        assert len(client.get(url, headers=front_end).json()["results"]) == 2
    # Two more on another day, all four listed: the same bound holds.
    for _i in range(2):
        nomination = placement_nominate(actor=manager, video=make_outfit(), surface=outfit_tab)
        placement_accept(
            actor=manager, nomination=nomination, days=[day + datetime.timedelta(days=1)]
        )
    with django_assert_max_num_queries(12):
        assert len(client.get("/api/v1/placements/", headers=front_end).json()["results"]) == 4


def test_feed_rows_are_the_serializers_rows_in_one_query(
    client, front_end, manager, make_outfit, outfit_tab, today
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    day = today + datetime.timedelta(days=1)
    for grade in ("S", "A"):
        nomination = placement_nominate(
            actor=manager, video=make_outfit(grade=grade), surface=outfit_tab
        )
        placement_accept(actor=manager, nomination=nomination, days=[day])
    url = f"/api/v1/placements/?surface=browse_outfit&date={day.isoformat()}&field=beauty"
    with CaptureQueriesContext(connection) as queries:
        rows = client.get(url, headers=front_end).json()["results"]
    feed_reads = [q["sql"] for q in queries if "placements_" in q["sql"]]
    assert len(feed_reads) == 1  # placements, boosts and their rule in the same SELECT
    assert [r["grade"] for r in rows] == ["A", "S"]  # newest first, the cursor's order
    assert rows[1]["boost_factor"] == "1.50" and rows[0]["boost_factor"] == "1.00"
    for row in rows:  # the same fields, values and order as the serialized detail resource
        detail = client.get(f"/api/v1/placements/{row['id']}/", headers=front_end).json()
        assert list(row.items()) == list(detail.items())


def test_feed_pages_by_cursor(client, front_end, manager, make_outfit, outfit_tab, today):
    day = today + datetime.timedelta(days=1)
    for _i in range(2):  # the day's two slots
        nomination = placement_nominate(actor=manager, video=make_outfit(), surface=outfit_tab)
        placement_accept(actor=manager, nomination=nomination, days=[day])
    url = f"/api/v1/placements/?surface=browse_outfit&date={day.isoformat()}&page_size=1"
    first = client.get(url, headers=front_end).json()
    second = client.get(first["next"], headers=front_end).json()
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(ids) == 2 and ids == sorted(ids, reverse=True) and second["next"] is None


def test_feed_refuses_a_bad_date_or_status_on_the_parameter(client, front_end, scheduled):
    bad_date = client.get("/api/v1/placements/?date=2026-02-30", headers=front_end)
    assert bad_date.status_code == 400 and "date" in bad_date.json()["errors"]
    bad_status = client.get("/api/v1/placements/?status=gone", headers=front_end)
    assert bad_status.status_code == 400 and "status" in bad_status.json()["errors"]
    listed = client.get("/api/v1/placements/?status=scheduled", headers=front_end).json()
    assert [r["id"] for r in listed["results"]] == [scheduled.pk]
