"""Decisions on suspected videos, and the organization's one appeal.

A manager of the video's field (or an operator) decides a review: original, transformative or
copy, with a reason code and a note. The organization sees the decision and the reason in its
language. A copy decision may be appealed once, by the owner or an admin of the organization the
video was published under, within the appeal window of the rule in force when it was decided; a
different reviewer (another manager of the field, or an operator) hears it and either upholds it
(the outcome changes) or dismisses it (the decision stands). Every change of what counts queues a
correction of the lists already paid (`content.services.corrections`).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from content import selectors
from content.models import (
    Appeal,
    AppealStatus,
    Decision,
    Originality,
    OriginalityReview,
    ReasonCode,
    ReviewStatus,
    Video,
)
from content.signals import originality_rejected
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core import events
from portal.core.notifications import notify
from portal.core.queue import enqueue

OUTCOMES = (Originality.ORIGINAL, Originality.TRANSFORMATIVE, Originality.COPY)


def video_event(video: Video, decision: Decision) -> dict:
    return {
        "video_id": video.video_id,
        "creator": video.creator.platform_account_id,
        "organization": video.organization_id,
        "originality": video.originality,
        "counts_as_original": video.counts_as_original,
        "reason": decision.reason.code,
        "on_appeal": decision.on_appeal,
        "decided_at": decision.decided_at,
    }


def _check_reason(outcome: str, reason: ReasonCode | None) -> None:
    errors = {}
    if outcome not in OUTCOMES:
        errors["outcome"] = _("Choose original, transformative or copy.")
    elif reason is None or reason.outcome != outcome or not reason.is_active:
        errors["reason"] = _("Choose a reason that fits the outcome.")
    if errors:
        raise ValidationError(errors)


def _tell_organization(video: Video, event: str) -> None:
    if video.organization is None:
        return
    people = [m.user for m in video.organization.memberships.select_related("user")]
    notify(
        recipients=people,
        event=event,
        organization=video.organization,
        reason=video.title,
        link=video.get_absolute_url(),
    )


def _apply(video: Video, decision: Decision, *, before: str) -> None:
    """The video's originality follows the decision; what counts changes from the next
    computation, and lists already paid are corrected."""
    Video.objects.filter(pk=video.pk).update(
        originality=decision.outcome, updated_at=timezone.now()
    )
    video.originality = decision.outcome
    events.publish(
        "video.originality_decided",
        video_event(video, decision),
        organization=video.organization,
        obj=video,
    )
    if decision.outcome == Originality.COPY and before != Originality.COPY:
        originality_rejected.send(
            sender=Video, video=video, actor=decision.decided_by, decision=decision
        )
    if (before == Originality.COPY) != (decision.outcome == Originality.COPY):
        enqueue("content.tasks.correct_paid_lists", decision_id=decision.pk)


@transaction.atomic
def originality_decide(
    *, actor, review: OriginalityReview, outcome: str, reason: ReasonCode | None, note: str = ""
) -> Decision:
    """The first decision on a suspected video."""
    video = review.video
    authorize(actor, "originality.decide", video)
    _check_reason(outcome, reason)
    review = OriginalityReview.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.OPEN:
        raise ValidationError(_("This video has already been decided."))
    decision = Decision.objects.create(
        review=review, outcome=outcome, reason=reason, note=note.strip(), decided_by=actor
    )
    OriginalityReview.objects.filter(pk=review.pk).update(status=ReviewStatus.DECIDED)
    before = video.originality
    _apply(video, decision, before=before)
    audit_record(
        actor=actor,
        action="originality.decide",
        obj=video,
        organization=video.organization,
        before={"originality": before},
        after={"originality": outcome, "reason": reason.code},
        reason=note.strip(),
    )
    _tell_organization(video, "originality.decided")
    return decision


@transaction.atomic
def originality_appeal(*, actor, decision: Decision, statement: str) -> Appeal:
    """The organization's one appeal against a copy decision, within the window."""
    video = decision.review.video
    authorize(actor, "originality.appeal", video)
    if not statement.strip():
        raise ValidationError({"statement": _("Say why the decision is wrong.")})
    if decision.on_appeal or decision.outcome not in selectors.APPEALABLE:
        raise ValidationError(_("Only a decision that rejects a video can be appealed."))
    if timezone.now() > selectors.appeal_deadline(decision):
        raise ValidationError(_("The appeal window of this decision has closed."))
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                decision=decision, statement=statement.strip(), filed_by=actor
            )
    except IntegrityError:
        raise ValidationError(
            _("This decision has already been appealed; a decision is appealed once.")
        ) from None
    OriginalityReview.objects.filter(pk=decision.review_id).update(status=ReviewStatus.APPEALED)
    audit_record(
        actor=actor,
        action="originality.appeal",
        obj=video,
        organization=video.organization,
        after={"decision": decision.pk},
        reason=statement.strip(),
    )
    return appeal


@transaction.atomic
def originality_appeal_hear(
    *,
    actor,
    appeal: Appeal,
    uphold: bool,
    outcome: str = "",
    reason: ReasonCode | None,
    response: str,
) -> Decision:
    """A different reviewer hears the appeal: upheld, the outcome becomes `outcome` (original or
    transformative); dismissed, the copy decision stands (with the reviewer's reason)."""
    decision = appeal.decision
    authorize(actor, "originality.hear_appeal", decision)
    outcome = outcome if uphold else Originality.COPY
    if uphold and outcome == Originality.COPY:
        raise ValidationError({"outcome": _("Upholding an appeal changes the outcome.")})
    _check_reason(outcome, reason)
    if not response.strip():
        raise ValidationError({"response": _("Explain the answer; the organization reads it.")})
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.status != AppealStatus.OPEN:
        raise ValidationError(_("This appeal has already been heard."))
    final = Decision.objects.create(
        review=decision.review,
        outcome=outcome,
        reason=reason,
        note=response.strip(),
        on_appeal=True,
        decided_by=actor,
    )
    Appeal.objects.filter(pk=appeal.pk).update(
        status=AppealStatus.UPHELD if uphold else AppealStatus.DISMISSED,
        heard_by=actor,
        heard_at=timezone.now(),
        response=response.strip(),
    )
    OriginalityReview.objects.filter(pk=decision.review_id).update(
        status=ReviewStatus.CLOSED, closed_at=timezone.now()
    )
    video = Video.objects.select_related("creator", "organization").get(pk=decision.review.video_id)
    before = video.originality
    _apply(video, final, before=before)
    audit_record(
        actor=actor,
        action="originality.appeal_heard",
        obj=video,
        organization=video.organization,
        before={"originality": before},
        after={"originality": outcome, "upheld": uphold, "reason": reason.code},
        reason=response.strip(),
    )
    _tell_organization(video, "originality.appeal_heard")
    return final
