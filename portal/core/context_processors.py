"""The navigation each role sees. Links appear only for pages the user's role may open."""

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.accounts.permissions import can

NAVIGATION = [
    # (label, url name, action that opens it, group or None)
    (_("Dashboard"), "core:dashboard", "dashboard.view", None),
    (_("Review queue"), "organizations:review_queue", "organization.queue", None),
    (_("Creators"), "creators:roster", "roster.view", None),
    (_("My book"), "coaching:book", "coaching.mybook", None),
    (_("Managers"), "coaching:balance", "assignment.manage", None),
    (_("Play flags"), "creators:flags", "metrics.flags", None),
    (_("Rewards"), "incentives:index", "rewards.view", None),
    (_("Incubation"), "incubation:pool", "incubation.view", None),
    (_("Growth"), "growth:home", "growth.view", None),
    (_("Videos"), "content:list", "content.view", "content"),
    (_("Originality"), "content:reviews", "originality.queue", "content"),
    (_("Grading"), "content:grading", "quality.queue", "content"),
    (_("Placements"), "placements:overview", "placements.view", "content"),
    (_("Categories"), "core:categories", "category.view", "settings"),
    (_("Partners"), "partners:list", "partner.manage", "settings"),
    (_("Risk center"), "risk:center", "risk.view", "settings"),
    (_("Suspension appeals"), "organizations:appeals", "organization.appeals", "settings"),
    (_("Risk reviews"), "risk:my_cases", "risk.cases", "settings"),
    (_("Audit log"), "audit:list", "audit.view", "settings"),
]
# Sections that share a menu in the header row (a list of their own in the phone menu); a group
# of which a role may open one page is that page's plain link.
GROUPS = {
    "content": pgettext_lazy("navigation", "Content"),
    "settings": pgettext_lazy("navigation", "Settings"),
}


def _grouped(links: list[dict]) -> list[dict]:
    items, groups = [], {}
    for link in links:
        group = link.pop("group")
        if group is None:
            items.append(link)
        elif group in groups:
            groups[group]["children"].append(link)
        else:
            groups[group] = {"label": GROUPS[group], "group": group, "children": [link]}
            items.append(groups[group])
    for item in items:
        if "children" in item:
            item["current"] = any(child["current"] for child in item["children"])
    return [item["children"][0] if len(item.get("children", ())) == 1 else item for item in items]


def navigation(request):
    """The header's links and unread count, computed only when a template reads them: an HTMX
    fragment renders without the header, and would otherwise pay for a permission check per link
    and a count of notifications on every swap (issue #17)."""
    user = getattr(request, "user", None)
    return {
        "nav_items": SimpleLazyObject(lambda: _links(request, user)),
        "portal_name": settings.PORTAL_NAME,
        "unread_notifications": SimpleLazyObject(lambda: _unread(user)),
    }


def _links(request, user) -> list[dict]:
    if user is None or not user.is_authenticated:
        return []
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = _grouped(
        [
            {"label": label, "url": reverse(name), "current": current == name, "group": group}
            for label, name, action, group in NAVIGATION
            if can(user, action)
        ]
    )
    membership = getattr(user, "membership", None) if user.is_organization_member else None
    if membership is not None:
        items[1:1] = [
            {
                "label": _("My organization"),
                "url": reverse("organizations:detail", args=[membership.organization_id]),
                "current": current == "organizations:detail",
            },
            {
                "label": _("Members"),
                "url": reverse("organizations:members", args=[membership.organization_id]),
                "current": current == "organizations:members",
            },
            {
                "label": _("Coaching"),
                "url": reverse("coaching:organization", args=[membership.organization_id]),
                "current": current == "coaching:organization",
            },
        ]
    return items


def _unread(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    from .models import Notification

    return Notification.objects.for_user(user).unread().count()
