from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Stable pages over changing data; `page_size` may be asked for, up to 500."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500
