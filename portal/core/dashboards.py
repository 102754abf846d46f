"""Each role's dashboard, put together from the panels the apps register.

The core knows no feature app: an app contributes the figures of its panels with
`register_panel(dashboard, order=...)` from its `AppConfig.ready()` (see `creators/dashboard.py`),
the way NetBox registers dashboard widgets. A panel is a function `(user, context) -> dict` whose
keys the dashboard template reads; `context` holds what earlier panels (lower `order`) returned, so
the organization dashboard's panels find the reader's `organization` there. A panel registered
with `needs="organization"` is skipped when no earlier panel set that key (an organization account
without an organization sees only its notifications).

Every panel reads with a bounded number of queries whatever the size of the program.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q

from portal.accounts.models import ManagerProfile
from portal.accounts.permissions import manager_category_ids
from portal.audit.models import AuditEntry

from .models import Category, Notification, QueuedTask

RECENT = 8
DASHBOARDS = ("operator", "manager", "organization")


@dataclass(frozen=True)
class Panel:
    dashboard: str
    order: int
    figures: Callable[..., dict]
    needs: str | None = None


_PANELS: dict[str, list[Panel]] = {name: [] for name in DASHBOARDS}


def register_panel(dashboard: str, *, order: int = 100, needs: str | None = None):
    """Decorator: `figures(user, context) -> dict` feeds `dashboard` (operator, manager or
    organization). Registering the same function twice (a module imported again) is harmless."""
    if dashboard not in _PANELS:
        raise ValueError(f"Unknown dashboard {dashboard!r}; one of {', '.join(DASHBOARDS)}.")

    def decorator(figures):
        panels = _PANELS[dashboard]
        panels[:] = [
            p
            for p in panels
            if p.figures.__qualname__ != figures.__qualname__
            or p.figures.__module__ != figures.__module__
        ]
        panels.append(Panel(dashboard, order, figures, needs))
        panels.sort(key=lambda p: (p.order, p.figures.__module__, p.figures.__qualname__))
        return figures

    return decorator


def panels(dashboard: str) -> list[Panel]:
    return list(_PANELS[dashboard])


def dashboard_context(dashboard: str, user) -> dict:
    """The template context of `dashboard` for `user`: every registered panel's figures, in order."""
    context: dict = {}
    for panel in _PANELS[dashboard]:
        if panel.needs and context.get(panel.needs) is None:
            continue
        context.update(panel.figures(user, context))
    return context


def share_bars(rows: list[tuple[str, int]]) -> list[dict]:
    """(label, value) rows as bars scaled to the largest value."""
    top = max((value for _label, value in rows), default=0) or 1
    return [
        {"label": label, "value": value, "share": round(100 * value / top, 1)}
        for label, value in rows
    ]


def recent_entries(user):
    return AuditEntry.objects.for_user(user).select_related("actor", "organization")[:RECENT]


# --- the core's own panels ----------------------------------------------------------------------


@register_panel("operator", order=50)
def operator_core(user, context) -> dict:
    return {
        "managers": ManagerProfile.objects.filter(is_active=True).count(),
        "queued_tasks": QueuedTask.objects.filter(published_at__isnull=True).count(),
        "recent_entries": recent_entries(user),
    }


def active_categories():
    """Active categories with their number of active managers (the organizations app adds its
    counts to the same rows)."""
    return Category.objects.annotate(
        managers=Count(
            "manager_profiles", filter=Q(manager_profiles__is_active=True), distinct=True
        )
    ).filter(is_active=True)


@register_panel("manager", order=50)
def manager_core(user, context) -> dict:
    return {
        "my_categories": Category.objects.filter(pk__in=manager_category_ids(user)),
        "recent_entries": recent_entries(user),
    }


@register_panel("organization", order=0)
def organization_notifications(user, context) -> dict:
    return {"notifications": Notification.objects.for_user(user).select_related("organization")[:5]}


@register_panel("organization", order=50, needs="organization")
def organization_core(user, context) -> dict:
    return {"recent_entries": recent_entries(user)}
