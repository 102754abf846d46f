"""Who may do what with surfaces, placements and traffic coupons (see
portal/accounts/permissions.py)."""

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


def _member(user) -> bool:
    return user.role == Role.ORGANIZATION and getattr(user, "membership", None) is not None


@rule("placements.view")
def can_view(user, obj=None):
    """Staff and the people of an organization (their own nominations, placements, coupons)."""
    return is_staff(user) or _member(user)


rule("placements.configure")(is_operator)
rule("coupons.grant")(is_operator)


@rule("placements.feed")
def can_read_feed(user, obj=None):
    """The platform's front ends (partner tokens with placements:read) and staff."""
    return is_staff(user) or is_partner(user)


@rule("coupons.deliver")
def can_report_delivery(user, obj=None):
    """The content system (a partner token with placements:write) and operators."""
    return is_operator(user) or is_partner(user)


@rule("placements.nominate")
def can_nominate(user, video=None):
    """Operators; managers of the video's field; owners and admins of its organization."""
    if is_operator(user):
        return True
    if user.role == Role.MANAGER:
        return video is None or video.category_id in manager_category_ids(user)
    if not _member(user):
        return False
    if video is None:
        return is_org_admin(user, user.membership.organization)
    return video.organization is not None and is_org_admin(user, video.organization)


@rule("placements.schedule")
def can_schedule(user, category_id=None):
    """Operators, and managers of the field (`obj` is the field's id, or None for the page)."""
    if is_operator(user):
        return True
    if user.role != Role.MANAGER:
        return False
    return category_id is None or category_id in manager_category_ids(user)


register_actions(
    {
        "placements.surface": _("Display surface changed"),
        "placements.inventory": _("Surface inventory set"),
        "placements.rule": _("Placement and coupon rule added"),
        "placements.nominate": _("Video nominated for a display surface"),
        "placements.accept": _("Placement nomination accepted and scheduled"),
        "placements.decline": _("Placement nomination declined"),
        "placements.fill_propose": _("Weekly fill proposed"),
        "placements.fill_confirm": _("Weekly fill confirmed"),
        "placements.withdraw": _("Placements withdrawn after an originality decision"),
        "coupons.grant_grades": _("Grade traffic coupons granted"),
        "coupons.deliver": _("Coupon delivery reported"),
        "coupons.close": _("Undelivered coupon impressions returned to the pool"),
    }
)

register_details(
    {
        "placements.surface:content_types": _("Content types accepted"),
        "placements.surface:code": _("Code"),
        "placements.surface:name_zh": _("Chinese name"),
        "placements.surface:name_en": _("English name"),
        "placements.surface:page": _("Where"),
        "placements.surface:min_grade": _("Minimum grade"),
        "placements.surface:product_required": _("Product required"),
        "placements.surface:is_active": _("Active"),
        "placements.surface:sort_order": _("Sort order"),
        "placements.rule:rate_per_thousand": _("Value of 1,000 impressions (CNY)"),
        "placements.rule:monthly_quota": _("Nominations per organization a month"),
        "placements.inventory:field": _("Creative field"),
        "placements.inventory:from": _("In force from"),
        "placements.inventory:slots_per_day": _("Slots per day"),
        "placements.inventory:impressions_per_slot": _("Impressions per slot"),
        "placements.rule:from": _("In force from"),
        "placements.rule:grade_grants": _("Grade grants"),
        "placements.rule:boosts": _("Boost factors"),
        "placements.nominate:video": _("Video"),
        "placements.nominate:surface": _("Surface"),
        "placements.nominate:source": _("Nominated by"),
        "placements.accept:days": _("Days"),
        "placements.decline:reason": _("Reason"),
        "placements.fill_propose:field": _("Creative field"),
        "placements.fill_propose:week": _("Week starting"),
        "placements.fill_propose:proposed": _("Videos proposed"),
        "placements.fill_confirm:field": _("Creative field"),
        "placements.fill_confirm:week": _("Week starting"),
        "placements.fill_confirm:scheduled": _("Placements scheduled"),
        "placements.withdraw:placements": _("Placements withdrawn"),
        "placements.withdraw:nominations": _("Nominations withdrawn"),
        "placements.withdraw:coupons": _("Coupons closed"),
        "placements.withdraw:returned_fen": _("Returned to the pool (fen)"),
        "coupons.grant_grades:coupons": _("Coupons granted"),
        "coupons.grant_grades:value": _("Value (CNY)"),
        "coupons.grant_grades:cycle": _("Cycle"),
        "coupons.deliver:applied": _("Delivery days applied"),
        "coupons.deliver:coupons": _("Coupons"),
        "coupons.close:coupons": _("Coupons closed"),
        "coupons.close:returned": _("Returned to the pool (CNY)"),
    }
)
