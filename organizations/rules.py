"""Who may do what to an organization. Registered with `portal.accounts.permissions`."""

from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Role
from portal.accounts.permissions import is_operator, is_staff, manager_category_ids, rule
from portal.audit.services import register_actions

from .models import OrgRole


def org_role(user, organization) -> str | None:
    """The user's role in `organization`, or None when they do not belong to it."""
    if user.role != Role.ORGANIZATION or organization is None:
        return None
    membership = getattr(user, "membership", None)
    if membership is None or membership.organization_id != organization.pk:
        return None
    return membership.role


def manages_categories_of(user, organization) -> bool:
    if user.role != Role.MANAGER or organization is None:
        return False
    categories = manager_category_ids(user)
    return any(
        pk in categories for pk in organization.primary_categories.values_list("pk", flat=True)
    )


@rule("organization.create")
def can_create(user, obj=None):
    # An organization person without an organization yet starts an application.
    return user.role == Role.ORGANIZATION and getattr(user, "membership", None) is None


@rule("organization.view")
def can_view(user, organization):
    return (
        is_operator(user)
        or manages_categories_of(user, organization)
        or org_role(user, organization) is not None
    )


@rule("organization.submit")
def can_submit(user, organization):
    return org_role(user, organization) in (OrgRole.OWNER, OrgRole.ADMIN)


rule("organization.withdraw")(can_submit)


@rule("organization.review")
def can_review(user, organization):
    return is_operator(user) or manages_categories_of(user, organization)


rule("organization.suspend")(is_operator)


@rule("organization.list")
def can_list(user, obj=None):
    return is_staff(user)


register_actions(
    {
        "organization.create": _("Application started"),
        "organization.submit": _("Application submitted"),
        "organization.start_review": _("Review started"),
        "organization.request_changes": _("Changes requested"),
        "organization.approve": _("Application approved"),
        "organization.reject": _("Application rejected"),
        "organization.suspend": _("Organization suspended"),
        "organization.reinstate": _("Organization reinstated"),
        "organization.withdraw": _("Application withdrawn"),
        "membership.add": _("Member added"),
    }
)


@rule("membership.manage")
def can_manage_members(user, organization):
    return is_operator(user) or org_role(user, organization) in (OrgRole.OWNER, OrgRole.ADMIN)
