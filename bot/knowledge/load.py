"""Load and validate the curated knowledge base (knowledge/) into pydantic models."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.knowledge.paths import default_knowledge_dir as default_knowledge_dir
from bot.knowledge.scoreboard import ScoreboardConfig, check_scoreboard
from bot.models import Claim, Framework, KBError, Metric, SeriesFile, Source
from bot.understand.lexicon import Lexicon, check_lexicon, read_lexicon

M = TypeVar("M", bound=BaseModel)

ALL = "all"  # pseudo-framework: a whole population (every Hub model, every question)


class KnowledgeError(Exception):
    """The knowledge base has invalid entries; ``errors`` locates each one."""

    def __init__(self, errors: list[KBError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} invalid knowledge entries; run `fwtrend kb check`")


@dataclass
class KnowledgeBase:
    """Everything under knowledge/, validated and indexed by id."""

    root: Path
    frameworks: dict[str, Framework] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    series: list[SeriesFile] = field(default_factory=list)
    scoreboard: ScoreboardConfig | None = None
    vocabulary: Lexicon = field(default_factory=Lexicon)
    digest: str = ""

    def series_path(self, entry: SeriesFile) -> Path:
        """Where a series file's CSV lives."""
        return self.root / "series" / entry.file


def knowledge_files(root: Path) -> Iterator[Path]:
    """Every file whose content makes up the knowledge base, in a stable order."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in {".yaml", ".yml", ".csv"}:
            yield path


def knowledge_digest(root: Path) -> str:
    """A hash of the knowledge base's content: it changes whenever a release edits it.

    The series readers' code is part of it: a reader that reads a file differently must
    reload the store just as an edited file does.
    """
    from bot.series import readers_digest

    digest = hashlib.sha256(readers_digest().encode())
    for path in knowledge_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _read_list(path: Path, rel: str, errors: list[KBError]) -> list[Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        errors.append(KBError(file=rel, entry="-", field="-", message="file is missing"))
        return []
    except yaml.YAMLError as exc:
        errors.append(KBError(file=rel, entry="-", field="-", message=f"not valid YAML: {exc}"))
        return []
    if data is None:
        return []
    if not isinstance(data, list):
        errors.append(KBError(file=rel, entry="-", field="-", message="expected a list"))
        return []
    return data


def _entry_name(raw: Any, index: int) -> str:
    key = raw.get("id") or raw.get("slug") or raw.get("file") if isinstance(raw, dict) else None
    return str(key) if key else f"#{index + 1}"


def _validate(model: type[M], raw_list: list[Any], rel: str, errors: list[KBError]) -> list[M]:
    valid: list[M] = []
    for index, raw in enumerate(raw_list):
        entry = _entry_name(raw, index)
        try:
            valid.append(model.model_validate(raw))
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"]) or "-"
                errors.append(KBError(file=rel, entry=entry, field=where, message=err["msg"]))
    return valid


def _index(items: list[Any], key: str, rel: str, errors: list[KBError]) -> dict[str, Any]:
    indexed: dict[str, Any] = {}
    for item in items:
        ident = getattr(item, key)
        if ident in indexed:
            errors.append(KBError(file=rel, entry=ident, field=key, message="duplicate id"))
        indexed[ident] = item
    return indexed


def _check_references(
    kb: KnowledgeBase, claim_files: dict[str, str], errors: list[KBError]
) -> None:
    names: dict[str, str] = {}
    for fw in kb.frameworks.values():
        for name in [fw.slug, *fw.aliases]:
            if names.setdefault(name.lower(), fw.slug) != fw.slug:
                other = names[name.lower()]
                errors.append(
                    KBError(
                        file="frameworks.yaml",
                        entry=fw.slug,
                        field="aliases",
                        message=f"alias {name!r} is also used by {other}",
                    )
                )
    for claim in kb.claims.values():
        rel = claim_files[claim.id]
        if claim.source not in kb.sources:
            errors.append(
                KBError(
                    file=rel,
                    entry=claim.id,
                    field="source",
                    message=f"unknown source {claim.source!r}",
                )
            )
        for i, fig in enumerate(claim.figures):
            for attr in ("framework", "relative_to"):
                value = getattr(fig, attr)
                # `all` stands for a whole population (the Hub, the site), as in the series.
                if value is not None and value not in kb.frameworks and value != ALL:
                    errors.append(
                        KBError(
                            file=rel,
                            entry=claim.id,
                            field=f"figures.{i}.{attr}",
                            message=f"unknown framework {value!r}",
                        )
                    )
            if fig.metric not in kb.metrics:
                errors.append(
                    KBError(
                        file=rel,
                        entry=claim.id,
                        field=f"figures.{i}.metric",
                        message=f"unknown metric {fig.metric!r}",
                    )
                )
    for entry in kb.series:
        if entry.source not in kb.sources:
            errors.append(
                KBError(
                    file="series.yaml",
                    entry=entry.file,
                    field="source",
                    message=f"unknown source {entry.source!r}",
                )
            )
        if not kb.series_path(entry).is_file():
            errors.append(
                KBError(
                    file="series.yaml",
                    entry=entry.file,
                    field="file",
                    message="no such file under series/",
                )
            )
        errors += _series_references(kb, entry)


def _series_references(kb: KnowledgeBase, entry: SeriesFile) -> list[KBError]:
    """A series entry's framework map, row sources and row count must match the knowledge."""
    found: list[tuple[str, str]] = []
    for name, slug in entry.frameworks.items():
        if slug not in kb.frameworks and slug != ALL:
            found.append((f"frameworks.{name}", f"unknown framework {slug!r}"))
    for name, row_source in entry.row_sources.items():
        if row_source.source not in kb.sources:
            found.append((f"row_sources.{name}", f"unknown source {row_source.source!r}"))
    path = kb.series_path(entry)
    if entry.rows is not None and path.is_file():
        with path.open(encoding="utf-8", newline="") as handle:
            count = sum(1 for _ in csv.reader(handle)) - 1
        if count != entry.rows:
            found.append(("rows", f"the file has {count} data rows, not {entry.rows}"))
    return [
        KBError(file="series.yaml", entry=entry.file, field=field, message=message)
        for field, message in found
    ]


