"""Operators' tables: content types, originality rules, stock images, sampling rules; and the
covers that the content system sends."""

import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from content.fingerprint import bands, dhash
from content.models import (
    ContentType,
    FrameHash,
    FrameSource,
    Originality,
    OriginalityRule,
    SamplingRule,
    StockImage,
    Video,
)
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record, snapshot
from portal.core.queue import enqueue
from portal.core.uploads import clean_image

COVER_MAX_BYTES = 2 * 1024 * 1024


@transaction.atomic
def content_type_save(*, actor, content_type: ContentType | None, fields: dict) -> ContentType:
    authorize(actor, "content.configure")
    content_type = content_type or ContentType()
    before = snapshot(content_type, ["code", "name_zh", "name_en", "is_active"])
    for name in ("code", "name_zh", "name_en", "sort_order", "is_active"):
        if name in fields:
            setattr(content_type, name, fields[name])
    content_type.full_clean()
    content_type.save()
    audit_record(
        actor=actor,
        action="content.configure",
        obj=content_type,
        before=before,
        after=snapshot(content_type, ["code", "name_zh", "name_en", "is_active"]),
    )
    return content_type


RULE_FIELDS = [
    "hamming_threshold",
    "min_matching_frames",
    "stock_threshold",
    "rejection_window_days",
    "rejection_min_decided",
    "rejection_rate_percent",
    "appeal_window_days",
    "valid_from",
]


@transaction.atomic
def originality_rule_add(*, actor, fields: dict) -> OriginalityRule:
    """A new row of thresholds, valid from a date (today or later): the older rows stay as the
    history of what was in force."""
    authorize(actor, "content.configure")
    rule = OriginalityRule(created_by=actor, **{k: fields[k] for k in RULE_FIELDS if k in fields})
    if rule.valid_from < timezone.localdate():
        raise ValidationError({"valid_from": _("A rule takes effect today or later.")})
    rule.full_clean()
    rule.save()
    audit_record(
        actor=actor, action="content.configure", obj=rule, after=snapshot(rule, RULE_FIELDS)
    )
    return rule


@transaction.atomic
def stock_image_add(*, actor, label: str, upload=None, hash_value: int | None = None) -> StockImage:
    """A stock image, from its picture (hashed here) or from a hash the operator has."""
    authorize(actor, "content.configure")
    if upload is not None:
        clean = clean_image(upload, max_bytes=COVER_MAX_BYTES, max_pixels=16_000_000)
        hash_value = dhash(clean.content)
    if hash_value is None:
        raise ValidationError({"image": _("Upload the image or enter its hash.")})
    image = StockImage(label=label.strip(), hash=hash_value)
    image.full_clean()
    image.save()
    audit_record(actor=actor, action="content.configure", obj=image, after={"label": image.label})
    return image


@transaction.atomic
def sampling_rule_save(*, actor, rule: SamplingRule | None, fields: dict) -> SamplingRule:
    authorize(actor, "content.configure")
    rule = rule or SamplingRule()
    for name in ("category", "min_valid_plays", "random_percent", "is_active"):
        if name in fields:
            setattr(rule, name, fields[name])
    rule.full_clean()
    rule.save()
    audit_record(
        actor=actor,
        action="content.configure",
        obj=rule,
        after=snapshot(rule, ["category", "min_valid_plays", "random_percent", "is_active"]),
    )
    return rule


@transaction.atomic
def video_set_cover(*, actor, video: Video, upload) -> Video:
    """Store the cleaned cover (re-encoded, metadata gone) and its perceptual hash; a video not
    yet decided by a reviewer is checked again."""
    authorize(actor, "content.write")
    clean = clean_image(upload, max_bytes=COVER_MAX_BYTES, max_pixels=16_000_000)
    value = dhash(clean.content)
    video.cover.save(f"cover.{clean.extension}", ContentFile(clean.content), save=False)
    Video.objects.filter(pk=video.pk).update(cover=video.cover.name)
    FrameHash.objects.update_or_create(
        video=video,
        source=FrameSource.COVER,
        position=0,
        defaults=dict(
            creator_id=video.creator_id,
            published_at=video.published_at,
            hash=value,
            **dict(zip(("b0", "b1", "b2"), bands(value), strict=True)),
        ),
    )
    Video.objects.filter(pk=video.pk, originality=Originality.CLEAR).update(
        originality=Originality.UNCHECKED, updated_at=timezone.now()
    )
    audit_record(actor=actor, action="content.cover", obj=video, organization=video.organization)
    enqueue("content.tasks.check_originality")
    return video


def default_valid_from() -> datetime.date:
    return timezone.localdate()
