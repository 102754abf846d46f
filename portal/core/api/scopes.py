"""Which token scope each API request needs.

A scope is `<resource>:<read|write>` (`organizations:read`, `metrics:write`). An API view names
its resource in `scope_resource`: safe methods (GET, HEAD, OPTIONS) then need `<resource>:read` and
the others `<resource>:write`. `required_scope` overrides that with one scope for the whole view,
or a dict by action (the DRF action, e.g. `{"decisions": "organizations:decide"}`); `ANY_SCOPE`
lets every valid token in.

A view that declares neither is closed to tokens: a new endpoint opens to partner applications
only when someone decides which scope covers it. Session users are not concerned by scopes at all.
"""

from rest_framework.permissions import SAFE_METHODS

ANY_SCOPE = ""


def required_scope(view, method: str) -> str | None:
    """The scope a request with `method` to `view` needs; `ANY_SCOPE` when any valid token may;
    None when no token may."""
    declared = getattr(view, "required_scope", None)
    if isinstance(declared, dict):
        declared = declared.get(getattr(view, "action", None))
    if declared is not None:
        return declared
    resource = getattr(view, "scope_resource", None)
    if not resource:
        return None
    return f"{resource}:{'read' if method.upper() in SAFE_METHODS else 'write'}"
