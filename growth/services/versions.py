"""Versioned scorecard weights: an operator drafts a version (a copy of the newest one), edits it
and publishes it; a published version never changes. A month is scored with the newest published
version in force on its first day, and every scorecard keeps the version it was computed with."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from growth.models import COMPONENT_CODES, ScorecardVersion, VersionStatus
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record

EDITABLE_FIELDS = ("effective_from", *COMPONENT_CODES, "note")


def _values(version: ScorecardVersion) -> dict:
    return {name: getattr(version, name) for name in EDITABLE_FIELDS}


def check_weights(weights: dict[str, int], edited: set[str]) -> None:
    """The weights are whole percent from 0 to 100 adding up to 100; the error sits on the
    weights the editor changed (all of them when none was named)."""
    for code in COMPONENT_CODES:
        if not 0 <= weights[code] <= 100:
            raise ValidationError({code: _("A weight is between 0 and 100%.")})
    total = sum(weights.values())
    if total != 100:
        fields = [code for code in COMPONENT_CODES if code in edited] or list(COMPONENT_CODES)
        message = _("The weights add up to %(total)s%%; they must add up to 100%%.") % {
            "total": total
        }
        raise ValidationError(dict.fromkeys(fields, message), code="weights_total")


@transaction.atomic
def scorecard_version_draft(*, actor, effective_from: datetime.date) -> ScorecardVersion:
    authorize(actor, "growth.manage")
    latest = ScorecardVersion.objects.select_for_update().order_by("-number").first()
    draft = ScorecardVersion(
        number=(latest.number + 1) if latest else 1,
        effective_from=effective_from,
        status=VersionStatus.DRAFT,
        created_by=actor,
    )
    if latest is not None:
        for code in COMPONENT_CODES:
            setattr(draft, code, getattr(latest, code))
    check_weights(draft.weights(), set())
    draft.full_clean()
    draft.save()
    audit_record(
        actor=actor,
        action="scorecard_version.draft",
        obj=draft,
        after={"number": draft.number, "copied_from": latest.number if latest else None}
        | _values(draft),
    )
    return draft


@transaction.atomic
def scorecard_version_update(*, actor, version: ScorecardVersion, **fields) -> ScorecardVersion:
    """Edit a draft: `effective_from`, the weights (whole percent adding up to 100), `note`."""
    authorize(actor, "growth.manage")
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise TypeError(f"scorecard_version_update() got unexpected fields: {', '.join(unknown)}")
    version = ScorecardVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("A published version never changes; draft a new one."))
    before = _values(version)
    for name, value in fields.items():
        setattr(version, name, value)
    version.clean_fields()
    check_weights(version.weights(), set(fields))
    version.full_clean()
    version.save()
    audit_record(
        actor=actor,
        action="scorecard_version.update",
        obj=version,
        before=before,
        after=_values(version),
    )
    return version


@transaction.atomic
def scorecard_version_publish(*, actor, version: ScorecardVersion) -> ScorecardVersion:
    authorize(actor, "growth.manage")
    version = ScorecardVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("This version is already published."))
    check_weights(version.weights(), set())
    version.status, version.published_at = VersionStatus.PUBLISHED, timezone.now()
    version.save(update_fields=["status", "published_at"])
    audit_record(
        actor=actor,
        action="scorecard_version.publish",
        obj=version,
        after={"number": version.number} | _values(version),
    )
    return version
