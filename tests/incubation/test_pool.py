"""The reserve pool: nominations within the monthly limit, their review, stages with history and
entry by rule."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from creators.models import DailyMetric
from incubation.models import (
    EntryRule,
    Nomination,
    NominationLimit,
    PoolMember,
    PoolStage,
    StageChange,
)
from incubation.services import (
    entry_rules_apply,
    member_move,
    nomination_create,
    nomination_decide,
    nomination_withdraw,
)
from portal.core.models import Notification
from tests.creators.factories import BindingFactory, CreatorFactory


@pytest.fixture
def creator(organization, beauty):
    creator = CreatorFactory(primary_category=beauty)
    BindingFactory(creator=creator, organization=organization)
    return creator


def limit(operator, n):
    NominationLimit.objects.create(
        effective_from=datetime.date(2020, 1, 1), per_organization=n, created_by=operator
    )


def test_an_organization_nominates_its_creator_and_a_manager_accepts(creator, owner, manager):
    nomination = nomination_create(actor=owner, creator=creator, case="Fast-growing originals")
    assert nomination.organization_id == owner.membership.organization_id
    decided = nomination_decide(actor=manager, nomination=nomination, accept=True)
    assert decided.status == "accepted"
    member = PoolMember.objects.get(creator=creator)
    assert (member.stage, member.source, member.nomination_id) == (
        "reserve",
        "nomination",
        decided.pk,
    )
    creator.refresh_from_db()
    assert creator.stage == "reserve"
    assert Notification.objects.filter(recipient=owner, event="nomination.decided").exists()
    with pytest.raises(ValidationError, match="already in the pool"):
        nomination_create(actor=owner, creator=creator, case="again")


def test_only_own_creators_and_own_categories(creator, other_owner, pets_manager, manager):
    with pytest.raises(PermissionDenied):
        nomination_create(actor=other_owner, creator=creator, case="not ours")
    with pytest.raises(PermissionDenied):
        nomination_create(actor=pets_manager, creator=creator, case="not my field")
    nomination = nomination_create(actor=manager, creator=creator, case="seen in coaching")
    assert nomination.organization is None
    with pytest.raises(PermissionDenied):
        nomination_decide(actor=pets_manager, nomination=nomination, accept=True)


def test_the_monthly_limit_stops_nomination_flooding(organization, owner, operator, beauty):
    limit(operator, 2)
    creators = [CreatorFactory(primary_category=beauty) for _ in range(3)]
    for creator in creators:
        BindingFactory(creator=creator, organization=organization)
    nomination_create(actor=owner, creator=creators[0], case="one")
    withdrawn = nomination_create(actor=owner, creator=creators[1], case="two")
    nomination_withdraw(actor=owner, nomination=withdrawn)
    nomination_create(actor=owner, creator=creators[1], case="two again")
    with pytest.raises(ValidationError, match="used its 2 nominations"):
        nomination_create(actor=owner, creator=creators[2], case="three")
    assert Nomination.objects.exclude(status="withdrawn").count() == 2


def test_one_pending_nomination_per_creator(creator, owner, manager):
    nomination_create(actor=owner, creator=creator, case="one")
    with pytest.raises(ValidationError, match="already has a nomination"):
        nomination_create(actor=manager, creator=creator, case="two")


def test_a_decline_needs_a_reason_and_is_final(creator, owner, manager):
    nomination = nomination_create(actor=owner, creator=creator, case="x")
    with pytest.raises(ValidationError):
        nomination_decide(actor=manager, nomination=nomination, accept=False, reason=" ")
    nomination_decide(
        actor=manager, nomination=nomination, accept=False, reason="Too few originals"
    )
    with pytest.raises(ValidationError, match="already decided"):
        nomination_decide(actor=manager, nomination=nomination, accept=True)
    assert not PoolMember.objects.exists()


def test_stages_move_with_history(creator, owner, manager):
    nomination = nomination_create(actor=owner, creator=creator, case="x")
    nomination_decide(actor=manager, nomination=nomination, accept=True)
    member = PoolMember.objects.get(creator=creator)
    member_move(actor=manager, member=member, stage=PoolStage.INCUBATING, reason="Coaching plan")
    with pytest.raises(ValidationError):
        member_move(actor=manager, member=member, stage=PoolStage.TOP_100, reason="by hand")
    member_move(actor=manager, member=member, stage=PoolStage.EXITED, reason="Left the platform")
    creator.refresh_from_db()
    assert creator.stage == "none"
    history = list(
        StageChange.objects.filter(member=member)
        .order_by("id")
        .values_list("from_stage", "to_stage")
    )
    assert history == [("", "reserve"), ("reserve", "incubating"), ("incubating", "exited")]


def test_entry_rules_admit_creators_who_meet_them_and_hold_out_open_flags(operator, beauty):
    EntryRule.objects.create(
        name="Rising",
        window_days=30,
        min_followers=1000,
        min_valid_plays=50_000,
        min_original_videos=3,
    )
    day = datetime.date(2026, 11, 20)
    meets, flagged, short = (
        CreatorFactory(primary_category=beauty, follower_count=5000) for _ in range(3)
    )
    for creator, plays, flag in (
        (meets, 60_000, "none"),
        (flagged, 60_000, "open"),
        (short, 10_000, "none"),
    ):
        DailyMetric.objects.create(
            creator=creator,
            date=day,
            plays=plays,
            valid_plays=plays,
            counted_valid_plays=0 if flag == "open" else plays,
            videos_published=3,
            original_videos=3,
            flag=flag,
        )
    assert entry_rules_apply(actor=operator, day=day) == 1
    assert list(PoolMember.objects.values_list("creator", "source")) == [(meets.pk, "entry_rule")]
    assert entry_rules_apply(actor=operator, day=day) == 0


def test_members_read_nominations_but_only_owners_and_admins_nominate(
    client, owner, member, creator
):
    """A nomination spends the organization's monthly limit: the organization's owners and
    admins decide it, as they decide bindings and imports; members read, as the members page
    says."""
    from django.core.exceptions import PermissionDenied
    from django.urls import reverse

    from incubation.services import nomination_create

    with pytest.raises(PermissionDenied):
        nomination_create(actor=member, creator=creator, case="Twelve originals a week")
    nomination = nomination_create(actor=owner, creator=creator, case="Twelve originals a week")
    client.force_login(member)
    listed = client.get(reverse("incubation:nominations"))
    assert listed.status_code == 200 and nomination in listed.context["page"].object_list
    assert reverse("incubation:nominate") not in listed.content.decode()
    assert client.get(reverse("incubation:nominate")).status_code == 403
    members_page = client.get(
        reverse("organizations:members", args=[member.membership.organization_id])
    )
    assert "Members read everything" in members_page.content.decode()
