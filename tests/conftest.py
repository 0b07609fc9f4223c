"""Shared fixtures: stores built from the demo data once per session, copied per test, on both
backends.

``backend`` is parametrised over the GeoPackage store and a PostGIS store on a private PostgreSQL
cluster started for the session (:mod:`tests.pg_cluster`); every fixture that gives a test a store
(``demo_store``, ``empty_store``, ``demo_settings``, ``users_settings``, ``server``, ...) depends on
it, so those tests run once per backend.  A store *source* (``demo_source``, ``users_source``) is
a GeoPackage file or a template database, loaded once per session; ``clone(source)`` gives a
test its own copy (a file copy, or ``CREATE DATABASE ... TEMPLATE``), dropped afterwards.  Tests
about the GeoPackage file itself use ``demo_store_path``, which is GeoPackage only.

``PETAKAMPUNG_TEST_BACKENDS=gpkg`` (or ``postgis``) runs one backend only.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from geo.demo import DEFAULT_DATA_DIR, load_demo
from geo.settings import Settings
from geo.store import GpkgStore, Store, open_store
from tests.pg_cluster import OWNER, PUBLIC, Cluster, postgres_bin

ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = ROOT.parent / "shared" / "data" / "real"
ARTIFACTS = ROOT / "test-artifacts"
HASH_KEY = b"test-hash-key"
KALIAWI = "18.71.06.1012"
# a loaded CI machine (2 cores, other jobs) can take long to import the stack: wait on readiness, not a short timer
SERVER_START_LIMIT_S = 180
JATIRANGGA = "32.75.10.1004"
# every page in every test (TestClient and the `serve` subprocess alike) renders with StrictUndefined
os.environ.setdefault("PETAKAMPUNG_STRICT_TEMPLATES", "1")
BACKENDS = tuple(b.strip() for b in os.environ.get("PETAKAMPUNG_TEST_BACKENDS", "gpkg,postgis").split(",") if b.strip())
Location = Path | str  # a GeoPackage path or a postgresql:// URL


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """The session's private PostgreSQL + PostGIS server (started only if a PostGIS test runs)."""
    bindir = postgres_bin()
    if bindir is None:
        message = "PostgreSQL with PostGIS is not installed (bash scripts/test.sh installs it as root)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    cluster = Cluster(bindir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


class Backend:
    """How a test gets stores of one kind: new, or copies of a session-wide source."""

    def __init__(self, name: str, cluster: Cluster | None, tmp: pytest.TempPathFactory) -> None:
        self.name = name
        self.cluster = cluster
        self.tmp = tmp

    @property
    def is_pg(self) -> bool:
        return self.cluster is not None

    def new(self, tmp_path: Path | None = None, name: str = "store") -> Location:
        """A location where no store is yet (an empty database with PostGIS, or a new file name)."""
        if self.cluster is not None:
            return self.cluster.url(self.cluster.new_database())
        return (tmp_path or self.tmp.mktemp(name)) / f"{name}.gpkg"

    def copy(self, source: Location, tmp_path: Path | None = None, name: str = "store") -> Location:
        """A private copy of the store at ``source``."""
        if self.cluster is not None:
            return self.cluster.url(self.cluster.new_database(template=_database(source)))
        path = (tmp_path or self.tmp.mktemp(name)) / f"{name}.gpkg"
        shutil.copy(source, path)
        return path

    def source(self, build: Callable[[Store], None], name: str) -> Location:
        """A session-wide store built once by ``build`` and then only copied."""
        location = self.new(name=name)
        build(open_store(location))
        if self.cluster is not None:
            from geo.store_copy import upgrade_store

            upgrade_store(open_store(location), public_role=PUBLIC)
            self.cluster.make_template(_database(location))
        return location

    def drop(self, location: Location) -> None:
        if self.cluster is not None:
            self.cluster.drop_database(_database(location))

    def settings(
        self, location: Location, tmp_path: Path, monkeypatch: pytest.MonkeyPatch | None = None, **kwargs: object
    ) -> Settings:
        """Settings for a store; on PostGIS the site's public pages read with the public role, and
        the key and secret files (which have no store folder to sit in) are named as a deployment
        names them, also for the command line run in-process (``monkeypatch``)."""
        if isinstance(location, str):
            _grant_public(location)
            kwargs.setdefault("store_public", public_url(location))
            if "secret_key" not in kwargs:
                kwargs.setdefault("secret_file", tmp_path / "session.secret")
            if monkeypatch is not None:
                monkeypatch.setenv("PETAKAMPUNG_HASH_KEY_FILE", str(tmp_path / "store.key"))
                monkeypatch.setenv("PETAKAMPUNG_SECRET_FILE", str(tmp_path / "session.secret"))
        return Settings(store=location, **kwargs)


