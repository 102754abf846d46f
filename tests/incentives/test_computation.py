"""The set-based computation on a small, hand-checked cycle."""

import datetime
from decimal import Decimal

import pytest

from creators.models import DailyMetric
from incentives.models import OrgTier, RewardLine, RewardList, SubsidyRule, TrafficBand
from incentives.services import program_create, rule_version_draft, rule_version_publish
from incentives.services.computation import compute_lines
from tests.creators.factories import BindingFactory, CreatorFactory

D = datetime.date


def setup_cycle(operator, organization, beauty):
    program = program_create(
        actor=operator,
        name="p",
        starts_on=D(2026, 11, 1),
        ends_on=D(2027, 1, 1),
        cash_budget=Decimal(10_000_000),
        traffic_budget=Decimal(1_000_000),
    )
    version = rule_version_draft(actor=operator, program=program, effective_from=D(2026, 11, 1))
    version.playback_rate = Decimal("0.50")
    version.commission_bp = 200
    version.basic_per_introduced = Decimal(100)
    version.creator_cap = Decimal(3000)
    version.save()
    SubsidyRule.objects.create(
        version=version,
        category=beauty,
        level=1,
        min_original_videos=2,
        min_valid_plays=1000,
        min_followers=0,
        amount=Decimal(1000),
    )
    SubsidyRule.objects.create(
        version=version,
        category=beauty,
        level=2,
        min_original_videos=5,
        min_valid_plays=10000,
        min_followers=0,
        amount=Decimal(2900),
    )
    OrgTier.objects.create(version=version, level=1, min_introduced=1, amount=Decimal(5000))
    TrafficBand.objects.create(version=version, rank_from=1, rank_to=1, coupon=Decimal(800))
    rule_version_publish(actor=operator, version=version)
    creator = CreatorFactory()
    BindingFactory(creator=creator, organization=organization, started_on=D(2026, 11, 2))
    for day in range(2, 12):
        DailyMetric.objects.create(
            creator=creator,
            date=D(2026, 11, day),
            plays=100_000,
            valid_plays=100_000,
            counted_valid_plays=100_000,
            videos_published=1,
            original_videos=1,
            gmv=Decimal("123.45"),
        )
    return program.cycles.get(number=1), version


def test_a_small_cycle(operator, organization, beauty):
    cycle, version = setup_cycle(operator, organization, beauty)
    rl = RewardList.objects.create(cycle=cycle, rule_version=version)
    compute_lines(rl.pk, cycle, version)
    lines = {line.kind: (line.amount, line.amount_before_cap) for line in RewardLine.objects.all()}
    assert lines["creator_subsidy"] == (Decimal(2900), None)
    assert lines["playback"] == (Decimal(100), Decimal(500))
    assert lines["commission"] == (Decimal("24.69"), None)
    assert lines["traffic"] == (Decimal(800), None)
    assert lines["org_basic"] == (Decimal(100), None)
    assert lines["org_tier"] == (Decimal(5000), None)
    traffic = RewardLine.objects.get(kind="traffic")
    assert (traffic.pool, traffic.rank, traffic.valid_plays) == ("traffic", 1, 1_000_000)


def lines_of(reward_list):
    return sorted(
        RewardLine.objects.filter(reward_list=reward_list).values_list(
            "kind", "creator_id", "organization_id", "amount"
        )
    )


def test_computing_again_replaces_the_draft_with_the_same_lines(operator, organization, beauty):
    from django.core.exceptions import ValidationError

    from incentives.models import ListStatus
    from incentives.services import settlement_compute

    cycle, _version = setup_cycle(operator, organization, beauty)
    first = settlement_compute(actor=operator, cycle=cycle)
    lines = lines_of(first)
    again = settlement_compute(actor=operator, cycle=cycle)
    assert again.pk == first.pk and again.revision == 2
    assert lines_of(again) == lines and len(lines) == 6
    assert again.cash_total == Decimal("8124.69") and again.traffic_total == Decimal(800)
    RewardList.objects.filter(pk=again.pk).update(status=ListStatus.APPROVED)
    with pytest.raises(ValidationError):
        settlement_compute(actor=operator, cycle=cycle)
    assert lines_of(again) == lines


# --- the lines' references: checked once per list, not per line (issue #17) --------------------


def test_every_computed_line_names_an_existing_list_creator_and_organization(
    operator, organization, beauty
):
    from creators.models import Creator
    from organizations.models import Organization

    cycle, version = setup_cycle(operator, organization, beauty)
    rl = RewardList.objects.create(cycle=cycle, rule_version=version)
    compute_lines(rl.pk, cycle, version)
    lines = RewardLine.objects.filter(reward_list=rl)
    assert lines.count() == 6
    assert (
        not lines.exclude(creator=None).exclude(creator__in=Creator.objects.values("pk")).exists()
    )
    assert not lines.exclude(organization__in=Organization.objects.values("pk")).exists()


@pytest.mark.parametrize("column", ["creator_id", "organization_id"])
def test_a_line_naming_a_missing_row_undoes_the_computation(
    operator, organization, beauty, monkeypatch, column
):
    """If the INSERTs ever wrote a line naming a row that does not exist, the one set-based
    check refuses the whole computation: settlement_compute raises and writes nothing."""
    from django.db import IntegrityError, connection

    from incentives.services import computation, settlement_compute

    cycle, _version = setup_cycle(operator, organization, beauty)
    original = computation.insert_organization_lines

    def and_a_dangling_line(reward_list_id, cycle, version):
        written = original(reward_list_id, cycle, version)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE incentives_rewardline SET {column} = 987654321 "  # noqa: S608
                "WHERE id = (SELECT MAX(id) FROM incentives_rewardline WHERE reward_list_id = %s)",
                [reward_list_id],
            )
        return written

    monkeypatch.setattr(computation, "insert_organization_lines", and_a_dangling_line)
    with pytest.raises(IntegrityError, match="name a missing"):
        settlement_compute(actor=operator, cycle=cycle)
    assert not RewardLine.objects.exists()
    assert not RewardList.objects.filter(cycle=cycle).exists()


def test_check_line_references_counts_dangling_creators(operator, organization, beauty):
    from django.db import IntegrityError

    from incentives.services.computation import check_line_references

    cycle, version = setup_cycle(operator, organization, beauty)
    rl = RewardList.objects.create(cycle=cycle, rule_version=version)
    compute_lines(rl.pk, cycle, version)
    check_line_references(rl.pk)  # the computed lines pass
    RewardLine.objects.filter(reward_list=rl, kind="playback").update(creator_id=987654321)
    with pytest.raises(IntegrityError, match="1 lines"):
        check_line_references(rl.pk)
