from django.utils.translation import gettext_lazy as _

from portal.accounts.permissions import is_operator, rule
from portal.audit.labels import register_details
from portal.audit.services import register_actions

rule("partner.manage")(is_operator)

register_actions(
    {
        "partner.create": _("Partner application created"),
        "partner.token_issue": _("Partner token issued"),
        "partner.token_revoke": _("Partner token revoked"),
        "partner.webhook_create": _("Webhook endpoint added"),
        "partner.webhook_deactivate": _("Webhook endpoint deactivated"),
        "partner.webhook_replay": _("Webhook delivery replayed"),
    }
)

register_details({"token": _("Token")})
