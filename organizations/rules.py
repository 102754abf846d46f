"""Who may do what to an organization. Registered with `portal.accounts.permissions`."""

from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Role
from portal.accounts.permissions import is_operator, is_staff, manager_category_ids, rule
from portal.audit.labels import register_details
from portal.audit.services import register_actions

from .models import OrganizationStatus, OrgRole, Platform

CLOSED = (OrganizationStatus.REJECTED, OrganizationStatus.WITHDRAWN)


def org_role(user, organization) -> str | None:
    """The user's role in `organization`, or None when they do not belong to it."""
    if user.role != Role.ORGANIZATION or organization is None:
        return None
    membership = getattr(user, "membership", None)
    if membership is None or membership.organization_id != organization.pk:
        return None
    return membership.role


def is_org_admin(user, organization) -> bool:
    return org_role(user, organization) in (OrgRole.OWNER, OrgRole.ADMIN)


def manages_categories_of(user, organization) -> bool:
    if user.role != Role.MANAGER or organization is None:
        return False
    categories = manager_category_ids(user)
    return any(
        pk in categories for pk in organization.primary_categories.values_list("pk", flat=True)
    )


@rule("organization.create")
def can_create(user, obj=None):
    """A verified organization account without an organization (or whose application was
    rejected or withdrawn) starts an application."""
    if user.role != Role.ORGANIZATION or user.email_verified_at is None:
        return False
    membership = getattr(user, "membership", None)
    return membership is None or membership.organization.status in CLOSED


@rule("organization.view")
def can_view(user, organization):
    return (
        is_operator(user)
        or manages_categories_of(user, organization)
        or org_role(user, organization) is not None
    )


@rule("organization.edit_application")
def can_edit_application(user, organization):
    return is_org_admin(user, organization) and organization.is_editable_application


@rule("organization.edit_profile")
def can_edit_profile(user, organization):
    return is_org_admin(user, organization) and organization.is_active


@rule("organization.submit")
def can_submit(user, organization):
    return is_org_admin(user, organization)


rule("organization.withdraw")(can_submit)


@rule("organization.review")
def can_review(user, organization):
    return is_operator(user) or manages_categories_of(user, organization)


rule("organization.queue")(is_staff)


def coaches(user, organization) -> bool:
    """The user is the organization's current category manager."""
    if user.role != Role.MANAGER or organization is None:
        return False
    from .models import ManagerAssignment

    return ManagerAssignment.objects.filter(
        organization=organization, manager=user, ended_at__isnull=True
    ).exists()


rule("organization.suspend")(is_operator)
rule("organization.appeals")(is_operator)  # the appeals queue, decisions, the window


@rule("organization.suspension")
def can_see_suspension(user, organization=None):
    """An organization's people read their suspension (whom the scoped queryset decides)."""
    return user.role == Role.ORGANIZATION and getattr(user, "membership", None) is not None


@rule("organization.appeal")
def can_appeal(user, organization=None):
    """Owners and admins appeal their own organization's suspension."""
    if organization is None:
        membership = getattr(user, "membership", None) if user.role == Role.ORGANIZATION else None
        return membership is not None and membership.role in (OrgRole.OWNER, OrgRole.ADMIN)
    return is_org_admin(user, organization)


rule("assignment.manage")(is_operator)


@rule("membership.manage")
def can_manage_members(user, organization):
    """Operators, and owners and admins of an active organization (a suspended one reads only)."""
    return is_operator(user) or (is_org_admin(user, organization) and organization.is_active)


@rule("membership.ownership")
def can_manage_ownership(user, organization):
    """Granting, removing or inviting an owner: operators, and owners of an active organization
    (an admin manages members and admins, never owners)."""
    return is_operator(user) or (
        org_role(user, organization) == OrgRole.OWNER and organization.is_active
    )


register_actions(
    {
        "organization.create": _("Application started"),
        "organization.edit": _("Application edited"),
        "organization.profile": _("Profile updated"),
        "organization.licence": _("Business licence uploaded"),
        "organization.platforms": _("Other platforms updated"),
        "organization.terms": _("Program terms accepted"),
        "organization.submit": _("Application submitted"),
        "organization.start_review": _("Review started"),
        "organization.request_changes": _("Changes requested"),
        "organization.approve": _("Application approved"),
        "organization.reject": _("Application rejected"),
        "organization.suspend": _("Organization suspended"),
        "organization.reinstate": _("Organization reinstated"),
        "organization.appeal": _("Suspension appealed"),
        "organization.appeal_decide": _("Suspension appeal decided"),
        "organization.appeal_window": _("Window to appeal a suspension set"),
        "organization.withdraw": _("Application withdrawn"),
        "membership.add": _("Member added"),
        "membership.move": _("Member moved to a new application"),
        "membership.role": _("Member role changed"),
        "membership.remove": _("Member removed"),
        "invitation.create": _("Invitation sent"),
        "invitation.revoke": _("Invitation withdrawn"),
        "invitation.accept": _("Invitation accepted"),
        "assignment.create": _("Category manager assigned"),
        "assignment.move": _("Category manager changed"),
        "assignment.end": _("Category manager released"),
    }
)

register_details(
    {
        "checks": _("Checks"),
        "content_type": _("File type"),
        "terms_version": _("Terms version"),
        "category": _("Category"),
        "load_before": _("Organizations in the manager's book before"),
        "organization.appeal:suspension": _("Suspension"),
        "organization.appeal:documents": _("Documents"),
        "organization.appeal_decide:decision": _("Decision"),
        "organization.appeal_window:days": _("Days to appeal"),
        **{f"organization.platforms:{code}": label for code, label in Platform.choices},
    }
)
