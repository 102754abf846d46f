"""Violations other apps confirm, counted in growth's monthly scorecard.

Growth's "violations" component counts what the organizations did wrong in a month: its creators'
confirmed abnormal plays and its videos reviewed as copies (both read directly), and whatever other
apps confirm (risk: its cases forfeited), which growth must not import (the arrows of
docs/architecture.md). So the core keeps this registry, as it keeps the dashboard panels and the statement sections: an
app registers from its `AppConfig.ready()` a function `(start, end) -> QuerySet` giving, per
organization, the violations it confirmed in the month [start, end) as rows
`{"organization_id": ..., "n": ...}` (a `.values("organization_id").annotate(n=Count(...))`).
The scorecard compiles each into its one INSERT ... SELECT, so it runs set-based on PostgreSQL and
on the embedded SQLite alike.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class ViolationSource:
    key: str
    label: object  # what the source counts, in the reader's language (a lazy string)
    rows: Callable[[datetime.date, datetime.date], QuerySet]


_SOURCES: dict[str, ViolationSource] = {}


def register_violations(key: str, *, label):
    """Decorator: `rows(start, end)` counts the violations `key` confirmed per organization in the
    month. Registering the same key again replaces it."""

    def decorator(rows):
        _SOURCES[key] = ViolationSource(key, label, rows)
        return rows

    return decorator


def violation_sources() -> list[ViolationSource]:
    return sorted(_SOURCES.values(), key=lambda s: s.key)
