"""Grades from the versioned rubric, and the nightly sample."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from content.models import GradingItem, Rubric, SamplingRule, Video
from content.services import (
    quality_sample,
    rubric_draft,
    rubric_publish,
    rubric_update,
    video_grade,
    video_nominate,
)
from tests.content.factories import make_video, make_videos, row
from tests.creators.factories import BindingFactory, CreatorFactory

pytestmark = pytest.mark.django_db


def scores(rubric, *values):
    return dict(zip([c.pk for c in rubric.criteria.all()], values, strict=True))


def test_the_weighted_score_and_the_letter_follow_the_rubric(manager):
    rubric = Rubric.objects.get()  # weights 30, 25, 20, 25
    video = make_video(CreatorFactory())
    grade = video_grade(actor=manager, video=video, scores=scores(rubric, 5, 5, 4, 5))
    assert (grade.score, grade.letter) == (Decimal("96.00"), "S")
    grade = video_grade(actor=manager, video=video, scores=scores(rubric, 3, 3, 2, 3))
    assert (grade.score, grade.letter) == (Decimal("56.00"), "C")
    video.refresh_from_db()
    assert (video.grade, video.grade_score) == ("C", Decimal("56.00"))
    assert sorted(grade.scores.values_list("score", flat=True)) == [2, 3, 3, 3]


def test_scores_out_of_range_and_other_fields_are_refused(manager, pets_manager):
    rubric = Rubric.objects.get()
    video = make_video(CreatorFactory())
    with pytest.raises(ValidationError):
        video_grade(actor=manager, video=video, scores=scores(rubric, 6, 5, 4, 5))
    with pytest.raises(PermissionDenied):
        video_grade(actor=pets_manager, video=video, scores=scores(rubric, 5, 5, 4, 5))


def test_a_new_rubric_version_is_drafted_edited_and_published_and_never_changes(operator):
    draft = rubric_draft(actor=operator)
    assert draft.number == 2 and draft.criteria.count() == 4
    rows = [
        {"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en, "weight": 25}
        for c in draft.criteria.all()
    ]
    rubric_update(actor=operator, rubric=draft, fields={"s_min": Decimal(92)}, criteria=rows)
    rubric_publish(actor=operator, rubric=draft)
    with pytest.raises(ValidationError):
        rubric_update(actor=operator, rubric=draft, fields={}, criteria=rows)
    # In force from tomorrow: today's grades still use version 1.
    assert Rubric.objects.in_force(timezone.localdate()).number == 1
    assert Rubric.objects.in_force(timezone.localdate() + datetime.timedelta(days=1)).number == 2


def test_the_nightly_sample_takes_the_popular_videos_and_a_stable_random_share(owner, organization):
    SamplingRule.objects.update(min_valid_plays=1000, random_percent=Decimal(50))
    creator = BindingFactory(
        organization=organization, started_on=datetime.date(2026, 1, 1)
    ).creator
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    moment = timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(12)))
    videos = make_videos(*[row(creator, published_at=moment) for _ in range(40)])
    Video.objects.filter(pk=videos[0].pk).update(valid_plays=5000)
    first = quality_sample(day=yesterday)
    sampled = set(GradingItem.objects.values_list("video_id", flat=True))
    assert videos[0].pk in sampled and 0 < first < 40
    assert quality_sample(day=yesterday) == 0  # the night run again draws nothing more
    assert set(GradingItem.objects.values_list("video_id", flat=True)) == sampled
    outside = next(v for v in videos if v.pk not in sampled)
    video_nominate(actor=owner, video=outside)
    with pytest.raises(ValidationError):
        video_nominate(actor=owner, video=outside)
