"""An organization's statement lists its videos' traffic coupons of the cycle, explained: a
section placements registers with the core (portal/core/statements.py), so incentives imports
nothing of placements."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from incentives.services import (
    settlement_approve,
    settlement_compute,
    settlement_publish,
    settlement_submit,
)
from placements.models import Coupon
from placements.services import (
    DeliveryRow,
    coupons_grant_grades,
    deliveries_report,
    placement_rule_add,
)
from portal.accounts.permissions import SYSTEM
from portal.core.statements import sections, statement_sections
from tests.incentives.test_computation import setup_cycle

from .conftest import graded

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def published(operator, organization, beauty):
    cycle, _version = setup_cycle(operator, organization, beauty)
    reward_list = settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )
    settlement_approve(actor=operator, reward_list=reward_list, revision=reward_list.revision)
    return settlement_publish(actor=operator, reward_list=reward_list)


@pytest.fixture
def coupons(operator, published, creator):
    from tests.content.factories import make_video

    placement_rule_add(
        actor=operator,
        program=published.cycle.program,
        effective_from=published.cycle.starts_on,
        rate_per_thousand=Decimal("2.50"),
        monthly_quota=3,
        grade_grants={"S": 20_000, "A": 8_000},
        boosts={},
    )
    s = graded(make_video(creator, content_type="outfit", title="通勤穿搭"), "S")
    graded(make_video(creator, content_type="outfit", title="周末穿搭"), "A")
    assert coupons_grant_grades(actor=operator, day=D(2026, 11, 15)) == 2
    coupon = Coupon.objects.get(video=s)
    deliveries_report(actor=SYSTEM, rows=[DeliveryRow(coupon.pk, D(2026, 11, 20), 5_000)])
    return coupon


def test_placements_registers_its_statement_section():
    assert "placements.coupons" in [s.key for s in sections()]


def test_the_statement_shows_the_cycles_coupons_explained(
    client, owner, published, coupons, django_assert_max_num_queries
):
    client.force_login(owner)
    url = reverse("incentives:statement", args=[published.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Traffic coupons" in text
    assert "通勤穿搭" in text and "周末穿搭" in text
    assert "Grade S grant" in text and "Grade A grant" in text
    assert "2.50 CNY per 1,000 impressions" in text
    (section,) = page.context["sections"]
    figures = section["figures"]
    assert (figures["count"], figures["granted"], figures["delivered"]) == (2, 28_000, 5_000)
    assert figures["value"] == Decimal("70.00")  # 20,000 + 8,000 impressions at 2.50 / 1,000
    assert figures["rate"] == 18
    owner.language = "zh-hans"
    owner.save()
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "流量券" in chinese


def test_a_cycle_without_coupons_has_no_section(owner, organization, published):
    assert statement_sections(owner, organization, published.cycle) == []


def test_another_organizations_coupons_never_show(other_owner, organization, published, coupons):
    assert statement_sections(other_owner, organization, published.cycle) == []


def test_the_section_reads_in_a_bounded_number_of_queries(
    owner, organization, published, coupons, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        statement_sections(owner, organization, published.cycle)
