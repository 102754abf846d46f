from django.utils.translation import gettext_lazy as _

from organizations.rules import is_org_admin
from portal.accounts.models import Role
from portal.accounts.permissions import (
    is_operator,
    is_partner,
    is_staff,
    manager_category_ids,
    rule,
)
from portal.audit.labels import register_details
from portal.audit.services import register_actions


def _admin_of_active(user, organization) -> bool:
    return organization is not None and organization.is_active and is_org_admin(user, organization)


@rule("binding.start")
def can_bind(user, organization):
    """Operators, and the owners and admins of an active organization, bind creators to it."""
    if organization is None:
        return False
    return is_operator(user) or _admin_of_active(user, organization)


@rule("creator.register")
def can_register(user, organization=None):
    return is_operator(user) or (organization is not None and can_bind(user, organization))


@rule("binding.end")
def can_end(user, organization):
    return is_operator(user) or _admin_of_active(user, organization)


@rule("creator.edit")
def can_edit_creator(user, organization):
    """The creator's current organization (owners and admins) and operators."""
    return is_operator(user) or _admin_of_active(user, organization)


@rule("roster.view")
def can_view_roster(user, obj=None):
    """Staff, the people of an organization (their own roster), and partner applications (what
    their scopes and `partners/visibility.py` let them read)."""
    return (
        is_staff(user)
        or is_partner(user)
        or (user.role == Role.ORGANIZATION and getattr(user, "membership", None) is not None)
    )


@rule("creator.import")
def can_import(user, organization):
    return is_operator(user) or _admin_of_active(user, organization)


@rule("transfer.request")
def can_request_transfer(user, organization):
    return _admin_of_active(user, organization)


rule("dispute.open")(can_request_transfer)


@rule("consent.send")
def can_send_consent(user, organization):
    """A new consent link: operators, and the owners and admins of the organization holding the
    creator."""
    return is_operator(user) or _admin_of_active(user, organization)


rule("dispute.resolve")(is_operator)


@rule("metrics.write")
def can_write_metrics(user, obj=None):
    """Operators, and partner applications (their data feeds; the token needs `metrics:write`)."""
    return is_operator(user) or is_partner(user)


rule("metrics.import")(is_operator)


@rule("metrics.review")
def can_review_metrics(user, creator):
    """Operators, and managers of the creator's primary category."""
    if is_operator(user):
        return True
    return (
        user.role == Role.MANAGER
        and creator is not None
        and (creator.primary_category_id in manager_category_ids(user))
    )


@rule("metrics.flags")
def can_see_flags(user, obj=None):
    return is_staff(user)


register_actions(
    {
        "creator.register": _("Creator registered"),
        "creator.avatar": _("Creator avatar changed"),
        "binding.start": _("Creator bound to organization"),
        "binding.end": _("Binding ended"),
        "binding.transfer": _("Creator transferred"),
        "transfer.request": _("Transfer requested"),
        "transfer.decline": _("Transfer declined by the creator"),
        "transfer.cancel": _("Transfer cancelled"),
        "dispute.open": _("Dispute opened"),
        "consent.request": _("Creator's consent asked"),
        "consent.send": _("Consent link sent to the creator"),
        "consent.consented": _("Creator consented to share data"),
        "consent.declined": _("Creator declined consent"),
        "consent.withdraw": _("Creator withdrew consent"),
        "dispute.resolve": _("Dispute resolved"),
        "creators.import": _("Roster imported"),
        "metrics.ingest": _("Metrics received"),
        "metrics.import": _("Metrics file imported"),
        "metrics.flag_confirmed": _("Abnormal plays confirmed"),
        "metrics.flag_dismissed": _("Abnormal-play flag dismissed"),
    }
)

register_details(
    {
        "transfer": _("Transfer request"),
        "consent": _("Consent"),
        "scopes": _("Shared with the organization"),
        "consents_asked": _("Creators asked for consent"),
        # A consent's audit names the creator as its object: its state and link are the consent's.
        **{
            f"consent.{a}:state": _("Consent state")
            for a in ("send", "consented", "declined", "withdraw")
        },
        **{f"consent.{a}:expires_at": _("Link valid until") for a in ("request", "send")},
        "dispute": _("Dispute"),
        "holder": _("Organization holding the creator"),
        "claimant": _("Organization claiming the creator"),
        "transfer.request:from": _("From organization"),
        "transfer.request:to": _("To organization"),
        "binding.transfer:from": _("From organization"),
        "binding.transfer:to": _("To organization"),
        "flag": _("Abnormal-play flag"),
        "counted_valid_plays": _("Valid plays counted"),
        "created": _("Creators created"),
        "bound": _("Creators bound"),
        "late_conflicts": _("Rows refused (bound elsewhere meanwhile)"),
    }
)
