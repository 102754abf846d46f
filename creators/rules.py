from django.utils.translation import gettext_lazy as _

from organizations.models import OrgRole
from organizations.rules import org_role
from portal.accounts.permissions import is_operator, rule
from portal.audit.services import register_actions


@rule("binding.start")
def can_bind(user, organization):
    """Operators, and the owners and admins of an active organization, bind creators to it."""
    if organization is None:
        return False
    if is_operator(user):
        return True
    return organization.is_active and org_role(user, organization) in (OrgRole.OWNER, OrgRole.ADMIN)


@rule("creator.register")
def can_register(user, organization=None):
    return is_operator(user) or (organization is not None and can_bind(user, organization))


register_actions(
    {
        "creator.register": _("Creator registered"),
        "binding.start": _("Creator bound to organization"),
    }
)
