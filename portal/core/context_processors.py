"""The navigation each role sees. Links appear only for pages the user's role may open."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.accounts.permissions import can

NAVIGATION = [
    # (label, url name, action that opens it)
    (_("Dashboard"), "core:dashboard", "dashboard.view"),
    (_("Review queue"), "organizations:review_queue", "organization.queue"),
    (_("Creators"), "creators:roster", "roster.view"),
    (_("My book"), "coaching:book", "coaching.mybook"),
    (_("Managers"), "coaching:balance", "assignment.manage"),
    (_("Play flags"), "creators:flags", "metrics.flags"),
    (_("Rewards"), "incentives:index", "rewards.view"),
    (_("Incubation"), "incubation:pool", "incubation.view"),
    (_("Content"), "content:list", "content.view"),
    (_("Originality"), "content:reviews", "originality.queue"),
    (_("Placements"), "placements:overview", "placements.view"),
    (_("Categories"), "core:categories", "category.view"),
    (_("Partners"), "partners:list", "partner.manage"),
    (_("Audit log"), "audit:list", "audit.view"),
]


def navigation(request):
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        current = request.resolver_match.view_name if request.resolver_match else ""
        items = [
            {"label": label, "url": reverse(name), "current": current == name}
            for label, name, action in NAVIGATION
            if can(user, action)
        ]
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
    unread = 0
    if user is not None and user.is_authenticated:
        from .models import Notification

        unread = Notification.objects.for_user(user).unread().count()
    return {"nav_items": items, "portal_name": settings.PORTAL_NAME, "unread_notifications": unread}
