"""Nominating: each eligibility rule refuses with its own explanation; the quota is a rule."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from content.models import ContentType, Product, Video
from placements.models import Nomination, NominationSource, NominationStatus
from placements.services import placement_nominate
from tests.content.factories import make_video

pytestmark = pytest.mark.django_db


def refusal(**kwargs) -> dict:
    with pytest.raises(ValidationError) as info:
        placement_nominate(**kwargs)
    return info.value.message_dict


def test_owner_nominates_an_eligible_video(owner, outfit_video, outfit_tab, organization):
    nomination = placement_nominate(actor=owner, video=outfit_video, surface=outfit_tab, note="好")
    assert nomination.status == NominationStatus.PENDING
    assert nomination.organization == organization
    assert nomination.source == NominationSource.ORGANIZATION


def test_a_copy_is_refused(owner, outfit_video, outfit_tab):
    Video.objects.filter(pk=outfit_video.pk).update(originality="copy")
    outfit_video.refresh_from_db()
    assert "originality" in refusal(actor=owner, video=outfit_video, surface=outfit_tab)


def test_a_video_still_in_review_is_refused(owner, outfit_video, outfit_tab):
    Video.objects.filter(pk=outfit_video.pk).update(originality="suspected")
    outfit_video.refresh_from_db()
    errors = refusal(actor=owner, video=outfit_video, surface=outfit_tab)
    assert "still in review" in errors["originality"][0]


def test_a_grade_below_the_surface_minimum_is_refused(owner, make_outfit, outfit_tab):
    video = make_outfit(grade="C", score="50")
    errors = refusal(actor=owner, video=video, surface=outfit_tab)
    assert "grade B or better" in errors["grade"][0]


def test_an_ungraded_video_is_refused(owner, creator, inventory, outfit_tab):
    video = make_video(creator, content_type="outfit")
    assert "grade" in refusal(actor=owner, video=video, surface=outfit_tab)


def test_a_content_type_the_surface_does_not_take_is_refused(owner, make_outfit, outfit_tab):
    video = make_outfit()
    Video.objects.filter(pk=video.pk).update(content_type=ContentType.objects.get(code="vlog"))
    video.refresh_from_db()
    errors = refusal(actor=owner, video=video, surface=outfit_tab)
    assert "Vlog" in errors["content_type"][0]


def test_product_surface_needs_a_product_the_video_features(owner, make_outfit, product_outfit):
    video = make_outfit()
    assert "product" in refusal(actor=owner, video=video, surface=product_outfit)
    other = Product.objects.create(sku_id="sku-other", name="别的商品")
    errors = refusal(actor=owner, video=video, surface=product_outfit, product=other)
    assert "does not feature" in errors["product"][0]
    featured = Product.objects.get(sku_id="sku-1001")
    assert placement_nominate(actor=owner, video=video, surface=product_outfit, product=featured)


def test_a_video_already_nominated_on_the_surface_is_refused(owner, outfit_video, outfit_tab):
    placement_nominate(actor=owner, video=outfit_video, surface=outfit_tab)
    errors = refusal(actor=owner, video=outfit_video, surface=outfit_tab)
    assert "already nominated" in errors["video"][0]


def test_a_field_without_inventory_is_refused(owner, organization, outfit_tab, rule, creator, pets):
    video = make_video(creator, content_type="outfit", category="pets")
    Video.objects.filter(pk=video.pk).update(grade="S")
    video.refresh_from_db()
    errors = refusal(actor=owner, video=video, surface=outfit_tab)
    assert "no inventory" in errors["surface"][0]


def test_the_monthly_quota_is_a_rule(owner, make_outfit, outfit_tab, rule):
    for _i in range(rule.monthly_quota):
        placement_nominate(actor=owner, video=make_outfit(), surface=outfit_tab)
    errors = refusal(actor=owner, video=make_outfit(), surface=outfit_tab)
    assert "3 nominations this month" in errors["quota"][0]


def test_quota_counts_only_this_month(owner, make_outfit, outfit_tab, rule, today):
    for _i in range(rule.monthly_quota):
        placement_nominate(actor=owner, video=make_outfit(), surface=outfit_tab)
    Nomination.objects.update(nominated_at=datetime.datetime(2020, 1, 5, tzinfo=datetime.UTC))
    assert placement_nominate(actor=owner, video=make_outfit(), surface=outfit_tab)


def test_managers_are_not_limited_by_the_quota(manager, make_outfit, outfit_tab, rule):
    for _i in range(rule.monthly_quota + 1):
        n = placement_nominate(actor=manager, video=make_outfit(), surface=outfit_tab)
        assert n.source == NominationSource.MANAGER and n.organization is None


def test_member_and_other_fields_manager_may_not_nominate(
    member, pets_manager, outfit_video, outfit_tab
):
    for actor in (member, pets_manager):
        with pytest.raises(PermissionDenied):
            placement_nominate(actor=actor, video=outfit_video, surface=outfit_tab)


def test_other_organization_may_not_nominate_our_video(other_owner, outfit_video, outfit_tab):
    with pytest.raises(PermissionDenied):
        placement_nominate(actor=other_owner, video=outfit_video, surface=outfit_tab)


def test_a_growth_levels_placement_quota_raises_the_rules(
    owner, make_outfit, outfit_tab, rule, today
):
    """The level's right is read where the quota is applied: at L3 (20 a month in the seeded
    rights) the rule's 3 no longer stop the fourth nomination; an operator lowering the right
    below the rule leaves the rule's quota."""
    from growth.models import Level, LevelRight, Scorecard, ScorecardVersion

    Scorecard.objects.create(
        organization=owner.membership.organization,
        month=today.replace(day=1),
        version=ScorecardVersion.objects.get(number=1),
        score=60,
        reached_level=3,
        level=3,
    )
    for _i in range(rule.monthly_quota + 1):
        placement_nominate(actor=owner, video=make_outfit(), surface=outfit_tab)
    LevelRight.objects.filter(level=Level.objects.get(number=3), key="placement_quota").update(
        value=1
    )
    errors = refusal(actor=owner, video=make_outfit(), surface=outfit_tab)
    assert "3 nominations this month" in errors["quota"][0]
