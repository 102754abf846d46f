"""Rendering pages and their HTMX fragments from one template."""

from django.shortcuts import render


def is_partial_request(request) -> bool:
    """An HTMX request that swaps one region. A boosted request wants the whole page, and so
    does a history restore (Back to a URL a region pushed: htmx swaps the answer into <body>)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page(request, template: str, context: dict, *, partial: str | None = None, status=200):
    """Render the whole page, or only `template#partial` when HTMX asks for that region."""
    name = f"{template}#{partial}" if partial and is_partial_request(request) else template
    response = render(request, name, context, status=status)
    response.headers["Vary"] = "HX-Request"
    return response
