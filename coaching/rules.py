"""Who may do what in coaching. Registered with `portal.accounts.permissions`."""

from django.utils.translation import gettext_lazy as _

from organizations.rules import coaches, org_role
from portal.accounts.models import Role
from portal.accounts.permissions import is_operator, is_staff, rule
from portal.audit.labels import register_details
from portal.audit.services import register_actions


@rule("coaching.view")
def can_view_coaching(user, organization):
    return (
        is_operator(user) or coaches(user, organization) or org_role(user, organization) is not None
    )


@rule("coaching.plan")
def can_plan(user, organization):
    return is_operator(user) or (coaches(user, organization) and organization.is_active)


@rule("coaching.item")
def can_complete_item(user, item):
    """The organization completes its own items (any member), the manager theirs."""
    if item is None:
        return False
    if item.owner == "organization":
        return org_role(user, item.organization) is not None and item.organization.is_active
    return is_operator(user) or coaches(user, item.organization)


rule("coaching.mybook")(lambda user, obj=None: user.role == Role.MANAGER)


@rule("coaching.book")
def can_see_book(user, obj=None):
    return is_staff(user)


register_actions(
    {
        "coaching.goal": _("Coaching goal set"),
        "coaching.goal_update": _("Coaching goal updated"),
        "coaching.session": _("Coaching session planned"),
        "coaching.record": _("Coaching session recorded"),
        "coaching.cancel": _("Coaching session cancelled"),
        "coaching.item_done": _("Action item done"),
    }
)

register_details({"items": _("Action items")})
