"""HTTP for the live sources: the shared client, per-service pacing, rate limits and retries."""

from bot.sources.http.client import (
    LABELS,
    USER_AGENT,
    ClientOptions,
    ServiceClient,
    make_http_client,
    redact_url,
    service_clients,
)
from bot.sources.http.pacing import BURSTS, MIN_INTERVALS

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
