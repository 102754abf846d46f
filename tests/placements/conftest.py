import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from content.models import Video
from content.services import ProductRow
from placements.models import Surface
from placements.services import inventory_set, placement_rule_add
from tests.content.factories import make_video
from tests.creators.factories import BindingFactory


@pytest.fixture(autouse=True)
def _surfaces(db):
    """A transactional test empties the seeded surfaces; put them back."""
    if not Surface.objects.exists():
        from importlib import import_module

        from django.apps import apps

        import_module("placements.migrations.0002_seed_surfaces").seed(apps, None)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def program(operator, today):
    from incentives.services.programs import program_create

    return program_create(
        actor=operator,
        name="Traffic program",
        starts_on=today.replace(day=1) - datetime.timedelta(days=62),
        ends_on=today.replace(day=1) + datetime.timedelta(days=400),
        cash_budget=Decimal(1_000_000),
        traffic_budget=Decimal(10_000),
    )


@pytest.fixture
def rule(operator, program, today):
    return placement_rule_add(
        actor=operator,
        program=program,
        effective_from=today.replace(day=1) - datetime.timedelta(days=31),
        rate_per_thousand=Decimal("2.50"),
        monthly_quota=3,
        grade_grants={"S": 20_000, "A": 8_000},
        boosts={("S", "unchecked"): Decimal("1.50"), ("S", "original"): Decimal("1.60")},
    )


@pytest.fixture
def outfit_tab():
    return Surface.objects.get(code="browse_outfit")


@pytest.fixture
def product_outfit():
    return Surface.objects.get(code="product_outfit")


@pytest.fixture
def inventory(operator, outfit_tab, product_outfit, beauty, today, rule):
    for surface in (outfit_tab, product_outfit):
        inventory_set(
            actor=operator,
            surface=surface,
            category=beauty,
            effective_from=today,
            slots_per_day=2,
            impressions_per_slot=10_000,
        )


@pytest.fixture
def creator(organization):
    return BindingFactory(organization=organization, started_on=datetime.date(2026, 1, 1)).creator


def graded(video, grade="S", score="95"):
    Video.objects.filter(pk=video.pk).update(grade=grade, grade_score=Decimal(score))
    video.refresh_from_db()
    return video


@pytest.fixture
def outfit_video(creator, inventory):
    video = make_video(
        creator,
        content_type="outfit",
        title="秋冬通勤穿搭",
        products=(ProductRow("sku-1001", "羊毛大衣", "服饰"),),
    )
    return graded(video)


@pytest.fixture
def make_outfit(creator, inventory):
    def make(grade="S", score="95", **kwargs):
        kwargs.setdefault("products", (ProductRow("sku-1001", "羊毛大衣", "服饰"),))
        return graded(make_video(creator, content_type="outfit", **kwargs), grade, score)

    return make
