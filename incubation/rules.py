from django.utils.translation import gettext_lazy as _

from organizations.models import OrgRole
from portal.accounts.models import Role
from portal.accounts.permissions import is_operator, manager_category_ids, rule
from portal.audit.labels import register_details
from portal.audit.services import register_actions


def _organization_admin(user):
    """The user's membership when they are an owner or admin of their organization."""
    membership = getattr(user, "membership", None) if user.role == Role.ORGANIZATION else None
    if membership is None or membership.role not in (OrgRole.OWNER, OrgRole.ADMIN):
        return None
    return membership


@rule("incubation.nominate")
def may_nominate(user, creator=None) -> bool:
    """Owners and admins for their own creators (a nomination spends the organization's monthly
    limit, so it is the organization's decision: members read, as they do the roster); managers
    within their categories."""
    if user.role == Role.OPERATOR:
        return True
    if user.role == Role.MANAGER:
        return creator is None or creator.primary_category_id in manager_category_ids(user)
    membership = _organization_admin(user)
    if membership is None:
        return False
    return (
        creator is None
        or creator.bindings.filter(
            organization_id=membership.organization_id, ended_on__isnull=True
        ).exists()
    )


@rule("incubation.nominations")
def may_read_nominations(user, obj=None) -> bool:
    """Staff, and everyone in an organization (its own nominations, members included)."""
    if user.role in (Role.OPERATOR, Role.MANAGER):
        return True
    return user.role == Role.ORGANIZATION and getattr(user, "membership", None) is not None


@rule("incubation.review")
def may_review(user, creator=None) -> bool:
    """Managers of the creator's primary category (and operators) decide nominations and move
    members between stages."""
    if user.role == Role.OPERATOR:
        return True
    if user.role != Role.MANAGER:
        return False
    return creator is None or creator.primary_category_id in manager_category_ids(user)


rule("incubation.view")(lambda user, obj=None: True)
rule("incubation.manage")(is_operator)


@rule("shortlist.edit")
def may_edit_shortlist(user, creator=None) -> bool:
    """Operators pin and exclude anyone; managers the creators of their creative fields."""
    return may_review(user, creator)


rule("shortlist.decide")(is_operator)

register_actions(
    {
        "nomination.create": _("Creator nominated for the reserve pool"),
        "nomination.accept": _("Nomination accepted"),
        "nomination.decline": _("Nomination declined"),
        "nomination.withdraw": _("Nomination withdrawn"),
        "pool.enter": _("Creator entered the reserve pool"),
        "pool.stage": _("Pool member moved to another stage"),
        "pool.entry_rules": _("Entry rules applied"),
        "nomination_limit.set": _("Nomination limit set"),
        "entry_rule.save": _("Entry rule saved"),
        "weights.draft": _("Score weights drafted"),
        "weights.update": _("Score weights edited"),
        "weights.publish": _("Score weights published"),
        "scores.compute": _("Scores computed"),
        "shortlist.add": _("Creator pinned to the shortlist"),
        "shortlist.remove": _("Creator removed from the shortlist"),
        "shortlist.exclude": _("Creator excluded from the shortlist"),
        "shortlist.include": _("Exclusion lifted"),
        "shortlist.propose": _("Shortlist proposed from the ranking"),
        "shortlist.snapshot": _("Shortlist snapshot taken"),
        "shortlist.freeze": _("Shortlist frozen"),
        "shortlist.publish": _("Shortlist published"),
    }
)

register_details(
    {
        "slot": _("Slot"),
        "removed": _("Removed from the shortlist"),
        "proposed": _("Creators proposed"),
        "scores_of": _("Scores of"),
        "entries": _("Creators in the snapshot"),
        "held_out": _("Held out (open abnormal-play flag)"),
        "replaced": _("Scores replaced"),
        "scored": _("Creators scored"),
        "weights": _("Weights version"),
        "admitted": _("Creators admitted"),
        "case": _("Case"),
        "copied_from": _("Copied from version"),
    }
)
