"""`ETag` and `If-None-Match` on the API's detail resources.

The tag is a digest of the JSON the caller would receive, so it changes whenever anything the
caller sees changes (the object, a related row shown with it, a field only some roles see) and
never otherwise. A client that sends the tag back in `If-None-Match` gets `304 Not Modified` with
no body. The tag is weak (`W/"..."`): it stands for the data, not for the bytes of one encoding.
"""

import hashlib

from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response


def etag_for(data) -> str:
    return f'W/"{hashlib.sha256(JSONRenderer().render(data)).hexdigest()[:40]}"'


def _matches(etag: str, header: str) -> bool:
    """Weak comparison (RFC 9110, 13.1.2): `W/` is ignored on both sides; `*` matches."""
    tags = parse_etags(header)
    if "*" in tags:
        return True
    return etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in tags}


def conditional(request, response: Response) -> Response:
    """Tag a 200 answer to GET or HEAD; answer 304 instead when the client has that version."""
    if request.method not in ("GET", "HEAD") or response.status_code != status.HTTP_200_OK:
        return response
    etag = etag_for(response.data)
    header = request.headers.get("If-None-Match")
    if header and _matches(etag, header):
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
    response["ETag"] = etag
    # The body depends on who asks: shared caches must keep each caller's copy apart, and a
    # client's own cache must ask again (cheaply, with the tag) before reusing it.
    patch_vary_headers(response, ("Authorization", "Cookie"))
    patch_cache_control(response, private=True, no_cache=True)
    return response


class ConditionalRetrieveMixin:
    """For viewsets: `retrieve` answers with an `ETag` and honours `If-None-Match`."""

    conditional_retrieve = True

    def retrieve(self, request, *args, **kwargs):
        return conditional(request, super().retrieve(request, *args, **kwargs))
