from django.utils.translation import gettext_lazy as _

from organizations.rules import is_org_admin
from portal.accounts.models import Role
from portal.accounts.permissions import is_operator, is_staff, rule
from portal.audit.labels import register_details
from portal.audit.services import register_actions


@rule("growth.view")
def may_view_scorecard(user, organization=None) -> bool:
    """Staff (managers within what they may see, checked by the scoped queryset), and the people of
    an organization for their own."""
    if is_staff(user):
        return True
    membership = getattr(user, "membership", None) if user.role == Role.ORGANIZATION else None
    if membership is None:
        return False
    return organization is None or membership.organization_id == organization.pk


@rule("selfservice.send")
def may_send_link(user, organization=None) -> bool:
    """The program team (operators) for any creator; the owners and admins of the organization
    that holds the creator now, for their own. `organization` is the sender (None: the platform)."""
    if organization is None:
        return is_operator(user)
    return organization.is_active and is_org_admin(user, organization)


@rule("selfservice.revoke")
def may_revoke_link(user, link=None) -> bool:
    """Operators any link; the owners and admins of the organization that sent it."""
    if is_operator(user):
        return True
    return (
        link is not None and link.organization is not None and is_org_admin(user, link.organization)
    )


@rule("selfservice.view")
def may_view_links(user, obj=None) -> bool:
    """The links page: operators, and the people of an organization (the scoped queryset shows
    them their own organization's links)."""
    return is_operator(user) or (
        user.role == Role.ORGANIZATION and getattr(user, "membership", None) is not None
    )


rule("growth.overview")(is_staff)
rule("growth.manage")(is_operator)

register_actions(
    {
        "scorecard_version.draft": _("Scorecard weights drafted"),
        "scorecard_version.update": _("Scorecard weights edited"),
        "scorecard_version.publish": _("Scorecard weights published"),
        "scorecards.compute": _("Scorecards computed"),
        "level.save": _("Level saved"),
        "level_right.set": _("Level right set"),
        "level_right.remove": _("Level right removed"),
        "selfservice.send": _("Creator self-service link sent"),
        "selfservice.revoke": _("Creator self-service link revoked"),
    }
)

register_details(
    {
        "month": _("Month"),
        "version": _("Version"),
        "min_score": _("Score from"),
        "right": _("Right"),
        "link": _("Link"),
        "expires_at": _("Expires"),
    }
)
