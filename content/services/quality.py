"""Quality: rubric versions, grades, nominations and the nightly sample.

A grade scores every criterion of the rubric in force 1 to 5; the weighted score out of 100 is
20 x the weighted mean (so 1s give 20 and 5s give 100), rounded half up to two decimals, and the
letter is the highest grade whose threshold it reaches (S, A, B, else C). The grade, its scores and
the rubric version are kept; the video shows its latest grade.

Every night `quality_sample` puts the previous day's new videos into the grading queue of their
field: every video with at least the rule's valid plays, plus a random share of the others. The
"random" draw is a hash of the video's id and the day, so running the night again draws the same
videos, and the queue's unique key keeps one open item per video.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from content.models import (
    Criterion,
    Grade,
    GradeScore,
    GradingItem,
    GradingItemStatus,
    GradingReason,
    Rubric,
    RubricStatus,
    SamplingRule,
    Video,
)
from portal.accounts.permissions import SYSTEM, authorize
from portal.audit.services import audit_record
from portal.core import events

HUNDREDTH = Decimal("0.01")


def weighted_score(rubric: Rubric, scores: dict[int, int]) -> Decimal:
    criteria = list(rubric.criteria.all())
    total_weight = sum(c.weight for c in criteria)
    points = sum(c.weight * scores[c.pk] for c in criteria)
    return (Decimal(20 * points) / Decimal(total_weight)).quantize(HUNDREDTH, ROUND_HALF_UP)


@transaction.atomic
def video_grade(*, actor, video: Video, scores: dict[int, int], note: str = "") -> Grade:
    """Grade `video` with the rubric in force today; scores by criterion id, each 1 to 5."""
    authorize(actor, "quality.grade", video)
    rubric = Rubric.objects.in_force(timezone.localdate())
    if rubric is None:
        raise ValidationError(_("No quality rubric is published yet."))
    criteria = {c.pk: c for c in rubric.criteria.all()}
    errors = {}
    for pk, criterion in criteria.items():
        value = scores.get(pk)
        if not isinstance(value, int) or not 1 <= value <= 5:
            errors[f"criterion_{pk}"] = _("Score %(name)s from 1 to 5.") % {"name": criterion.name}
    if set(scores) - set(criteria):
        errors["__all__"] = _("These criteria are not in the rubric in force.")
    if errors:
        raise ValidationError(errors)
    score = weighted_score(rubric, scores)
    letter = rubric.grade_for(score)
    grade = Grade.objects.create(
        video=video, rubric=rubric, score=score, letter=letter, note=note.strip(), graded_by=actor
    )
    GradeScore.objects.bulk_create(
        GradeScore(grade=grade, criterion_id=pk, score=scores[pk]) for pk in criteria
    )
    before = {"grade": video.grade, "score": video.grade_score}
    Video.objects.filter(pk=video.pk).update(
        grade=letter, grade_score=score, updated_at=timezone.now()
    )
    video.grade, video.grade_score = letter, score
    GradingItem.objects.filter(video=video, status=GradingItemStatus.OPEN).update(
        status=GradingItemStatus.GRADED, grade=grade
    )
    audit_record(
        actor=actor,
        action="quality.grade",
        obj=video,
        organization=video.organization,
        before=before,
        after={"grade": letter, "score": score, "rubric": rubric.number},
        reason=note.strip(),
    )
    events.publish(
        "video.graded",
        {
            "video_id": video.video_id,
            "grade": letter,
            "score": str(score),
            "rubric_version": rubric.number,
            "graded_at": grade.graded_at,
        },
        organization=video.organization,
        obj=video,
    )
    return grade


@transaction.atomic
def video_nominate(*, actor, video: Video) -> GradingItem:
    """Put a video into its field's grading queue by hand."""
    authorize(actor, "quality.nominate", video)
    try:
        with transaction.atomic():
            item = GradingItem.objects.create(
                video=video, reason=GradingReason.NOMINATED, nominated_by=actor
            )
    except IntegrityError:
        raise ValidationError(_("This video is already waiting to be graded.")) from None
    audit_record(actor=actor, action="quality.nominate", obj=video, organization=video.organization)
    return item


