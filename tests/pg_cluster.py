"""A private PostgreSQL + PostGIS cluster for the test session.

``initdb`` and ``pg_ctl`` from Debian's packages (``scripts/test.sh`` installs them when missing)
make a cluster in a temporary folder, on a free localhost port and a private socket folder, so
nothing of the machine's own PostgreSQL is touched.  As root the server runs as the ``postgres``
user (PostgreSQL refuses to run as root).  Start-up waits on readiness (``pg_ctl -w``), not a
short timer; :meth:`Cluster.stop` always stops it.

Databases: ``pk_template`` holds PostGIS only; stores are cloned from it, or from a template that
already holds a store (the demo data loaded once), with ``CREATE DATABASE ... TEMPLATE``.  Two
roles: ``pk_owner`` (the full role, owner of the tables, not a superuser) and ``pk_public`` (the
site's public role, granted the public tables by ``db upgrade``).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

START_LIMIT_S = 300  # a loaded 2-core machine can take a while to start a cluster: readiness, not a short timer
OWNER, PUBLIC = "pk_owner", "pk_public"
SERVER_OPTIONS = [
    "listen_addresses=127.0.0.1",
    "max_connections=300",
    "shared_buffers=64MB",
    # test data only: a crash of the test machine may lose it; a killed *petakampung* server loses
    # nothing acknowledged, because commits still reach PostgreSQL before they are acknowledged
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
]


def postgres_bin() -> Path | None:
    """The newest PostgreSQL bin folder whose version has PostGIS installed."""
    found = []
    for initdb in Path("/usr/lib/postgresql").glob("*/bin/initdb"):
        version = initdb.parent.parent.name
        if any(Path(f"/usr/share/postgresql/{version}/extension").glob("postgis.control")):
            found.append((int(re.sub(r"\D", "", version) or 0), initdb.parent))
    return max(found)[1] if found else None


class Cluster:
    """One private PostgreSQL server; ``url(db, role)`` names a database on it."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="pk-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._names = itertools.count(1)
        self.user = _server_user()
        self.started = False

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.user is not None:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=START_LIMIT_S)

    def start(self) -> None:
        if self.user is not None:
            pw = pwd.getpwnam(self.user)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self.root.chmod(0o700)
        done = self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                         "--locale=C", "--no-sync")  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stderr[-2000:]}")
        settings = [*SERVER_OPTIONS, f"port={self.port}", f"unix_socket_directories={self.root}"]
        options = " ".join(f"-c {o}" for o in settings)
        done = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options,
                         "-w", "-t", str(START_LIMIT_S), "start")  # fmt: skip
        if done.returncode:
            log = (self.root / "server.log").read_text() if (self.root / "server.log").exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {done.stderr[-1000:]} {log[-2000:]}")
        self.started = True
        with self.admin() as con:
            con.execute(f"CREATE ROLE {OWNER} LOGIN CREATEDB")
            con.execute(f"CREATE ROLE {PUBLIC} LOGIN")
            con.execute(f"CREATE DATABASE pk_template OWNER {OWNER}")
        with psycopg.connect(self.url("pk_template", "postgres"), autocommit=True) as con:
            con.execute("CREATE EXTENSION postgis")
        with self.admin() as con:
            con.execute("ALTER DATABASE pk_template WITH is_template true")

    def stop(self) -> None:
        if self.started:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str, role: str = OWNER) -> str:
        return f"postgresql://{role}@127.0.0.1:{self.port}/{database}"

    @contextlib.contextmanager
    def admin(self):
        with psycopg.connect(self.url("postgres", "postgres"), autocommit=True) as con:
            yield con

    def new_database(self, template: str = "pk_template", prefix: str = "t") -> str:
        """A new database cloned from ``template`` (which must have no open connections)."""
        from geo.store_pg import close_pools

        close_pools(self.url(template, OWNER))
        close_pools(self.url(template, PUBLIC))
        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        with self.admin() as con:
            con.execute(f"CREATE DATABASE {name} TEMPLATE {template} OWNER {OWNER} STRATEGY FILE_COPY")
        return name

    def make_template(self, database: str) -> None:
        """Let ``database`` be cloned (its connections in this process closed first)."""
        from geo.store_pg import close_pools

        close_pools(self.url(database, OWNER))
        close_pools(self.url(database, PUBLIC))

    def drop_database(self, name: str) -> None:
        from geo.store_pg import close_pools

        close_pools(self.url(name, OWNER))
        close_pools(self.url(name, PUBLIC))
        with self.admin() as con:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_user() -> str | None:
    """Who runs the server: ourselves, or (as root, which PostgreSQL refuses) the postgres user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError("running as root needs a 'postgres' user to run the test cluster") from None
    return "postgres"
