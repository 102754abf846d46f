"""Every write to an organization: its application, its lifecycle and its members.

Lifecycle (domain.md): draft -> submitted -> under review -> changes requested -> submitted ...
-> approved or rejected; approved -> suspended -> approved (reinstated); open applications can be
withdrawn. Each transition is a compare-and-set UPDATE on the status the caller saw, so two reviewers
acting at once cannot both succeed: the second finds the status changed and is refused.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from portal.accounts.models import Role
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record, snapshot
from portal.core.models import Category

from .models import Membership, Organization, OrganizationStatus, OrgRole
from .validators import normalize_credit_code

S = OrganizationStatus

PROFILE_FIELDS = [
    "legal_name",
    "credit_code",
    "legal_representative",
    "contact_name",
    "contact_phone",
    "contact_email",
    "declared_roster_size",
    "primary_categories",
]
MAX_PRIMARY_CATEGORIES = 3


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


def _check_categories(categories: Iterable[Category]) -> list[Category]:
    categories = list(categories)
    if not 1 <= len(categories) <= MAX_PRIMARY_CATEGORIES:
        raise ValidationError(
            {
                "primary_categories": _("Choose between 1 and %(max)d primary categories.")
                % {"max": MAX_PRIMARY_CATEGORIES}
            }
        )
    if any(not category.is_active for category in categories):
        raise ValidationError(
            {"primary_categories": _("One of the chosen categories is no longer open.")}
        )
    return categories


@transaction.atomic
def organization_create(
    *,
    actor,
    legal_name: str,
    primary_categories: Iterable[Category],
    credit_code: str = "",
    legal_representative: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    declared_roster_size: int = 0,
) -> Organization:
    """Start a draft application; the applicant becomes the organization's owner."""
    authorize(actor, "organization.create")
    categories = _check_categories(primary_categories)
    organization = Organization(
        legal_name=legal_name.strip(),
        credit_code=normalize_credit_code(credit_code),
        legal_representative=legal_representative.strip(),
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        contact_email=contact_email.strip().lower(),
        declared_roster_size=declared_roster_size,
        created_by=actor,
        status=S.DRAFT,
    )
    organization.full_clean()
    organization.save()
    organization.primary_categories.set(categories)
    membership = Membership(user=actor, organization=organization, role=OrgRole.OWNER)
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor,
        action="organization.create",
        obj=organization,
        organization=organization,
        after=snapshot(organization, [*PROFILE_FIELDS, "status"]),
    )
    return organization


def _check_complete(organization: Organization) -> None:
    """An application is submitted only when every field a reviewer needs is filled in."""
    required = {
        "legal_name": _("Enter the organization's legal name."),
        "credit_code": _("Enter the unified social credit code."),
        "legal_representative": _("Enter the legal representative."),
        "contact_name": _("Enter a contact person."),
        "contact_phone": _("Enter a contact mobile number."),
        "contact_email": _("Enter a contact email."),
    }
    errors = {
        field: message for field, message in required.items() if not getattr(organization, field)
    }
    if errors:
        raise ValidationError(errors)
    _check_categories(organization.primary_categories.all())
    organization.full_clean()


@transaction.atomic
def organization_transition(
    *, actor, organization: Organization, transition: str, reason: str = ""
) -> Organization:
    """Move `organization` along the lifecycle, or refuse with a message naming its current state."""
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
        _check_complete(organization)

    now = timezone.now()
    changes = {"status": step.target, "status_reason": reason, "status_changed_at": now}
    if step.name == "submit":
        changes["submitted_at"] = now
    elif step.name == "approve":
        changes["approved_at"] = now
    # Compare-and-set on the status read above: a concurrent transition makes this match no row.
    try:
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
    audit_record(
        actor=actor,
        action=f"organization.{step.name}",
        obj=organization,
        organization=organization,
        before={"status": seen},
        after={"status": step.target},
        reason=reason,
    )
    organization.refresh_from_db()
    return organization


def organization_submit(*, actor, organization: Organization) -> Organization:
    return organization_transition(actor=actor, organization=organization, transition="submit")


def organization_start_review(*, actor, organization: Organization) -> Organization:
    return organization_transition(
        actor=actor, organization=organization, transition="start_review"
    )


def organization_request_changes(*, actor, organization: Organization, reason: str) -> Organization:
    return organization_transition(
        actor=actor, organization=organization, transition="request_changes", reason=reason
    )


def organization_approve(*, actor, organization: Organization, reason: str = "") -> Organization:
    return organization_transition(
        actor=actor, organization=organization, transition="approve", reason=reason
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


@transaction.atomic
def membership_add(*, actor, organization: Organization, user, role: str) -> Membership:
    """Attach an organization account to `organization` (the invitation flow builds on this)."""
    authorize(actor, "membership.manage", organization)
    if user.role != Role.ORGANIZATION:
        raise ValidationError({"user": _("Platform staff cannot join an organization.")})
    if Membership.objects.filter(user=user).exists():
        raise ValidationError({"user": _("This person already belongs to an organization.")})
    membership = Membership(user=user, organization=organization, role=role)
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor,
        action="membership.add",
        obj=membership,
        organization=organization,
        after={"user": user.pk, "role": role},
    )
    return membership
