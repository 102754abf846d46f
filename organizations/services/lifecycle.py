"""The organization lifecycle (domain.md).

draft -> submitted -> under review -> changes requested -> submitted ... -> approved or rejected;
approved -> suspended -> approved (reinstated); open applications can be withdrawn. Each transition is
a compare-and-set UPDATE on the status read in the same transaction, so two reviewers acting at once
cannot both succeed: the second finds the status changed and is refused.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from organizations import selectors
from organizations.models import (
    Organization,
    OrganizationStatus,
    OrgRole,
    ProgramTerms,
    ReviewCheck,
)
from portal.accounts.models import Role
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record
from portal.core import events
from portal.core.notifications import notify

from .application import organization_accept_terms
from .assignment import assign_least_loaded
from .suspension import suspension_end, suspension_open

S = OrganizationStatus

# Decisions the applicant hears about, in the portal and by email.
WEBHOOK_EVENTS = {
    S.APPROVED: "organization.approved",
    S.SUSPENDED: "organization.suspended",
}
NOTIFIED = {
    "submit",
    "start_review",
    "request_changes",
    "approve",
    "reject",
    "suspend",
    "reinstate",
}


class TransitionRefused(ValidationError):
    """The organization is not in a state from which the requested change is allowed."""


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    permission: str
    reason_required: bool
    verb: str  # shown in the refusal message


TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "submit",
            frozenset({S.DRAFT, S.CHANGES_REQUESTED}),
            S.SUBMITTED,
            "organization.submit",
            False,
            pgettext_lazy("transition", "submitted"),
        ),
        Transition(
            "start_review",
            frozenset({S.SUBMITTED}),
            S.UNDER_REVIEW,
            "organization.review",
            False,
            pgettext_lazy("transition", "taken into review"),
        ),
        Transition(
            "request_changes",
            frozenset({S.UNDER_REVIEW}),
            S.CHANGES_REQUESTED,
            "organization.review",
            True,
            pgettext_lazy("transition", "sent back for changes"),
        ),
        Transition(
            "approve",
            frozenset({S.UNDER_REVIEW}),
            S.APPROVED,
            "organization.review",
            False,
            pgettext_lazy("transition", "approved"),
        ),
        Transition(
            "reject",
            frozenset({S.UNDER_REVIEW}),
            S.REJECTED,
            "organization.review",
            True,
            pgettext_lazy("transition", "rejected"),
        ),
        Transition(
            "suspend",
            frozenset({S.APPROVED}),
            S.SUSPENDED,
            "organization.suspend",
            True,
            pgettext_lazy("transition", "suspended"),
        ),
        Transition(
            "reinstate",
            frozenset({S.SUSPENDED}),
            S.APPROVED,
            "organization.suspend",
            True,
            pgettext_lazy("transition", "reinstated"),
        ),
        Transition(
            "withdraw",
            frozenset({S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.CHANGES_REQUESTED}),
            S.WITHDRAWN,
            "organization.withdraw",
            False,
            pgettext_lazy("transition", "withdrawn"),
        ),
    ]
}


def organization_data(organization) -> dict:
    """An organization as partners' webhooks show it."""
    return {
        "organization": {
            "id": organization.pk,
            "legal_name": organization.legal_name,
            "status": organization.status,
            "status_changed_at": organization.status_changed_at,
        }
    }


def _check_review(step: Transition, checks) -> list[str]:
    """Approval needs every active checklist item ticked; other decisions record what was ticked."""
    active = list(ReviewCheck.objects.filter(is_active=True).values_list("code", flat=True))
    ticked = sorted(set(checks) & set(active))
    if step.name == "approve" and len(ticked) < len(active):
        raise ValidationError({"checks": _("Tick every item of the checklist before approving.")})
    return ticked


