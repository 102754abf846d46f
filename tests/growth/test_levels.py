"""Levels with hysteresis (two months below to drop), rights read where they are applied
(incubation's nomination quota, the originality review lane), versioned weights that add up to 100
(the service and the database), and the level thresholds' order."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from coaching.models import ActionItem, CoachingSession, ItemOwner
from growth.models import COMPONENT_CODES, Level, LevelRight, Scorecard, ScorecardVersion
from growth.selectors import level_of, right_for, what_would_raise
from growth.services.levels import level_right_set, level_save
from growth.services.scorecard import scorecards_compute
from growth.services.versions import (
    scorecard_version_draft,
    scorecard_version_publish,
    scorecard_version_update,
)
from incubation.models import NominationLimit
from incubation.services import nomination_create
from portal.audit.models import AuditEntry
from tests.creators.factories import BindingFactory

D = datetime.date
LATER = D(2027, 6, 1)


def months(n):
    out = [D(2026, 1, 1)]
    for _ in range(n - 1):
        out.append((out[-1] + datetime.timedelta(days=32)).replace(day=1))
    return out


@pytest.fixture
def on_time_only(db):
    """Version 1 scores only action items done on time: an organization with an open item due in
    the month scores 0, the other 100."""
    ScorecardVersion.objects.filter(number=1).update(
        **(dict.fromkeys(COMPONENT_CODES, 0) | {"items_on_time": 100})
    )


def late_item(organization, manager, month):
    session = CoachingSession.objects.create(
        organization=organization,
        manager=manager,
        scheduled_at=timezone.now(),
        channel="video",
        agenda="复盘",
    )
    ActionItem.objects.create(
        session=session,
        organization=organization,
        title="补齐原创说明",
        owner=ItemOwner.ORGANIZATION,
        due_on=month.replace(day=10),
    )


def test_a_level_drops_only_after_two_months_below_and_rises_at_once(
    on_time_only, organization, other_organization, manager
):
    # organization's score by month: 100, 0, 0, 100, 0, 100, 0
    worse = [False, True, True, False, True, False, True]
    for month, below in zip(months(7), worse, strict=True):
        late_item(organization if below else other_organization, manager, month)
        scorecards_compute(month=month, as_of=LATER)
    cards = list(
        Scorecard.objects.filter(organization=organization)
        .order_by("month")
        .values_list("score", "reached_level", "level", "months_below")
    )
    assert cards == [
        (Decimal(100), 5, 5, 0),
        (Decimal(0), 1, 5, 1),  # first month below: keeps level 5
        (Decimal(0), 1, 1, 0),  # second month below: drops
        (Decimal(100), 5, 5, 0),  # rises at once
        (Decimal(0), 1, 5, 1),
        (Decimal(100), 5, 5, 0),  # back up: the count starts again
        (Decimal(0), 1, 5, 1),
    ]
    assert level_of(organization, on=D(2026, 3, 15)) == 1
    assert level_of(organization, on=D(2026, 7, 15)) == 5
    assert level_of(organization, on=D(2025, 12, 31)) == 0


def test_the_raise_plan_names_the_gap_to_the_next_level(
    on_time_only, organization, other_organization, manager
):
    month = D(2026, 1, 1)
    late_item(organization, manager, month)
    scorecards_compute(month=month, as_of=LATER)
    card = Scorecard.objects.select_related("version").get(organization=organization)
    plan = what_would_raise(card)
    assert (card.level, plan.next_level.number, plan.gap) == (1, 2, Decimal(35))
    assert [item.line.code for item in plan.headroom] == ["items_on_time"]
    assert plan.headroom[0].points_left == Decimal(100)
    assert plan.headroom[0].target_figure == 1.0  # the other organization: every item on time


def test_the_nomination_quota_of_a_level_raises_the_programs_limit(
    operator, on_time_only, organization, other_organization, owner, manager
):
    NominationLimit.objects.create(
        effective_from=D(2026, 1, 1), per_organization=1, created_by=operator
    )
    this_month = timezone.localdate().replace(day=1)
    late_item(other_organization, manager, this_month)
    scorecards_compute(month=this_month, as_of=LATER)
    assert level_of(organization) == 5
    assert right_for(organization, "nomination_quota") == 20
    level = Level.objects.get(number=5)
    level_right_set(actor=operator, level=level, key="nomination_quota", value=2)
    creators = [BindingFactory(organization=organization).creator for _ in range(3)]
    nomination_create(actor=owner, creator=creators[0], case="原创测评稳定")
    nomination_create(actor=owner, creator=creators[1], case="增长快")  # the level's quota: 2
    with pytest.raises(ValidationError, match="2 nominations"):
        nomination_create(actor=owner, creator=creators[2], case="第三位")
    # without the right the program's limit of 1 applies again
    level_right_set(actor=operator, level=level, key="nomination_quota", value=None)
    assert right_for(organization, "nomination_quota") is None
    assert AuditEntry.objects.filter(action="level_right.remove").exists()


def test_the_review_lane_puts_an_organizations_videos_first(
    on_time_only, organization, other_organization, manager, suspects
):
    from content.selectors import review_queue

    this_month = timezone.localdate().replace(day=1)
    late_item(other_organization, manager, this_month)
    before = [r.video.organization_id for r in review_queue(manager)]
    scorecards_compute(month=this_month, as_of=LATER)
    queue = list(review_queue(manager))
    assert queue[0].video.organization_id == organization.pk
    assert queue[0].lane and not queue[-1].lane
    assert before[0] == other_organization.pk  # older, first without the lane


@pytest.fixture
def suspects(organization, other_organization, manager, pets):
    """Two open originality reviews in the manager's field: the other organization's first."""
    from content.models import OriginalityReview
    from tests.content.factories import HASH_A, check, make_video
    from tests.creators.factories import CreatorFactory

    source = BindingFactory(
        organization=other_organization, started_on=D(2026, 1, 1), creator=CreatorFactory()
    )
    make_video(source.creator, frames=HASH_A, days_ago=9)
    theirs = BindingFactory(organization=other_organization, started_on=D(2026, 1, 1))
    ours = BindingFactory(organization=organization, started_on=D(2026, 1, 1))
    make_video(theirs.creator, frames=HASH_A, days_ago=5)
    check()  # theirs is opened first
    make_video(ours.creator, frames=HASH_A, days_ago=2)
    check()
    assert OriginalityReview.objects.count() == 2


def test_weights_must_add_up_to_100_in_the_service_and_the_database(operator):
    draft = scorecard_version_draft(actor=operator, effective_from=D(2026, 12, 1))
    with pytest.raises(ValidationError) as error:
        scorecard_version_update(actor=operator, version=draft, growth=50)
    assert "add up to 135%" in str(error.value.message_dict["growth"])
    with pytest.raises(IntegrityError), transaction.atomic():
        ScorecardVersion.objects.filter(pk=draft.pk).update(growth=50)
    draft = scorecard_version_update(actor=operator, version=draft, growth=0, original_share=35)
    published = scorecard_version_publish(actor=operator, version=draft)
    with pytest.raises(ValidationError):
        scorecard_version_update(actor=operator, version=published, growth=1)
    assert AuditEntry.objects.filter(action="scorecard_version.publish").count() == 1


def test_only_operators_edit_weights_levels_and_rights(manager, owner):
    for actor in (manager, owner):
        with pytest.raises(PermissionDenied):
            scorecard_version_draft(actor=actor, effective_from=D(2026, 12, 1))
        with pytest.raises(PermissionDenied):
            level_save(actor=actor, number=2, name_zh="成长", name_en="Growing", min_score=1)
        with pytest.raises(PermissionDenied):
            scorecards_compute(actor=actor, month=D(2026, 1, 1))


def test_levels_rise_with_the_score(operator):
    with pytest.raises(ValidationError, match="must start above level 2"):
        level_save(actor=operator, number=3, name_zh="进阶", name_en="Established", min_score=30)
    with pytest.raises(ValidationError, match="starts at a score of 0"):
        level_save(actor=operator, number=1, name_zh="起步", name_en="Starter", min_score=5)
    level = level_save(
        actor=operator, number=6, name_zh="顶级", name_en="Top", min_score=Decimal("95")
    )
    assert level.min_score == 95 and AuditEntry.objects.filter(action="level.save").exists()
    with pytest.raises(ValidationError):
        level_right_set(actor=operator, level=level, key="review_lane", value=2)
    assert not LevelRight.objects.filter(level=level).exists()
