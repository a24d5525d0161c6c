"""Hugging Face Hub model counts per library tag, from the website's models-json listing."""

# Framework tags (pytorch, tf, jax, keras) become `hf-models` points. The safetensors and
# transformers tags are not frameworks, so they become `hf-context-models` points for the
# pseudo-framework `all`, with the tag as segment: answers can then say how many repositories
# ship weights that no framework tag counts. One request per tag gives the count (§1.3).

from __future__ import annotations

from typing import Any

from pydantic import Field

from bot.live.sources.base import (
    ALL_FRAMEWORKS,
    FetchContext,
    LiveSource,
    ResponseModel,
    SourceError,
    gather_all,
    live_point,
    parse_payload,
)
from bot.live.sources.http import ServiceClient
from bot.models import DataPoint, Framework

NAME = "huggingface"
PATH = "models-json"
METRIC = "hf-models"
CONTEXT_METRIC = "hf-context-models"
UNIT = "models"
CONTEXT_TAGS = ("safetensors", "transformers")

# The weight file each framework tag stands for (data-sources.md §1.2).
_WEIGHT_FILES = {"pytorch": "pytorch_model.bin", "tf": "tf_model.h5", "jax": "flax_model.msgpack"}
_CONTEXT_CAVEATS = {
    "safetensors": (
        "Repositories holding weights in the safetensors format, which any framework can load;"
        " many of them carry no framework tag, which is why framework tag counts fall behind."
    ),
    "transformers": (
        "Repositories tagged for Hugging Face's transformers library; the tag says which library"
        " loads the model, not which framework runs it."
    ),
}


class ModelsPage(ResponseModel):
    """First page of https://huggingface.co/models-json?library=<tag>&withCount=true."""

    models: list[dict[str, Any]]
    numTotalItems: int = Field(ge=0)


def tag_caveat(framework: Framework, tag: str) -> str:
    """What a framework tag counts: weight files in that format, not use of the framework."""
    example = f" ({_WEIGHT_FILES[tag]})" if tag in _WEIGHT_FILES else ""
    return (
        f"Counts Hub repositories tagged '{tag}': the tag means weight files in"
        f" {framework.name} format{example} are present, not that the model is used with"
        f" {framework.name}. Safetensors-only repositories carry no framework tag, so this"
        " understates every framework."
    )


def parse_models_json(
    payload: Any, tag: str, framework: Framework | None, endpoint: str, ctx: FetchContext
) -> DataPoint:
    """The count for one tag: an hf-models point, or hf-context-models when no framework."""
    page = parse_payload(ModelsPage, payload, endpoint)
    if framework is None:
        return live_point(
            NAME,
            ctx,
            metric=CONTEXT_METRIC,
            framework=ALL_FRAMEWORKS,
            segment=tag,
            value=page.numTotalItems,
            unit=UNIT,
            provenance=endpoint,
            caveat=_CONTEXT_CAVEATS.get(tag, f"Hub repositories tagged '{tag}'."),
        )
    return live_point(
        NAME,
        ctx,
        metric=METRIC,
        framework=framework.slug,
        value=page.numTotalItems,
        unit=UNIT,
        provenance=endpoint,
        caveat=tag_caveat(framework, tag),
    )


def check_counts(points: list[DataPoint]) -> list[DataPoint]:
    """Refuse counts that are all equal: the library filter was then ignored, not applied."""
    values = {point.value for point in points}
    if len(points) >= 3 and len(values) == 1:
        raise SourceError(
            f"Hugging Face gave the same count ({int(points[0].value)}) for every library tag;"
            " the library filter seems to be ignored"
        )
    return points


def tags_to_fetch(frameworks: list[Framework]) -> list[tuple[str, Framework | None]]:
    """Framework tags in framework order, then the context tags."""
    tags: list[tuple[str, Framework | None]] = [
        (fw.hf_library_tag, fw) for fw in frameworks if fw.hf_library_tag
    ]
    return tags + [(tag, None) for tag in CONTEXT_TAGS]


class HuggingFace(LiveSource):
    """Model counts per library tag on the Hugging Face Hub."""

    name = NAME
    service = "huggingface"
    title = "Hugging Face Hub model listing (live)"
    publisher = "Hugging Face"
    url = "https://huggingface.co/models"
    summary = (
        "Number of model repositories on the Hub per library tag, read from the listing the"
        " website itself uses; tags mark weight-file formats, not framework use."
    )

    async def fetch(self, client: ServiceClient, ctx: FetchContext) -> list[DataPoint]:
        async def one(tag: str, framework: Framework | None) -> DataPoint:
            payload, endpoint = await client.get_json(PATH, {"library": tag, "withCount": "true"})
            return parse_models_json(payload, tag, framework, endpoint, ctx)

        tags = tags_to_fetch(ctx.frameworks)
        return check_counts(await gather_all(one(tag, fw) for tag, fw in tags))
