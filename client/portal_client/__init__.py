"""A typed client of the Creator Program Portal's partner API (stdlib only).

from portal_client import PortalClient
client = PortalClient("https://portal.example.com", token="ppk_...")
client.push_metrics([{"platform_account_id": "dy_1", "date": "2026-11-02",
                      "plays": 1200, "valid_plays": 900}])
"""

from .client import ENDPOINTS, Endpoint, PortalClient
from .errors import ApiError, NotModified, PortalError, RateLimited, TransportError
from .types import (
    Creator,
    Me,
    MetricBatchResult,
    MetricRow,
    Organization,
    RewardLine,
    RewardList,
    Shortlist,
    ShortlistRow,
    Tagged,
)
from .webhooks import sign, verify_webhook

__all__ = [
    "ENDPOINTS",
    "ApiError",
    "Creator",
    "Endpoint",
    "Me",
    "MetricBatchResult",
    "MetricRow",
    "NotModified",
    "Organization",
    "PortalClient",
    "PortalError",
    "RateLimited",
    "RewardLine",
    "RewardList",
    "Shortlist",
    "ShortlistRow",
    "Tagged",
    "TransportError",
    "sign",
    "verify_webhook",
]
