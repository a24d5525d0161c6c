"""The metrics store: creation, idempotent loading, knowledge upgrades, FTS safety, indexes."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
import yaml

from bot.store import connect, fts_query, migrations, open_store, sync_knowledge

from .conftest import KNOWLEDGE


def _table_digest(path: Path, table: str, where: str = "1") -> str:
    conn = sqlite3.connect(path)
    rows = conn.execute(f"select * from {table} where {where} order by 1, 2, 3").fetchall()
    conn.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_store_created_migrated_and_loaded(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    store = open_store(path, KNOWLEDGE)
    assert path.exists()
    assert not migrations.pending(store.db)
    counts = store.counts()
    assert counts["claims"] >= 30
    assert counts["sources"] >= 7
    # Every shipped series row gives a point: stars/forks totals and monthly new counts.
    assert counts["points"] > 1000
    assert store.meta("knowledge_digest")


def test_store_loading_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "twice.db"
    open_store(path, KNOWLEDGE).close()
    before = {t: _table_digest(path, t) for t in ("points", "claims", "sources")}
    store = open_store(path, KNOWLEDGE)
    assert sync_knowledge(store.db, KNOWLEDGE) is False
    store.close()
    assert {t: _table_digest(path, t) for t in ("points", "claims", "sources")} == before


def test_store_picks_up_knowledge_change_and_keeps_live_data(
    tmp_path: Path, knowledge_copy: Path
) -> None:
    path = tmp_path / "upgrade.db"
    store = open_store(path, knowledge_copy)
    store.db.table("points").insert(
        {
            "metric": "github-stars",
            "framework": "pytorch",
            "segment": "",
            "date": "2026-11-20",
            "value": 123456.0,
            "unit": "stars",
            "source_id": "live-github",
            "series": "live:github:pytorch:github-stars",
            "provenance": "GET /repos/pytorch/pytorch",
            "origin": "live",
            "fetched_at": "2026-11-20T10:00:00+00:00",
        }
    )
    store.db.conn.commit()
    live_before = _table_digest(path, "points", "origin = 'live'")
    store.close()

    # A new release adds a claim.
    claims_file = knowledge_copy / "claims" / "zz-release.yaml"
    source_id = yaml.safe_load((knowledge_copy / "sources.yaml").read_text())[0]["id"]
    claims_file.write_text(
        yaml.safe_dump(
            [
                {
                    "id": "release-added-claim",
                    "source": source_id,
                    "statement": "A claim added by a later release of the knowledge base.",
                    "topics": ["testing"],
                    "figures": [
                        {
                            "metric": "github-stars",
                            "framework": "jax",
                            "value": 1.0,
                            "unit": "stars",
                            "as_of": "2020-01",
                        }
                    ],
                }
            ]
        )
    )
    store = open_store(path, knowledge_copy)
    assert "release-added-claim" in store.claims()
    provenances = {p.provenance for p in store.points("github-stars", ["jax"])}
    assert "claim:release-added-claim" in provenances
    assert _table_digest(path, "points", "origin = 'live'") == live_before
    store.close()

    # And a later release removes it again.
    claims_file.unlink()
    store = open_store(path, knowledge_copy)
    assert "release-added-claim" not in store.claims()
    assert not [
        p for p in store.points("github-stars", ["jax"]) if p.provenance.startswith("claim:")
    ]
    assert _table_digest(path, "points", "origin = 'live'") == live_before


def test_store_invalid_knowledge_leaves_store_untouched(
    tmp_path: Path, knowledge_copy: Path
) -> None:
    from bot.knowledge import KnowledgeError

    path = tmp_path / "keep.db"
    open_store(path, knowledge_copy).close()
    before = _table_digest(path, "claims")
    (knowledge_copy / "claims" / "broken.yaml").write_text("- id: Not A Slug\n")
    with pytest.raises(KnowledgeError):
        open_store(path, knowledge_copy)
    assert _table_digest(path, "claims") == before


def test_fts_query_quotes_every_word() -> None:
    assert fts_query(['say "hi" AND bye*']) == '"say" OR "hi" OR "and" OR "bye"'
    assert fts_query(["", "   "]) == ""


def test_store_answer_query_uses_index(shared_store) -> None:  # type: ignore[no-untyped-def]
    plan = shared_store.db.execute(
        "explain query plan select * from points where metric = ? and framework in (?, ?) "
        "and date <= ? order by date",
        ["github-stars", "pytorch", "tensorflow", "2026-01-01"],
    ).fetchall()
    assert any("idx_points_metric_framework_date" in str(row) for row in plan)


def test_connect_missing_folder_is_clear(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        open_store(tmp_path / "nope" / "x.db", KNOWLEDGE)
    assert connect(tmp_path / "ok.db").execute("select 1").fetchone() == (1,)
