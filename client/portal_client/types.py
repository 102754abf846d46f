"""The shapes of the API's answers and of the metric rows sent to it (see /api/docs/).

Amounts are decimal strings (`"123.45"`), dates ISO 8601 (`"2026-11-02"`), ids integers.
"""

from typing import NotRequired, TypedDict


class Me(TypedDict):
    id: int
    email: str
    full_name: str
    role: str
    language: str
    organization_id: int | None
    organization_role: str | None
    category_ids: list[int]


class Organization(TypedDict, total=False):
    id: int
    legal_name: str
    status: str
    primary_categories: list[int]


class Creator(TypedDict, total=False):
    id: int
    platform_account_id: str
    display_name: str
    primary_category: int
    secondary_categories: list[int]
    follower_count: int
    stage: str
    organization: int | None
    metrics_through: str | None


class MetricRow(TypedDict):
    """One creator's day, as sent to `POST /api/v1/metrics/`."""

    platform_account_id: str
    date: str
    plays: int
    valid_plays: int
    new_followers: NotRequired[int]
    videos_published: NotRequired[int]
    original_videos: NotRequired[int]
    gmv: NotRequired[str]
    orders: NotRequired[int]
    commission: NotRequired[str]
    interactions: NotRequired[int]


# `from` is a Python keyword, hence the functional form.
MetricBatchResult = TypedDict(
    "MetricBatchResult",
    {
        "received": int,
        "written": int,
        "rejected": int,
        "creators": int,
        "source": str,
        "errors": dict[str, str],  # reason by row position ("0", "1", ...)
        "from": NotRequired[str],  # the first day written, absent when none was
        "to": NotRequired[str],  # the last day written
    },
)


class RewardList(TypedDict, total=False):
    id: int
    program: int
    cycle: int
    cycle_number: int
    starts_on: str
    ends_on: str
    status: str
    revision: int
    cash_total: str
    traffic_total: str
    line_count: int
    published_at: str | None


class RewardLine(TypedDict, total=False):
    id: int
    reward_list: int
    cycle: int
    kind: str
    pool: str
    amount: str
    amount_before_cap: str | None
    creator: int | None
    platform_account_id: str | None
    creator_name: str | None
    organization: int | None
    organization_name: str | None


class ShortlistRow(TypedDict, total=False):
    position: int
    creator: int
    platform_account_id: str
    display_name: str
    category: int
    score: str | None
    pinned: bool


class Shortlist(TypedDict, total=False):
    year: int
    status: str
    version: int
    frozen_at: str | None
    published_at: str | None
    rows: list[ShortlistRow]


class Tagged[T]:
    """An answer with its `ETag`, to send back with the next read of the same resource."""

    __slots__ = ("data", "etag")

    def __init__(self, data: T, etag: str | None) -> None:
        self.data = data
        self.etag = etag

    def __repr__(self) -> str:
        return f"Tagged(etag={self.etag!r}, data={self.data!r})"
