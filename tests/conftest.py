"""Shared fixtures: stores built from the demo data once per session, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geo.demo import DEFAULT_DATA_DIR, load_demo
from geo.settings import Settings
from geo.store import GpkgStore, open_store

ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = ROOT.parent / "shared" / "data" / "real"
ARTIFACTS = ROOT / "test-artifacts"
HASH_KEY = b"test-hash-key"
KALIAWI = "18.71.06.1012"
JATIRANGGA = "32.75.10.1004"


@pytest.fixture(scope="session")
def demo_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.gpkg"
    load_demo(open_store(path), DEFAULT_DATA_DIR, hash_key=HASH_KEY)
    return path


@pytest.fixture
def demo_store(demo_store_path: Path, tmp_path: Path) -> GpkgStore:
    """A private copy of the demo store, free to be written."""
    path = tmp_path / "store.gpkg"
    shutil.copy(demo_store_path, path)
    return open_store(path)


@pytest.fixture
def demo_settings(demo_store: GpkgStore) -> Settings:
    return Settings(store=demo_store.path, hash_key=HASH_KEY.decode(), lang="id")


@pytest.fixture
def empty_store(tmp_path: Path) -> GpkgStore:
    return open_store(tmp_path / "empty.gpkg")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def real_data(*parts: str) -> Path:
    """A file of ../shared/data/real, or skip the test cleanly when it is absent."""
    path = REAL_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path}")
    return path
