from django.utils.translation import gettext_lazy as _

from portal.accounts.permissions import is_operator, rule
from portal.audit.services import register_actions

rule("program.manage")(is_operator)
rule("settlement.compute")(is_operator)

register_actions(
    {
        "program.create": _("Incentive program created"),
        "rules.draft": _("Rule version drafted"),
        "rules.publish": _("Rule version published"),
        "settlement.compute": _("Reward list computed"),
    }
)
