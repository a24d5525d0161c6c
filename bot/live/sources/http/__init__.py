"""HTTP for the live sources: the shared client, per-service pacing, rate limits and retries."""

from bot.live.sources.http.client import (
    LABELS,
    USER_AGENT,
    ClientOptions,
    ServiceClient,
    make_http_client,
    redact_url,
    service_clients,
)
from bot.live.sources.http.pacing import BURSTS, MIN_INTERVALS

__all__ = [
    "BURSTS",
    "LABELS",
    "MIN_INTERVALS",
    "USER_AGENT",
    "ClientOptions",
    "ServiceClient",
    "make_http_client",
    "redact_url",
    "service_clients",
]
