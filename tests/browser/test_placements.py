# ruff: noqa: F811 - the test takes the imported fixtures as arguments
"""An owner nominates a video to the outfit tab; the field's manager schedules it; the feed lists
it; the content system reports delivery; the owner sees granted against delivered, on the
placements page and on the cycle's statement."""

import pytest
from playwright.sync_api import expect

from placements.models import Coupon, Placement
from tests.browser.test_coaching import sign_in
from tests.partners.factories import issue, partner_application
from tests.placements.conftest import (  # noqa: F401 - fixtures, used by name
    _surfaces,
    creator,
    inventory,
    outfit_tab,
    outfit_video,
    product_outfit,
    program,
    rule,
    today,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_nominate_schedule_feed_deliver_and_read(
    page, live_server, operator, manager, owner, outfit_video, today
):
    owner.language = "zh-hans"
    owner.save(update_fields=["language"])
    token = issue(
        operator,
        partner_application(
            operator, name="内容系统", scopes=["placements:read", "placements:write"]
        ),
    )
    api = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    sign_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}/placements/")
    form = page.get_by_role("region", name="提名视频")
    form.get_by_label("视频").select_option(label=str(outfit_video))
    form.get_by_label("展示位").select_option(label="逛频道·穿搭")
    form.get_by_label("推荐理由").fill("秋冬通勤穿搭，画面干净")
    form.get_by_role("button", name="提名", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已提名")
    expect(page.get_by_role("main")).to_contain_text("待审核")

    sign_in(page, live_server, manager.email)
    page.goto(f"{live_server.url}/placements/queue/")
    row = page.get_by_role("row").filter(has_text=outfit_video.title)
    row.get_by_label("Day").fill(today.isoformat())
    row.get_by_role("button", name="Schedule").click()
    expect(page.locator(".messages")).to_contain_text(f"Scheduled on {today.isoformat()}")
    placement = Placement.objects.get(video=outfit_video)

    feed = page.request.get(
        f"{live_server.url}/api/v1/placements/?surface=browse_outfit&date={today.isoformat()}",
        headers=api,
    )
    assert feed.ok
    [listed] = feed.json()["results"]
    assert listed["id"] == placement.pk and listed["video_id"] == outfit_video.video_id

    coupon = Coupon.objects.get(placement=placement)
    body = {"rows": [{"coupon": coupon.pk, "date": today.isoformat(), "impressions": 4000}]}
    report = page.request.post(
        f"{live_server.url}/api/v1/coupons/deliveries/",
        data=body,
        headers={**api, "Idempotency-Key": "browser-1"},
    )
    assert report.ok and report.json()["applied"] == 1

    sign_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}/placements/")
    coupons = page.get_by_role("region", name="流量券：发放与投放")
    per_video = coupons.get_by_role("row").filter(has_text=outfit_video.title)
    expect(per_video).to_contain_text("10,000")  # granted
    expect(per_video).to_contain_text("4,000")  # delivered
    expect(per_video).to_contain_text("40%")
    expect(coupons).to_contain_text("价值 25.00 元")

    reward_list = published_list(operator, coupon.entry.cycle)
    page.goto(f"{live_server.url}/rewards/lists/{reward_list.pk}/statement/")
    section = page.get_by_role("region", name="流量券", exact=True)
    row = section.get_by_role("row").filter(has_text=outfit_video.title)
    expect(row).to_contain_text("10,000")  # granted
    expect(row).to_contain_text("4,000 (40%)")  # delivered
    expect(row).to_contain_text("25.00")  # CNY of the traffic pool
    expect(row).to_contain_text("逛频道·穿搭")  # the placement that granted it
    assert errors == []


def published_list(operator, cycle):
    """The cycle's reward list, computed under a published rule version and published."""
    from decimal import Decimal

    from incentives.models import OrgTier
    from incentives.services import (
        rule_version_draft,
        rule_version_publish,
        settlement_approve,
        settlement_compute,
        settlement_publish,
        settlement_submit,
    )

    version = rule_version_draft(
        actor=operator, program=cycle.program, effective_from=cycle.program.starts_on
    )
    OrgTier.objects.create(version=version, level=1, min_introduced=1, amount=Decimal(5000))
    rule_version_publish(actor=operator, version=version)
    reward_list = settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )
    settlement_approve(actor=operator, reward_list=reward_list, revision=reward_list.revision)
    return settlement_publish(actor=operator, reward_list=reward_list)
