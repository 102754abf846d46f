"""Filters shared by the API's filter sets."""

import django_filters

# The largest primary key PostgreSQL (bigint) and SQLite (INTEGER) can hold.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A filter on an object's id: a number beyond what the database can store is invalid input
    (400) instead of an error in the database driver (500)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("min_value", -MAX_ID)
        super().__init__(*args, **kwargs)
