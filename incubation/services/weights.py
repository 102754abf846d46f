"""Versioned score weights: an operator drafts a version (a copy of the newest one), edits it and
publishes it; a published version never changes. The nightly scoring uses the newest published
version in force on the scored day (by its `effective_from`, then its number); every snapshot keeps
the version it was computed with, so past scores stay explained by their own weights."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incubation.models import COMPONENTS, ScoreWeights, WeightsStatus
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record

WEIGHT_FIELDS = tuple(name for name, _label in COMPONENTS)
EDITABLE_FIELDS = ("effective_from", "window_days", *WEIGHT_FIELDS, "note")
WINDOW_RANGE = (7, 180)  # the model's check constraint


def _values(weights: ScoreWeights) -> dict:
    return {name: getattr(weights, name) for name in EDITABLE_FIELDS}


def _check(weights: ScoreWeights, edited: set[str]) -> None:
    """Field errors in the reader's language, before the model's own checks."""
    low, high = WINDOW_RANGE
    if not low <= weights.window_days <= high:
        raise ValidationError(
            {
                "window_days": _("The window is %(low)s to %(high)s days.")
                % {"low": low, "high": high}
            }
        )
    total = weights.total
    if total != 100:
        # The error sits on the weights the editor changed (all six when none was named).
        fields = [name for name in WEIGHT_FIELDS if name in edited] or list(WEIGHT_FIELDS)
        message = _("The weights add up to %(total)s%%; they must add up to 100%%.") % {
            "total": total
        }
        raise ValidationError(dict.fromkeys(fields, message), code="weights_total")


@transaction.atomic
def weights_draft(*, actor, effective_from: datetime.date) -> ScoreWeights:
    """A new draft version, a copy of the newest version's window and weights (the model's
    defaults when there is none yet)."""
    authorize(actor, "incubation.manage")
    latest = ScoreWeights.objects.select_for_update().order_by("-number").first()
    draft = ScoreWeights(
        number=(latest.number + 1) if latest else 1,
        effective_from=effective_from,
        status=WeightsStatus.DRAFT,
        created_by=actor,
    )
    if latest is not None:
        for name in ("window_days", *WEIGHT_FIELDS):
            setattr(draft, name, getattr(latest, name))
    _check(draft, set())
    draft.full_clean()
    draft.save()
    audit_record(
        actor=actor,
        action="weights.draft",
        obj=draft,
        after={"number": draft.number, "copied_from": latest.number if latest else None}
        | _values(draft),
    )
    return draft


@transaction.atomic
def weights_update(*, actor, weights: ScoreWeights, **fields) -> ScoreWeights:
    """Edit a draft: any of `effective_from`, `window_days`, the six weights (whole percent,
    adding up to 100) and `note`. A published version never changes."""
    authorize(actor, "incubation.manage")
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise TypeError(f"weights_update() got unexpected fields: {', '.join(unknown)}")
    weights = ScoreWeights.objects.select_for_update().get(pk=weights.pk)
    if weights.status != WeightsStatus.DRAFT:
        raise ValidationError(_("Published weights never change; draft a new version."))
    before = _values(weights)
    for name, value in fields.items():
        setattr(weights, name, value)
    weights.clean_fields()  # each field's type and range first, then the weights' total
    _check(weights, set(fields))
    weights.full_clean()
    weights.save()
    audit_record(
        actor=actor,
        action="weights.update",
        obj=weights,
        before=before,
        after=_values(weights),
    )
    return weights


@transaction.atomic
def weights_publish(*, actor, weights: ScoreWeights) -> ScoreWeights:
    """Publish a draft: scoring uses it from its `effective_from` on, and it never changes."""
    authorize(actor, "incubation.manage")
    weights = ScoreWeights.objects.select_for_update().get(pk=weights.pk)
    if weights.status != WeightsStatus.DRAFT:
        raise ValidationError(_("This version is already published."))
    _check(weights, set())
    weights.status, weights.published_at = WeightsStatus.PUBLISHED, timezone.now()
    weights.save(update_fields=["status", "published_at"])
    audit_record(
        actor=actor,
        action="weights.publish",
        obj=weights,
        after={"number": weights.number} | _values(weights),
    )
    return weights
