from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Role
from portal.accounts.permissions import is_operator, is_partner, rule
from portal.audit.labels import register_details
from portal.audit.services import register_actions

rule("risk.view")(is_operator)
rule("risk.compute")(is_operator)
rule("risk.decide")(is_operator)
rule("risk.rules")(is_operator)


@rule("risk.partner_data")
def _send_partner_data(user, obj=None) -> bool:
    return is_operator(user) or is_partner(user)


def _member_of(user, organization_id) -> bool:
    membership = getattr(user, "membership", None) if user.role == Role.ORGANIZATION else None
    return membership is not None and (
        organization_id is None or membership.organization_id == organization_id
    )


@rule("risk.cases")
def _see_own_cases(user, case=None) -> bool:
    """An organization's people see its own cases (the scoped queryset checks which)."""
    return _member_of(user, getattr(case, "organization_id", None))


@rule("risk.respond")
def _respond(user, case=None) -> bool:
    return _member_of(user, getattr(case, "organization_id", None))


register_actions(
    {
        "risk.signal": _("Risk signal computed: cases opened or updated"),
        "risk.run": _("Risk signals run started"),
        "risk.decide": _("Risk case decided"),
        "risk.expire": _("Risk case decided by default"),
        "risk.statement": _("Statement sent for a risk case"),
        "risk.rules": _("Risk rules published"),
        "risk.identities": _("Identity hashes received"),
        "risk.linked_orders": _("Linked orders received"),
    }
)

register_details(
    {
        "signal": _("Signal"),
        "risk.signal:opened": _("Cases opened"),
        "risk.signal:updated": _("Cases updated"),
        "risk.signal:held": _("Entries held"),
        "risk.run:run": _("Run"),
        "risk.decide:entries": _("Entries"),
        "risk.expire:entries": _("Entries"),
        "risk.statement:statement": _("Statement"),
        "risk.statement:document": _("Document"),
        "risk.rules:signals_on": _("Signals on"),
        "risk.identities:creators": _("Creators"),
        "risk.linked_orders:days": _("Days"),
    }
)
