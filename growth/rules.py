from django.utils.translation import gettext_lazy as _

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
    }
)

register_details(
    {
        "month": _("Month"),
        "version": _("Version"),
        "min_score": _("Score from"),
        "right": _("Right"),
    }
)