def check_knowledge(root: Path) -> tuple[KnowledgeBase, list[KBError]]:
    """Load every file under ``root``; return what is valid and every error found."""
    errors: list[KBError] = []
    kb = KnowledgeBase(root=root, digest=knowledge_digest(root) if root.is_dir() else "")
    if not root.is_dir():
        errors.append(KBError(file=str(root), entry="-", field="-", message="no such directory"))
        return kb, errors

    def load(model: type[M], name: str) -> list[M]:
        return _validate(model, _read_list(root / name, name, errors), name, errors)

    kb.frameworks = _index(load(Framework, "frameworks.yaml"), "slug", "frameworks.yaml", errors)
    kb.metrics = _index(load(Metric, "metrics.yaml"), "slug", "metrics.yaml", errors)
    kb.sources = _index(load(Source, "sources.yaml"), "id", "sources.yaml", errors)
    kb.series = load(SeriesFile, "series.yaml")
    claim_files: dict[str, str] = {}
    for path in sorted((root / "claims").glob("*.yaml")):
        rel = path.relative_to(root).as_posix()
        for claim in _validate(Claim, _read_list(path, rel, errors), rel, errors):
            if claim.id in kb.claims:
                errors.append(
                    KBError(
                        file=rel,
                        entry=claim.id,
                        field="id",
                        message=f"duplicate id (also in {claim_files[claim.id]})",
                    )
                )
            kb.claims[claim.id] = claim
            claim_files.setdefault(claim.id, rel)
    if not kb.claims:
        errors.append(KBError(file="claims/", entry="-", field="-", message="no claims found"))
    _check_references(kb, claim_files, errors)
    kb.scoreboard, scoreboard_errors = check_scoreboard(root, kb.metrics)
    errors += scoreboard_errors
    kb.vocabulary = read_lexicon(root, errors)
    topics = {t for claim in kb.claims.values() for t in claim.topics}
    check_lexicon(kb.vocabulary, kb.metrics, topics, errors)
    return kb, errors


def load_knowledge(root: Path | None = None) -> KnowledgeBase:
    """Load a knowledge base, raising KnowledgeError if any entry is invalid."""
    kb, errors = check_knowledge(root or default_knowledge_dir())
    if errors:
        raise KnowledgeError(errors)
    return kb
