"""All-time pulls of each framework's official Docker Hub image."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bot.live.sources.base import (
    FetchContext,
    LiveSource,
    ResponseModel,
    live_point,
    parse_payload,
    per_framework,
)
from bot.live.sources.http import ServiceClient
from bot.models import DataPoint, Framework

NAME = "dockerhub"
METRIC = "docker-pulls"
UNIT = "pulls"

# Images whose count leaves out builds published elsewhere (data-sources.md §5.2).
IMAGE_CAVEATS = {
    "pytorch/pytorch": "ROCm builds are published separately (rocm/pytorch) and not counted.",
}


class DockerRepository(ResponseModel):
    """GET /v2/repositories/{namespace}/{repo}/."""

    namespace: str
    name: str
    pull_count: int = Field(ge=0)


def repository_path(image: str) -> str:
    return f"repositories/{image}/"


def parse_repository(
    payload: Any, framework: Framework, endpoint: str, ctx: FetchContext
) -> DataPoint:
    """The all-time pull count of one image."""
    repo = parse_payload(DockerRepository, payload, endpoint)
    image = f"{repo.namespace}/{repo.name}"
    caveat = (
        f"Every pull of {image} since it was published, CI and automated re-pulls included;"
        " compare two snapshots for recent activity."
    )
    extra = IMAGE_CAVEATS.get(image)
    return live_point(
        NAME,
        ctx,
        metric=METRIC,
        framework=framework.slug,
        value=repo.pull_count,
        unit=UNIT,
        provenance=endpoint,
        caveat=f"{caveat} {extra}" if extra else caveat,
    )


class DockerHub(LiveSource):
    """Pull counts from the Docker Hub API; frameworks without an official image are skipped."""

    name = NAME
    service = "dockerhub"
    title = "Docker Hub API: image pull counts (live)"
    publisher = "Docker"
    url = "https://hub.docker.com/"
    summary = "All-time pull counts of the official framework images on Docker Hub."

    async def fetch(self, client: ServiceClient, ctx: FetchContext) -> list[DataPoint]:
        def parse(payload: Any, fw: Framework, endpoint: str, ctx: FetchContext) -> list[DataPoint]:
            return [parse_repository(payload, fw, endpoint, ctx)]

        return await per_framework(client, ctx, lambda fw: fw.docker_image, repository_path, parse)
