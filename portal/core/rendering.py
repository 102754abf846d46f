"""Rendering pages and their HTMX fragments from one template, and leaving a page for another."""

from django.http import HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django_htmx.http import HttpResponseClientRedirect

REDIRECTS = (301, 302, 303, 307, 308)


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


def redirect_page(request, to, *args, **kwargs):
    """Go to another page. A plain redirect answering a partial request would be followed by
    htmx itself and the whole page drawn inside the region that asked (a dashboard inside the
    application wizard); the browser is told to go there instead."""
    url = resolve_url(to, *args, **kwargs)
    if is_partial_request(request):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


class PartialRedirectMiddleware:
    """The same for redirects no view chose: a region polling after the session expired is
    sent to the sign-in page by `login_required`; the browser goes there, not the region."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in REDIRECTS and is_partial_request(request):
            return redirect_page(request, response["Location"])
        return response
