"""The top-100 shortlist: at most 100 slots (even under concurrent additions), stale edits
refused, proposals from the ranking, snapshots with diffs, freeze and publication."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from creators.models import Creator
from incubation.models import (
    PoolMember,
    PoolSource,
    ScoreSnapshot,
    ScoreWeights,
    ShortlistEntry,
    SnapshotKind,
)
from incubation.selectors import snapshot_diff
from incubation.services import (
    StaleShortlist,
    shortlist_add,
    shortlist_exclude,
    shortlist_for,
    shortlist_freeze,
    shortlist_propose,
    shortlist_publish,
    shortlist_snapshot_weekly,
)
from tests.creators.factories import BindingFactory, CreatorFactory

DAY = datetime.date(2026, 11, 28)


def pool_of(n, category, organization=None):
    creators = [CreatorFactory(primary_category=category) for _ in range(n)]
    PoolMember.objects.bulk_create(
        PoolMember(creator=c, source=PoolSource.NOMINATION) for c in creators
    )
    if organization is not None:
        for creator in creators:
            BindingFactory(creator=creator, organization=organization)
    return creators


def scores(creators, operator, day=DAY):
    weights = ScoreWeights.objects.get_or_create(
        number=1, defaults={"effective_from": day, "status": "published", "created_by": operator}
    )[0]
    ScoreSnapshot.objects.bulk_create(
        ScoreSnapshot(
            day=day,
            creator=c,
            category_id=c.primary_category_id,
            weights=weights,
            score=Decimal(100 - rank),
            rank=rank,
            category_rank=rank,
        )
        for rank, c in enumerate(creators, start=1)
    )


def test_pinning_needs_a_reason_a_pool_member_and_the_current_version(operator, beauty):
    shortlist = shortlist_for(2026)
    member, outsider = pool_of(1, beauty)[0], CreatorFactory(primary_category=beauty)
    with pytest.raises(ValidationError):
        shortlist_add(
            actor=operator, shortlist=shortlist, creator=member, reason="", expected_version=1
        )
    with pytest.raises(ValidationError, match="reserve pool"):
        shortlist_add(
            actor=operator, shortlist=shortlist, creator=outsider, reason="x", expected_version=1
        )
    entry = shortlist_add(
        actor=operator, shortlist=shortlist, creator=member, reason="Top GMV", expected_version=1
    )
    assert (entry.slot, entry.pinned) == (1, True)
    with pytest.raises(StaleShortlist, match="Reload"):
        shortlist_exclude(
            actor=operator, shortlist=shortlist, creator=member, reason="x", expected_version=1
        )
    assert ShortlistEntry.objects.filter(creator=member).exists()


def test_the_101st_creator_is_refused(operator, beauty):
    shortlist = shortlist_for(2026)
    creators = pool_of(101, beauty)
    ShortlistEntry.objects.bulk_create(
        ShortlistEntry(shortlist=shortlist, slot=n, creator=c, pinned=True)
        for n, c in enumerate(creators[:100], start=1)
    )
    with pytest.raises(ValidationError, match="100 creators"):
        shortlist_add(
            actor=operator,
            shortlist=shortlist,
            creator=creators[100],
            reason="x",
            expected_version=1,
        )
    assert ShortlistEntry.objects.count() == 100


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_additions_never_pass_100(operator, beauty):
    shortlist = shortlist_for(2026)
    creators = pool_of(106, beauty)
    ShortlistEntry.objects.bulk_create(
        ShortlistEntry(shortlist=shortlist, slot=n, creator=c, pinned=True)
        for n, c in enumerate(creators[:97], start=1)
    )
    contenders = creators[97:]
    barrier = threading.Barrier(len(contenders))
    outcomes = []

    def add(creator):
        try:
            barrier.wait()
            while True:
                version = type(shortlist).objects.get(pk=shortlist.pk).version
                try:
                    shortlist_add(
                        actor=operator,
                        shortlist=shortlist,
                        creator=creator,
                        reason="race",
                        expected_version=version,
                    )
                    outcomes.append("added")
                    return
                except StaleShortlist:
                    continue
                except ValidationError:
                    outcomes.append("refused")
                    return
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(c,)) for c in contenders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["added"] * 3 + ["refused"] * 6
    assert ShortlistEntry.objects.count() == 100
    assert set(ShortlistEntry.objects.values_list("slot", flat=True)) == set(range(1, 101))


def test_a_proposal_keeps_pins_skips_exclusions_and_fills_from_the_ranking(
    operator, manager, beauty
):
    shortlist = shortlist_for(2026)
    creators = pool_of(120, beauty)
    scores(creators, operator)
    pinned = creators[110]
    shortlist_add(
        actor=manager,
        shortlist=shortlist,
        creator=pinned,
        reason="Coach's pick",
        expected_version=1,
    )
    shortlist_exclude(
        actor=manager,
        shortlist=shortlist,
        creator=creators[0],
        reason="Contract ends",
        expected_version=2,
    )
    assert shortlist_propose(actor=operator, shortlist=shortlist, expected_version=3) == 99
    on_list = set(ShortlistEntry.objects.values_list("creator", flat=True))
    assert pinned.pk in on_list and creators[0].pk not in on_list
    assert {c.pk for c in creators[1:100]} <= on_list
    with pytest.raises(PermissionDenied):
        shortlist_propose(actor=manager, shortlist=shortlist, expected_version=4)


def test_weekly_snapshots_show_who_came_in_went_out_and_moved(operator, beauty):
    shortlist = shortlist_for(2026)
    creators = pool_of(5, beauty)
    scores(creators, operator)
    for creator in creators[:3]:
        shortlist_add(
            actor=operator,
            shortlist=shortlist,
            creator=creator,
            reason="x",
            expected_version=type(shortlist).objects.get(pk=shortlist.pk).version,
        )
    first = shortlist_snapshot_weekly(day=DAY)
    assert shortlist_snapshot_weekly(day=DAY) == first
    version = type(shortlist).objects.get(pk=shortlist.pk).version
    shortlist_exclude(
        actor=operator,
        shortlist=shortlist,
        creator=creators[0],
        reason="out",
        expected_version=version,
    )
    shortlist_add(
        actor=operator,
        shortlist=shortlist,
        creator=creators[4],
        reason="in",
        expected_version=version + 1,
    )
    second = shortlist_snapshot_weekly(day=DAY + datetime.timedelta(days=7))
    diff = snapshot_diff(first, second)
    assert [row.creator_id for row in diff["in"]] == [creators[4].pk]
    assert [row.creator_id for row in diff["out"]] == [creators[0].pk]
    assert [(row.creator_id, old, new) for row, old, new in diff["moved"]] == [
        (creators[1].pk, 2, 1),
        (creators[2].pk, 3, 2),
    ]


def test_freeze_and_publish_move_creators_to_top_100_and_tell_their_organizations(
    operator, beauty, organization, owner
):
    from portal.core.models import Notification

    shortlist = shortlist_for(2026)
    creators = pool_of(2, beauty, organization=organization)
    shortlist_add(
        actor=operator, shortlist=shortlist, creator=creators[0], reason="x", expected_version=1
    )
    with pytest.raises(ValidationError, match="Freeze"):
        shortlist_publish(actor=operator, shortlist=shortlist)
    final = shortlist_freeze(actor=operator, shortlist=shortlist, expected_version=2)
    assert final.kind == SnapshotKind.FINAL and final.rows.count() == 1
    assert Creator.objects.get(pk=creators[0].pk).stage == "top_100"
    with pytest.raises(ValidationError, match="no longer changes"):
        shortlist_add(
            actor=operator, shortlist=shortlist, creator=creators[1], reason="x", expected_version=2
        )
    shortlist_publish(actor=operator, shortlist=shortlist)
    assert Notification.objects.filter(recipient=owner, event="shortlist.published").exists()


def test_the_published_shortlist_carries_incubation_rewards_once(
    operator, beauty, organization, owner
):
    from incentives.models import LedgerEntry, Pool
    from incentives.services import (
        settlement_approve,
        settlement_compute,
        settlement_publish,
        settlement_submit,
    )
    from incubation.services import shortlist_award
    from tests.incentives.test_computation import setup_cycle

    cycle, _version = setup_cycle(operator, organization, beauty)
    reward_list = settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )
    settlement_approve(actor=operator, reward_list=reward_list, revision=reward_list.revision)
    reward_list = settlement_publish(actor=operator, reward_list=reward_list)
    shortlist = shortlist_for(2026)
    creators = pool_of(2, beauty, organization=organization)
    for n, creator in enumerate(creators):
        shortlist_add(
            actor=operator, shortlist=shortlist, creator=creator, reason="x", expected_version=1 + n
        )
    award = {
        "reward_list": reward_list,
        "amount": Decimal(2000),
        "pool": "traffic",
        "note": "Top-100 2026",
    }
    with pytest.raises(ValidationError, match="Publish"):
        shortlist_award(actor=operator, shortlist=shortlist, **award)
    shortlist_freeze(actor=operator, shortlist=shortlist, expected_version=3)
    shortlist = shortlist_publish(actor=operator, shortlist=shortlist)
    assert shortlist_award(actor=operator, shortlist=shortlist, **award) == 2
    assert shortlist_award(actor=operator, shortlist=shortlist, **award) == 0
    entries = LedgerEntry.objects.filter(kind="incubation")
    assert entries.count() == 2 and {e.organization_id for e in entries} == {organization.pk}
    assert Pool.objects.get(program=cycle.program, kind="traffic").committed == Decimal(4800)


def test_an_operator_awards_the_incubation_rewards_from_the_shortlist_page(
    client, operator, beauty, organization
):
    from incentives.models import LedgerEntry
    from incentives.services import (
        settlement_approve,
        settlement_compute,
        settlement_submit,
    )
    from incubation.models import Shortlist
    from tests.incentives.test_computation import setup_cycle

    cycle, _version = setup_cycle(operator, organization, beauty)
    reward_list = settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )
    settlement_approve(actor=operator, reward_list=reward_list, revision=reward_list.revision)
    shortlist = shortlist_for(datetime.date.today().year)
    creator = pool_of(1, beauty, organization=organization)[0]
    shortlist_add(
        actor=operator, shortlist=shortlist, creator=creator, reason="x", expected_version=1
    )
    shortlist_freeze(actor=operator, shortlist=shortlist, expected_version=2)
    shortlist_publish(actor=operator, shortlist=shortlist)
    client.force_login(operator)
    from django.urls import reverse

    page = client.get(reverse("incubation:shortlist"))
    assert page.context["award_form"] is not None
    client.post(
        reverse("incubation:shortlist_award"),
        {
            "reward_list": reward_list.pk,
            "pool": "traffic",
            "amount": "1500",
            "note": "Top 100",
        },
    )
    entry = LedgerEntry.objects.get(kind="incubation")
    assert (entry.creator_id, entry.amount) == (creator.pk, Decimal(1500))
    assert Shortlist.objects.get(pk=shortlist.pk).status == "published"
