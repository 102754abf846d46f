"""The error responses every API view documents, in one place (the body: `ErrorSerializer`)."""

from drf_spectacular.utils import OpenApiResponse

from portal.core.api.errors import ErrorSerializer
from portal.core.idempotency import IDEMPOTENCY_ERRORS

ERRORS = {
    400: OpenApiResponse(ErrorSerializer),
    403: OpenApiResponse(ErrorSerializer),
    404: OpenApiResponse(ErrorSerializer),
}
# Writes that take an Idempotency-Key answer 409 and 422 too.
WRITE_ERRORS = {**ERRORS, **IDEMPOTENCY_ERRORS}