def _grant_public(url: str) -> None:
    """What a deployment's `petakampung db upgrade` does, for a store a test wrote itself."""
    import psycopg

    from geo.store_copy import upgrade_store

    with psycopg.connect(url) as con:
        granted = con.execute(
            "SELECT to_regclass('rt') IS NULL OR has_table_privilege(%s, 'rt', 'SELECT')", (PUBLIC,)
        ).fetchone()[0]
    if not granted:
        upgrade_store(open_store(url), public_role=PUBLIC)


def _database(url: Location) -> str:
    return str(url).rsplit("/", 1)[1]


def public_url(url: str) -> str:
    """The same database as the site's public role."""
    return url.replace(f"//{OWNER}@", f"//{PUBLIC}@", 1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests that only look at pages run on the GeoPackage store alone.

    What a page reads from the store is tested on both backends by the HTTP tests (TestClient and
    live servers); the browser adds layout, JavaScript and accessibility, which do not depend on the
    backend.  Browser tests that write or log in are marked ``both_backends`` and run on both.
    """
    if len(BACKENDS) < 2:
        return
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        one = item.get_closest_marker("browser") and not item.get_closest_marker("both_backends")
        (drop if one and params.get("backend") == "postgis" else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Backend:
    cluster = request.getfixturevalue("pg_cluster") if request.param == "postgis" else None
    return Backend(request.param, cluster, tmp_path_factory)


@pytest.fixture
def clone(backend: Backend, tmp_path: Path) -> Iterator[Callable[..., Location]]:
    """``clone(source)``: a private copy of a store source for this test (dropped afterwards)."""
    made: list[Location] = []

    def copy(source: Location, name: str = "store") -> Location:
        location = backend.copy(source, tmp_path, name=f"{name}{len(made)}")
        made.append(location)
        return location

    yield copy
    for location in made:
        backend.drop(location)


@pytest.fixture
def new_location(backend: Backend, tmp_path: Path) -> Iterator[Callable[..., Location]]:
    """``new_location()``: where no store is yet, on the test's backend (dropped afterwards)."""
    made: list[Location] = []

    def new(name: str = "store") -> Location:
        location = backend.new(tmp_path, name=f"{name}{len(made)}")
        made.append(location)
        return location

    yield new
    for location in made:
        backend.drop(location)


@pytest.fixture(scope="session")
def demo_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data in a GeoPackage file (for tests about the file itself: GDAL, QGIS, bytes)."""
    path = tmp_path_factory.mktemp("demo") / "demo.gpkg"
    load_demo(open_store(path), DEFAULT_DATA_DIR, hash_key=HASH_KEY)
    return path


@pytest.fixture
def demo_gpkg(demo_store_path: Path, tmp_path: Path) -> GpkgStore:
    """A private GeoPackage copy of the demo store (tests about the file: GDAL, QGIS, SQLite)."""
    path = tmp_path / "store.gpkg"
    shutil.copy(demo_store_path, path)
    return open_store(path)  # type: ignore[return-value]


@pytest.fixture(scope="session")
def demo_source(backend: Backend, demo_store_path: Path) -> Location:
    """The demo store on the session's backend (read it freely; write to a ``clone`` of it)."""
    if not backend.is_pg:
        return demo_store_path
    return backend.source(lambda store: load_demo(store, DEFAULT_DATA_DIR, hash_key=HASH_KEY), "demo")


@pytest.fixture
def demo_store(demo_source: Location, clone) -> Store:
    """A private copy of the demo store, free to be written."""
    return open_store(clone(demo_source))


@pytest.fixture
def demo_settings(backend: Backend, demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    return backend.settings(location_of(demo_store), tmp_path, monkeypatch, hash_key=HASH_KEY.decode(), lang="id")


@pytest.fixture
def empty_store(new_location) -> Store:
    return open_store(new_location("empty"))


def location_of(store: Store) -> Location:
    """Where a store is, as settings and ``open_store`` take it."""
    return getattr(store, "url", None) or store.path  # type: ignore[attr-defined]


_location = location_of


def stored_bytes(store: Store) -> bytes:
    """Everything a store holds as bytes: the GeoPackage file, or every row of every table."""
    if isinstance(store, GpkgStore):
        return store.path.read_bytes()
    from geo.store_copy import raw_rows

    out = bytearray()
    for spec in store.specs.values():
        for batch in raw_rows(store, spec):
            for row in batch:
                out += repr(row).encode() + b"\n"
    return bytes(out)


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


def start_server(store: Location, **env_extra: str):
    """`petakampung serve` on a free localhost port; returns (process, base URL).  A PostGIS
    store is served with the public role for public pages, as a deployment would be."""
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
    if isinstance(store, str):
        _grant_public(store)
        env.setdefault("PETAKAMPUNG_STORE_PUBLIC", public_url(store))
        env.setdefault("PETAKAMPUNG_SECRET_KEY", "test-server-secret")
    exe = Path(sys.executable).parent / "petakampung"
    # the server's own log (tracebacks of a 500 included) is kept in a temporary file for the
    # test that needs to show it: ``server_log(proc)``; removed when the server stops
    import tempfile

    with tempfile.NamedTemporaryFile(prefix="pk-server-", suffix=".log", delete=False) as log:
        proc = subprocess.Popen(
            [str(exe), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=log
        )
    proc.log_path = Path(log.name)
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
    log_path = getattr(proc, "log_path", None)
    if log_path is not None:
        log_path.unlink(missing_ok=True)


def server_log(proc, lines: int = 60) -> str:
    """The last lines the server wrote that are not access-log lines (errors and tracebacks)."""
    log_path = getattr(proc, "log_path", None)
    if log_path is None or not log_path.exists():
        return ""
    kept = [line for line in log_path.read_text(errors="replace").splitlines() if '" 20' not in line]
    return "\n".join(kept[-lines:])


@pytest.fixture(scope="session")
def server(backend: Backend, demo_source: Location):
    """The site on a copy of the demo store, as a visitor reaches it: real HTTP on localhost."""
    store = backend.copy(demo_source, name="site")
    proc, url = start_server(store)
    try:
        yield url
    finally:
        stop_server(proc)
        backend.drop(store)


PASSWORD = "kata-sandi-uji-123"
USERS = {
    "admin": ("admin", None, None),
    "lkm_a": ("lkm", KALIAWI, None),
    "lkm_b": ("lkm", JATIRANGGA, None),
    "planner_a": ("planner", None, "18.71"),
    "planner_b": ("planner", None, "32.75"),
}


@pytest.fixture(scope="session")
def users_source(backend: Backend, demo_source: Location) -> Location:
    """The demo store with one account of every role and area (password: PASSWORD)."""
    from geo.accounts import add_user

    def build(store: Store) -> None:
        for name, (role, kel, kota) in USERS.items():
            add_user(store, name.replace("_", "."), PASSWORD, role, kelurahan_code=kel, kota_code=kota)

    location = backend.copy(demo_source, name="users")
    build(open_store(location))
    if backend.cluster is not None:
        backend.cluster.make_template(_database(location))
    return location


@pytest.fixture(scope="session")
def users_store_path(demo_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The accounts of :data:`USERS` in a GeoPackage file, for tests about the file itself
    (backups of it, a server on it behind nginx); the others use ``users_source``."""
    from geo.accounts import add_user

    path = tmp_path_factory.mktemp("users-gpkg") / "users.gpkg"
    shutil.copy(demo_store_path, path)
    store = open_store(path)
    for name, (role, kel, kota) in USERS.items():
        add_user(store, name.replace("_", "."), PASSWORD, role, kelurahan_code=kel, kota_code=kota)
    return path


@pytest.fixture
def users_settings(
    backend: Backend, users_source: Location, clone, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    return backend.settings(
        clone(users_source),
        tmp_path,
        monkeypatch,
        hash_key=HASH_KEY.decode(),
        secret_key="test-secret-key-for-sessions",
    )


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
