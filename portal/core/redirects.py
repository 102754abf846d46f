"""Where to go after a form: the one place that reads a `next` parameter.

A `next` (in the form or the query string) is followed only when it stays on this site: a path,
or a URL of the request's own host, with the request's scheme (no `https://evil.example/...`,
`//evil.example`, `javascript:` or backslash tricks; Django's url_has_allowed_host_and_scheme
decides). Anything else goes to the view's own fallback.
"""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback, *args, **kwargs) -> str:
    """The request's `next` when it is safe, else `fallback` (a URL name, resolved with `args`
    and `kwargs`, or a URL)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(fallback, *args, **kwargs)
