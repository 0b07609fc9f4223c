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
# a loaded CI machine (2 cores, other jobs) can take long to import the stack: wait on readiness, not a short timer
SERVER_START_LIMIT_S = 180
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


def start_server(store: Path, **env_extra: str):
    """`petakampung serve` on a free localhost port; returns (process, base URL)."""
    import os
    import socket
    import subprocess
    import sys
    import time
    from urllib.request import urlopen

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PETAKAMPUNG_STORE": str(store), **env_extra}
    exe = Path(sys.executable).parent / "petakampung"
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_LIMIT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the site exited with code {proc.returncode} before answering")
        try:
            with urlopen(url + "/", timeout=5):
                return proc, url
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError(f"the site did not answer within {SERVER_START_LIMIT_S} s")


def stop_server(proc) -> None:
    """Terminate a server started by :func:`start_server` and always reap it."""
    import subprocess

    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def server(demo_store_path: Path, tmp_path_factory: pytest.TempPathFactory):
    """The site on a copy of the demo store, as a visitor reaches it: real HTTP on localhost."""
    store = tmp_path_factory.mktemp("site") / "site.gpkg"
    shutil.copy(demo_store_path, store)
    proc, url = start_server(store)
    try:
        yield url
    finally:
        stop_server(proc)


PASSWORD = "kata-sandi-uji-123"
USERS = {
    "admin": ("admin", None, None),
    "lkm_a": ("lkm", KALIAWI, None),
    "lkm_b": ("lkm", JATIRANGGA, None),
    "planner_a": ("planner", None, "18.71"),
    "planner_b": ("planner", None, "32.75"),
}


@pytest.fixture(scope="session")
def users_store_path(demo_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store with one account of every role and area (password: PASSWORD)."""
    from geo.accounts import add_user

    path = tmp_path_factory.mktemp("users") / "users.gpkg"
    shutil.copy(demo_store_path, path)
    store = open_store(path)
    for name, (role, kel, kota) in USERS.items():
        add_user(store, name.replace("_", "."), PASSWORD, role, kelurahan_code=kel, kota_code=kota)
    return path


@pytest.fixture
def users_settings(users_store_path: Path, tmp_path: Path) -> Settings:
    path = tmp_path / "store.gpkg"
    shutil.copy(users_store_path, path)
    return Settings(store=path, hash_key=HASH_KEY.decode(), secret_key="test-secret-key-for-sessions")


def login(client, username: str, password: str = PASSWORD):
    """Log a TestClient in through the real form (with its CSRF token); returns the response."""
    import re

    page = client.get("/masuk")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post(
        "/masuk",
        data={"username": username, "password": password, "csrf_token": token, "next": "/lkm"},
        follow_redirects=False,
    )


def csrf_of(client) -> str:
    import re

    page = client.get("/masuk")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def run(args: list[str], capsys) -> tuple[int, str, str]:
    """The petakampung command in-process: (exit code, stdout, stderr)."""
    from geo.cli import main

    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="session")
def browser():
    """One Debian chromium for the whole run (Playwright never downloads a browser here)."""
    from tests.browser import ARGS, CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()
