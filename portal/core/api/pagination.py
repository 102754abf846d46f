from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from rest_framework import pagination
from rest_framework.exceptions import NotFound

BIGINT = (-(2**63), 2**63 - 1)


class CursorPagination(pagination.CursorPagination):
    """Stable pages over changing data; `page_size` may be asked for, up to 500.

    A cursor is opaque but not signed: whatever a client sends is checked before it reaches the
    database. A position that the ordering field could not hold (not a number, out of range, a
    NUL character, an impossible date) answers 404 "Invalid cursor" like any malformed cursor,
    never a 500."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        self._queryset = queryset
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        position = cursor.position if cursor is not None else None
        if position is not None and not self._position_is_valid(position):
            raise NotFound(self.invalid_cursor_message)
        return cursor

    def _ordering_field(self) -> models.Field | None:
        name = self.ordering[0].lstrip("-")
        queryset = getattr(self, "_queryset", None)
        if queryset is None:
            return None
        try:
            return queryset.model._meta.get_field(name)
        except FieldDoesNotExist:
            annotation = queryset.query.annotations.get(name)
            return getattr(annotation, "output_field", None) if annotation is not None else None

    def _position_is_valid(self, position: str) -> bool:
        if "\x00" in position:  # PostgreSQL refuses NUL in any text it is sent
            return False
        field = self._ordering_field()
        if field is None:
            return True
        try:
            value = field.to_python(position)
        except (ValidationError, TypeError, ValueError, OverflowError):
            return False
        if isinstance(field, models.IntegerField | models.AutoField) and value is not None:
            return BIGINT[0] <= value <= BIGINT[1]
        return True
