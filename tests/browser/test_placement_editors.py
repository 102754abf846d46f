# ruff: noqa: F811 - the test takes the imported fixtures as arguments
"""An operator, on a phone, adds a version of the placement rule from the rules page: a boost
factor out of range is refused on its cell, in Chinese, and nothing is written; corrected, the
version is listed as to come beside the one in force."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from placements.models import BoostFactor, PlacementRule
from tests.browser.test_coaching import sign_in
from tests.placements.conftest import _surfaces, program, rule, today  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_operator_adds_a_rule_version_on_a_phone(page, live_server, operator, rule, today):
    operator.language = "zh-hans"
    operator.save(update_fields=["language"])
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, operator.email)
    page.goto(f"{live_server.url}/placements/")
    page.get_by_role("link", name="展示位规则").click()
    expect(page.get_by_role("heading", name="展示位规则", level=1)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("生效版本")
    day = today + datetime.timedelta(days=2)
    form = page.get_by_role("region", name="新增版本")
    form.get_by_label("生效日期").fill(day.isoformat())
    cell = form.get_by_label("S 级，原创（已审核）")
    expect(cell).to_have_value("1.60")  # starts from the version in force
    cell.fill("12")
    form.get_by_role("button", name="添加此版本").click()
    expect(page.get_by_role("main")).to_contain_text("确保该值小于或等于10")
    assert not PlacementRule.objects.filter(effective_from=day).exists()
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 390 + 1, scroll  # the table stacks: no sideways scrolling
    form = page.get_by_role("region", name="新增版本")
    form.get_by_label("S 级，原创（已审核）").fill("1.90")
    form.get_by_role("button", name="添加此版本").click()
    expect(page.locator(".messages")).to_contain_text(f"新版本自 {day.isoformat()} 起生效")
    expect(page.get_by_role("main")).to_contain_text("待生效")
    new = PlacementRule.objects.get(effective_from=day)
    assert BoostFactor.objects.get(rule=new, grade="S", originality="original").factor == Decimal(
        "1.90"
    )
