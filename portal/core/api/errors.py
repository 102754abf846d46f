"""One error body for the whole API: `{"code", "message", "errors"}`.

`code` is stable and machine-readable, `message` is for people (in the request's language), and
`errors` maps field names to messages when the input was invalid.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    code = serializers.CharField(help_text="Stable, machine-readable error code.")
    message = serializers.CharField(help_text="What went wrong, for a person.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages by field name, for invalid input.",
    )


def _first_code(codes) -> str:
    while isinstance(codes, (list, dict)):
        if not codes:
            return "invalid"
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return str(codes)


def _by_field(detail, prefix: str = "") -> dict[str, list[str]]:
    """Messages by field name. A nested serializer's fields are named by their path, with the
    position in a list: `rows.0.date` is the `date` of the first row."""
    errors: dict[str, list[str]] = {}

    def walk(node, name: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if name and key == "non_field_errors":  # about the nested object as a whole
                    walk(value, name)
                else:
                    walk(value, f"{name}.{key}" if name else str(key))
        elif isinstance(node, list) and any(isinstance(item, (dict, list)) for item in node):
            for position, item in enumerate(node):
                if item:  # a list serializer reports an empty dict for a valid item
                    walk(item, f"{name}.{position}" if name else str(position))
        else:
            messages = node if isinstance(node, list) else [node]
            errors.setdefault(name or "non_field_errors", []).extend(str(m) for m in messages)

    walk(detail, prefix)
    return errors


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):  # a body without a Content-Length, read past the limit
        from .body_limit import too_large_body

        return Response(too_large_body(), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled API error", exc_info=exc)
        return Response(
            {"code": "server_error", "message": _("Something went wrong on our side.")},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = {
            "code": "invalid",
            "message": _("The request has invalid fields."),
            "errors": _by_field(detail),
        }
    else:
        body = {
            "code": _first_code(exc.get_codes()) if hasattr(exc, "get_codes") else "error",
            "message": str(getattr(exc, "detail", exc)),
        }
    response.data = body
    return response
