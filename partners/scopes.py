"""The scopes an operator may grant to a partner application, one checkbox each.

A scope is `<resource>:<read|write>`; the API views name their resource in `scope_resource`
(see `portal.core.api.scopes`). Only what partners may actually do is offered: reading the program's
public side, and sending daily metrics.
"""

from django.utils.translation import gettext_lazy as _

SCOPES = [
    ("organizations:read", _("Read organizations (approved and suspended ones)")),
    ("creators:read", _("Read the creators of those organizations")),
    ("bindings:read", _("Read bindings of creators to those organizations")),
    ("metrics:read", _("Read daily metrics of those creators")),
    ("metrics:write", _("Send daily metrics")),
    ("programs:read", _("Read incentive programs and their cycles")),
    ("reward-lists:read", _("Read published reward lists and their lines")),
    ("categories:read", _("Read the creative-field categories")),
    ("shortlist:read", _("Read the published top-100 shortlists")),
    ("content:read", _("Read the videos of admitted organizations, their figures and reviews")),
    ("content:write", _("Send videos and their daily figures")),
    ("placements:read", _("Read the placement feed of the display surfaces")),
    ("placements:write", _("Report impressions delivered for traffic coupons")),
    ("refunds:write", _("Send refunded orders per creator and day (takes commission back)")),
    (
        "risk-signals:write",
        _("Send keyed identity hashes and orders from linked accounts for the risk signals"),
    ),
]
SCOPE_NAMES = [name for name, _label in SCOPES]
