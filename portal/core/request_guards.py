"""A request body that cannot be read answers 400, whatever reads it first.

A `multipart/form-data` body without a valid boundary makes Django raise MultiPartParserError from
`request.POST`. Views and DRF turn that into 400, but the CSRF check of Django's own error pages
(a POST to an unknown URL renders the 404 page, which checks the token) does not catch it, and
the answer was a 500. The body of a multipart request is read here, once, before anything else
does (Django and DRF reuse what was read).
"""

from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.views.defaults import bad_request


class MalformedBodyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD", "OPTIONS") and request.content_type.startswith(
            "multipart/"
        ):
            try:
                request.POST  # noqa: B018 (parsing is the point)
            except MultiPartParserError as error:
                if request.path_info.startswith("/api/"):
                    message = _("The request body is not valid multipart form data.")
                    return JsonResponse({"code": "parse_error", "message": message}, status=400)
                return bad_request(request, error)
        return self.get_response(request)
