"""The special incentive's tier bar on the organization dashboard: each tier's label ends at its
mark, at desktop and phone width."""

from decimal import Decimal

import pytest
from django.utils import timezone

from demo.incentives import TIERS
from incentives.models import OrgTier
from incentives.services import (
    program_create,
    program_open,
    rule_version_draft,
    rule_version_publish,
)
from tests.browser.test_coaching import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# Each mark's x on the screen, and the right edge of the label (or tier number) under it.
ALIGNMENT = """selector => {
  const marks = [...document.querySelectorAll('.tier-mark')].map(m => m.getBoundingClientRect());
  const labels = [...document.querySelectorAll(selector)].map(l => l.getBoundingClientRect());
  return marks.map((m, i) => ({mark: (m.left + m.right) / 2, label: labels[i].right,
                               visible: labels[i].width > 0}));
}"""


def running_program_with_tiers(operator):
    """A program whose current cycle is this month, with the demo's five tiers."""
    start = timezone.localdate().replace(day=1)
    program = program_create(
        actor=operator,
        name="内容生态激励计划",
        starts_on=start,
        ends_on=start.replace(year=start.year + 1),
        cash_budget=Decimal(1_000_000),
        traffic_budget=Decimal(1_000_000),
    )
    version = rule_version_draft(actor=operator, program=program, effective_from=start)
    for level, n, amount in TIERS:
        OrgTier.objects.create(version=version, level=level, min_introduced=n, amount=amount)
    rule_version_publish(actor=operator, version=version)
    return program_open(actor=operator, program=program)


def test_each_tier_label_ends_at_its_mark(page, live_server, operator, owner):
    running_program_with_tiers(operator)
    owner.language = "zh-hans"
    owner.save(update_fields=["language"])
    sign_in(page, live_server, owner.email)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + "/")
    tiers = page.evaluate(ALIGNMENT, ".tier-labels li")
    assert len(tiers) == len(TIERS)
    for tier in tiers:
        assert tier["visible"] and abs(tier["mark"] - tier["label"]) <= 3, tier
    page.set_viewport_size({"width": 390, "height": 844})
    tiers = page.evaluate(ALIGNMENT, ".tier-numbers li")
    assert len(tiers) == len(TIERS)
    for tier in tiers:
        assert tier["visible"] and abs(tier["mark"] - tier["label"]) <= 3, tier
