"""A suspension's record and the window to appeal it (the appeal itself: `appeals.py`).

The lifecycle's suspend transition opens a `Suspension` with the deadline to appeal (the window in
force that day, rule data an operator edits); reinstating ends it. Both run inside the
transition's transaction, after its compare-and-set, so a suspension exists exactly while the
organization is suspended (the database keeps one open suspension per organization).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import (
    DEFAULT_APPEAL_DAYS,
    MAX_APPEAL_DAYS,
    AppealDecision,
    AppealWindow,
    Organization,
    Suspension,
    SuspensionAppeal,
)
from portal.accounts.permissions import SYSTEM, authorize
from portal.audit.services import audit_record


def appeal_window_days() -> int:
    """The days to appeal a suspension made now (the latest window an operator set)."""
    window = AppealWindow.objects.order_by("-set_at", "-id").first()
    return window.days if window is not None else DEFAULT_APPEAL_DAYS


@transaction.atomic
def appeal_window_set(*, actor, days: int) -> AppealWindow:
    """An operator sets the window for suspensions from now on (earlier ones keep their day)."""
    authorize(actor, "organization.appeals")
    if not isinstance(days, int) or not 1 <= days <= MAX_APPEAL_DAYS:
        raise ValidationError({"days": _("Give a number of days from 1 to 90.")})
    before = appeal_window_days()
    window = AppealWindow(days=days, set_by=actor)
    window.full_clean()
    window.save()
    audit_record(
        actor=actor,
        action="organization.appeal_window",
        obj=window,
        before={"days": before},
        after={"days": days},
    )
    return window


def suspension_open(*, actor, organization: Organization, reason: str) -> Suspension:
    """Record the suspension the lifecycle just made (inside its transaction)."""
    now = timezone.now()
    deadline = timezone.localdate(now) + datetime.timedelta(days=appeal_window_days())
    return Suspension.objects.create(
        organization=organization,
        reason=reason,
        suspended_at=now,
        suspended_by=None if actor is SYSTEM else actor,
        appeal_until=deadline,
    )


def suspension_end(*, actor, organization: Organization, reason: str) -> Suspension | None:
    """End the open suspension the lifecycle just lifted (inside its transaction). An appeal still
    waiting is answered by the reinstatement itself."""
    suspension = (
        Suspension.objects.select_for_update()
        .filter(organization=organization, ended_at__isnull=True)
        .first()
    )
    if suspension is None:  # suspended before suspensions were recorded
        return None
    now = timezone.now()
    Suspension.objects.filter(pk=suspension.pk).update(ended_at=now)
    SuspensionAppeal.objects.filter(suspension=suspension, decision="").update(
        decision=AppealDecision.REINSTATE,
        decision_note=reason,
        decided_at=now,
        decided_by=None if actor is SYSTEM else actor,
    )
    suspension.refresh_from_db()
    return suspension