@transaction.atomic
def organization_transition(
    *, actor, organization: Organization, transition: str, reason: str = "", checks=()
) -> Organization:
    """Move `organization` along the lifecycle, or refuse with a message naming its current state.

    `checks` are the codes of the review checklist items the reviewer verified; approving needs
    all of them, and review decisions record them."""
    step = TRANSITIONS[transition]
    authorize(actor, step.permission, organization)
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        raise ValidationError({"reason": _("Give a reason; the organization will read it.")})

    organization.refresh_from_db()  # decide on the stored values, not a caller's stale copy
    seen = organization.status
    if seen not in step.sources:
        raise TransitionRefused(
            _("This organization is %(state)s and cannot be %(verb)s.")
            % {"state": S(seen).label, "verb": step.verb},
            code="illegal_transition",
        )
    if step.name == "submit":
        missing = selectors.application_missing(organization)
        if missing:
            raise ValidationError(missing)
    ticked = _check_review(step, checks) if step.permission == "organization.review" else None

    now = timezone.now()
    changes = {"status": step.target, "status_reason": reason, "status_changed_at": now}
    if step.name == "submit":
        changes["submitted_at"] = now
    elif step.name == "approve":
        changes["approved_at"] = now
    # Compare-and-set on the status read above: a concurrent transition makes this match no row.
    try:
        with transaction.atomic():
            updated = Organization.objects.filter(pk=organization.pk, status=seen).update(**changes)
    except IntegrityError as exc:
        raise ValidationError(
            {"credit_code": _("Another organization has already applied with this code.")}
        ) from exc
    if updated != 1:
        raise TransitionRefused(
            _("Someone else changed this organization just now; reload to see its new state."),
            code="concurrent_transition",
        )
    after = {"status": step.target}
    if ticked is not None:
        after["checks"] = ticked
    audit_record(
        actor=actor,
        action=f"organization.{step.name}",
        obj=organization,
        organization=organization,
        before={"status": seen},
        after=after,
        reason=reason,
    )
    organization.refresh_from_db()
    if step.name == "suspend":
        suspension_open(actor=actor, organization=organization, reason=reason)
    elif step.name == "reinstate":
        suspension_end(actor=actor, organization=organization, reason=reason)
    if step.target in WEBHOOK_EVENTS:
        # Approve and reinstate, suspend: partners are told, and incentives holds the suspended
        # organization's unpaid payouts (and releases those holds when it is reinstated).
        events.publish(
            WEBHOOK_EVENTS[step.target],
            {**organization_data(organization), "transition": step.name},
            organization=organization,
            obj=organization,
            actor=actor,
        )
    if step.name == "approve":
        assign_least_loaded(actor=actor, organization=organization)
    if step.name in NOTIFIED:
        notify(
            recipients=[
                m.user
                for m in organization.memberships.select_related("user").filter(
                    role__in=[OrgRole.OWNER, OrgRole.ADMIN]
                )
            ],
            event=f"organization.{step.name}",
            organization=organization,
            reason=reason,
            link=reverse(
                "organizations:suspension" if step.name == "suspend" else "core:dashboard"
            ),
        )
    if step.name in ("suspend", "reinstate"):
        # The other operators learn of it too: its payouts are held or released.
        notify(
            recipients=get_user_model().objects.filter(role=Role.OPERATOR, is_active=True),
            event=f"organization.{step.name}",
            organization=organization,
            reason=reason,
            link=reverse("organizations:review_detail", args=[organization.pk]),
        )
    return organization


@transaction.atomic
def organization_submit(
    *, actor, organization: Organization, accept_terms: ProgramTerms | None = None
) -> Organization:
    """Submit the application for review, accepting the program terms on the way if given."""
    if accept_terms is not None:
        organization_accept_terms(actor=actor, organization=organization, terms=accept_terms)
    return organization_transition(actor=actor, organization=organization, transition="submit")


def organization_start_review(*, actor, organization: Organization) -> Organization:
    return organization_transition(
        actor=actor, organization=organization, transition="start_review"
    )


def organization_request_changes(*, actor, organization: Organization, reason: str) -> Organization:
    return organization_transition(
        actor=actor, organization=organization, transition="request_changes", reason=reason
    )


def organization_approve(
    *, actor, organization: Organization, checks, reason: str = ""
) -> Organization:
    return organization_transition(
        actor=actor, organization=organization, transition="approve", reason=reason, checks=checks
    )


def organization_reject(*, actor, organization: Organization, reason: str) -> Organization:
    return organization_transition(
        actor=actor, organization=organization, transition="reject", reason=reason
    )


def organization_suspend(*, actor, organization: Organization, reason: str) -> Organization:
    return organization_transition(
        actor=actor, organization=organization, transition="suspend", reason=reason
    )


def organization_reinstate(*, actor, organization: Organization, reason: str) -> Organization:
    return organization_transition(
        actor=actor, organization=organization, transition="reinstate", reason=reason
    )


def organization_withdraw(*, actor, organization: Organization, reason: str = "") -> Organization:
    return organization_transition(
        actor=actor, organization=organization, transition="withdraw", reason=reason
    )
