"""Shared fixtures: a scrubbed environment, the real knowledge base, and stores in temp dirs."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.answers import Engine
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.store import Store, StoreTarget, open_store
from bot.understand import Vocabulary
from tests import pg
from tests.fakes.slack_api import FakeSlack

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's tokens or store settings."""
    for name in list(os.environ):
        secret = name in {"PORT", "GITHUB_TOKEN", "HF_TOKEN", "STACKEXCHANGE_KEY", "DATABASE_URL"}
        # A proxy would send loopback requests to the fakes elsewhere (slack_sdk ignores NO_PROXY).
        proxy = name.lower().endswith("_proxy")
        if name.startswith(("FWTREND_", "SLACK_")) or secret or proxy:
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge(KNOWLEDGE)


@pytest.fixture(scope="session")
def vocab(kb: KnowledgeBase) -> Vocabulary:
    return Vocabulary.build(kb.frameworks, kb.metrics, kb.claims.values(), kb.vocabulary)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of the real knowledge base, for tests that change it."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """A fake Slack on loopback for one test, which fails if the bot sent it a malformed call."""
    with FakeSlack() as server:
        yield server
        assert server.errors == []


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "fwtrend.db", KNOWLEDGE)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def pg_server() -> str | None:
    return pg.server_url()


@pytest.fixture(scope="session")
def pg_database(pg_server: str | None) -> Iterator[str]:
    """This test run's own database, dropped at the end."""
    if pg_server is None:
        pg.unavailable("no PostgreSQL server answered")
        raise AssertionError("unreachable")
    url = pg.create_database(pg_server)
    yield url
    pg.drop_database(pg_server, url)


@pytest.fixture
def pg_url(pg_database: str) -> Iterator[str]:
    """A URL whose tables live in a schema of this test's own, dropped afterwards."""
    schema, url = pg.create_schema(pg_database)
    yield url
    pg.drop_schema(pg_database, schema)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> StoreTarget:
    """Where a store lives, once per backend: a SQLite file, or a PostgreSQL schema's URL."""
    if request.param == "sqlite":
        return tmp_path / "fwtrend.db"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def any_store(backend: StoreTarget) -> Iterator[Store]:
    """An open, loaded store on each backend."""
    opened = open_store(backend, KNOWLEDGE)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    opened = open_store(tmp_path_factory.mktemp("store") / "fwtrend.db", KNOWLEDGE)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def engine(shared_store: Store) -> Engine:
    return Engine(shared_store, today=TODAY)


@pytest.fixture(scope="session")
def prepared_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, loaded store file, copied for each test so bot processes start quickly."""
    path = tmp_path_factory.mktemp("bot-store") / "fwtrend.db"
    opened = open_store(path, KNOWLEDGE)
    opened.db.execute("pragma wal_checkpoint(truncate)")
    opened.close()
    return path


@pytest.fixture
def db(prepared_db: Path, tmp_path: Path) -> Path:
    """A fresh copy of the prepared store, for one bot process."""
    target = tmp_path / "fwtrend.db"
    shutil.copy(prepared_db, target)
    return target