def _sample_sql() -> str:
    # A deterministic draw in [0, 10000): portable integer arithmetic on the id and the day.
    draw = "((v.id %% 1000003) * 7919 + %s) %% 10000"
    return f"""
        INSERT INTO content_gradingitem (video_id, reason, status, sampled_on, created_at)
        SELECT v.id, 'sampled', 'open', %s, %s
        FROM content_video v
        WHERE v.published_on = %s
          AND (%s IS NULL OR v.category_id = %s)
          AND (v.valid_plays >= %s OR {draw} < %s)
          AND NOT EXISTS (SELECT 1 FROM content_gradingitem g WHERE g.video_id = v.id)
        ON CONFLICT DO NOTHING
    """  # noqa: S608 - constant text


@transaction.atomic
def quality_sample(*, day: datetime.date | None = None) -> int:
    """Queue the sample of videos published on `day` (yesterday by default)."""
    day = day or timezone.localdate() - datetime.timedelta(days=1)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    queued = 0
    with connection.cursor() as cursor:
        for rule in SamplingRule.objects.filter(is_active=True):
            share = int(rule.random_percent * 100)
            cursor.execute(
                _sample_sql(),
                [
                    day,
                    now,
                    day,
                    rule.category_id,
                    rule.category_id,
                    rule.min_valid_plays,
                    day.toordinal() * 104_729 % 10_000,
                    share,
                ],
            )
            queued += cursor.rowcount
    audit_record(actor=SYSTEM, action="quality.sample", after={"day": day, "queued": queued})
    return queued


@transaction.atomic
def rubric_draft(*, actor) -> Rubric:
    """A new draft version, copied from the newest version."""
    authorize(actor, "content.configure")
    latest = Rubric.objects.order_by("-number").first()
    if Rubric.objects.filter(status=RubricStatus.DRAFT).exists():
        raise ValidationError(_("A draft version already exists; edit or publish it first."))
    rubric = Rubric.objects.create(
        number=(latest.number + 1) if latest else 1,
        effective_from=timezone.localdate() + datetime.timedelta(days=1),
        s_min=latest.s_min if latest else Decimal(90),
        a_min=latest.a_min if latest else Decimal(75),
        b_min=latest.b_min if latest else Decimal(60),
        created_by=actor,
    )
    if latest is not None:
        Criterion.objects.bulk_create(
            Criterion(
                rubric=rubric,
                code=c.code,
                name_zh=c.name_zh,
                name_en=c.name_en,
                guidance_zh=c.guidance_zh,
                guidance_en=c.guidance_en,
                weight=c.weight,
                sort_order=c.sort_order,
            )
            for c in latest.criteria.all()
        )
    audit_record(actor=actor, action="quality.rubric", obj=rubric, after={"draft": rubric.number})
    return rubric


@transaction.atomic
def rubric_update(*, actor, rubric: Rubric, fields: dict, criteria: list[dict]) -> Rubric:
    """Edit a draft: thresholds, date, note and the criteria (replaced whole)."""
    authorize(actor, "content.configure")
    rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
    if rubric.status != RubricStatus.DRAFT:
        raise ValidationError(_("A published rubric never changes; draft a new version."))
    for name in ("effective_from", "s_min", "a_min", "b_min", "note"):
        if name in fields:
            setattr(rubric, name, fields[name])
    if rubric.effective_from <= timezone.localdate():
        raise ValidationError({"effective_from": _("A new version takes effect from tomorrow on.")})
    if not criteria:
        raise ValidationError(_("A rubric needs at least one criterion."))
    rubric.full_clean()
    rubric.save()
    rubric.criteria.all().delete()
    Criterion.objects.bulk_create(
        Criterion(rubric=rubric, sort_order=order, **row) for order, row in enumerate(criteria)
    )
    audit_record(actor=actor, action="quality.rubric", obj=rubric, after={"edited": rubric.number})
    return rubric


@transaction.atomic
def rubric_publish(*, actor, rubric: Rubric) -> Rubric:
    authorize(actor, "content.configure")
    updated = Rubric.objects.filter(pk=rubric.pk, status=RubricStatus.DRAFT).update(
        status=RubricStatus.PUBLISHED, published_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("Only a draft can be published."))
    rubric.refresh_from_db()
    audit_record(
        actor=actor, action="quality.rubric", obj=rubric, after={"published": rubric.number}
    )
    return rubric
