"""The one place that checks whether a user may perform an action.

Actions are named in the domain's words (`organization.approve`, `audit.view`). Each app registers the
rule for its actions in its `rules.py`; services call `authorize()` before they change anything, and
views and API endpoints use the same names through `action_required` and `ActionPermission`, so a page
and the service behind it can never disagree. A denial is logged to the `portal.security` logger.
"""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from portal.audit.context import current_request_context

from .models import Role

security_log = logging.getLogger("portal.security")

Predicate = Callable[[Any, Any], bool]
_RULES: dict[str, Predicate] = {}


def rule(action: str) -> Callable[[Predicate], Predicate]:
    """Register the predicate `(user, obj) -> bool` that decides `action`."""

    def register(predicate: Predicate) -> Predicate:
        if action in _RULES:
            raise ImproperlyConfigured(f"Permission rule {action!r} is registered twice.")
        _RULES[action] = predicate
        return predicate

    return register


def can(user, action: str, obj: Any = None) -> bool:
    if action not in _RULES:
        raise ImproperlyConfigured(f"No permission rule for {action!r}.")
    if user is SYSTEM:
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(_RULES[action](user, obj))


def authorize(user, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied (and log it) unless `user` may perform `action` on `obj`."""
    if can(user, action, obj):
        return
    context = current_request_context()
    security_log.warning(
        "permission denied: user=%s action=%s object=%s ip=%s path=%s",
        getattr(user, "pk", None),
        action,
        f"{type(obj).__name__}:{getattr(obj, 'pk', '')}" if obj is not None else "-",
        context.ip if context else "-",
        context.path if context else "-",
    )
    raise PermissionDenied(_("You do not have permission to do this."))


# --- predicates shared by the apps' rules ---------------------------------------------------------


def is_operator(user, obj=None) -> bool:
    return user.role == Role.OPERATOR


def is_manager(user, obj=None) -> bool:
    return user.role == Role.MANAGER


def is_staff(user, obj=None) -> bool:
    return user.role in (Role.OPERATOR, Role.MANAGER)


def is_partner(user, obj=None) -> bool:
    """A partner application's service account, calling the API with a token."""
    return user.role == Role.PARTNER


def is_signed_in(user, obj=None) -> bool:
    return True


def manager_category_ids(user) -> set[int]:
    """The categories a manager serves (cached on the user object for the request)."""
    if user.role != Role.MANAGER:
        return set()
    cached = getattr(user, "_manager_category_ids", None)
    if cached is None:
        cached = set(
            user.manager_profile.categories.values_list("pk", flat=True)
            if hasattr(user, "manager_profile")
            else ()
        )
        user._manager_category_ids = cached
    return cached


# --- views and API ---------------------------------------------------------------------------


def action_required(action: str):
    """View decorator: sign-in required, then `authorize(user, action)`; a denial renders 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            authorize(request.user, action)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class ActionPermission(BasePermission):
    """DRF permission: the view names its action in `required_action` (or a dict per DRF action)."""

    def has_permission(self, request, view):
        required = getattr(view, "required_action", None)
        if isinstance(required, dict):
            required = required.get(getattr(view, "action", None) or request.method.lower())
        if required is None:
            return bool(request.user and request.user.is_authenticated)
        try:
            authorize(request.user, required)
        except PermissionDenied:
            return False
        return True


class SystemActor:
    """The platform itself acting from trusted code (management commands, scheduled jobs).

    Only code can pass it; no request ever carries it. It is allowed every action, and the audit log
    records it as "system".
    """

    pk = None
    is_authenticated = True
    is_active = True
    role = "system"
    email = "system"

    def __str__(self):
        return "system"

    def __repr__(self):
        return "<SystemActor>"


SYSTEM = SystemActor()
