"""The login rate limit, kept in the store so that every server process shares one count.

At most ``max_failures`` tries that did not succeed per (canonical name, client address) within
``window_s`` seconds, tries in flight included.  A try is counted *before* its password is checked,
inside a write transaction of the store: writers take the store's one write lock (SQLite's, or the
PostGIS store's advisory lock) before the count is read, so two workers can never both admit the
fifth try.

The table holds no name and no address: a key is an HMAC of both under the session secret (which
every worker shares).  Keys are spread over :data:`BUCKETS` rows, each holding the recent tries of
its keys as JSON; every write drops the tries that left the window, so the table never holds more
than :data:`BUCKETS` rows, whatever an attacker sends.  Only the public :class:`geo.store.Store`
protocol is used, so it works on every backend.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass

import pandas as pd

from geo.accounts import canonical_username
from geo.errors import TooManyAttempts
from geo.gpkg import now_iso
from geo.schema import Column, TableSpec
from geo.store import Store

BUCKETS = 4096
LOGIN_ATTEMPTS = TableSpec(
    name="pk_login_attempts",
    columns=(
        Column("bucket", "INTEGER", f"0 to {BUCKETS - 1}: the first bytes of a key's HMAC"),
        Column("tries", "TEXT", "JSON {key: [unix seconds of each counted try still in the window]}"),
        Column("changed_at", "DATETIME"),
    ),
    key=("bucket",),
    public=False,
    description="petakampung: recent login tries per (name, address) HMAC, shared by every server process",
    audit="none",
)
_NO_ROWS = pd.DataFrame({"bucket": pd.Series([], dtype="Int64")})


@dataclass(frozen=True)
class LoginTry:
    """One admitted login try: its key and bucket, and when it was counted (unix seconds)."""

    key: str
    bucket: int
    at: float


class StoreLoginLimiter:
    """:class:`web.auth.LoginLimit` with its counts in the store (see the module's docstring)."""

    def __init__(self, store: Store, secret: str | bytes, max_failures: int, window_s: float) -> None:
        self.store = store
        self.secret = secret.encode() if isinstance(secret, str) else secret
        self.max_failures = max_failures
        self.window_s = window_s

    def _key(self, name: str, address: str) -> tuple[str, int]:
        digest = hmac.new(self.secret, f"{canonical_username(name)}\0{address}".encode(), hashlib.sha256).digest()
        return digest[:16].hex(), int.from_bytes(digest[16:20], "big") % BUCKETS

    def _tries(self, bucket: int, now: float) -> dict[str, list[float]]:
        """The bucket's tries still inside the window (expired ones dropped)."""
        if not self.store.exists():
            return {}
        rows = self.store.read(LOGIN_ATTEMPTS.name, columns=["tries"], bucket=bucket)
        if rows.empty or not rows.iloc[0]["tries"]:
            return {}
        since = now - self.window_s
        kept = {k: [a for a in v if a > since] for k, v in json.loads(rows.iloc[0]["tries"]).items()}
        return {k: v for k, v in kept.items() if v}

    def _refuse_if_full(self, mine: list[float], now: float) -> None:
        if len(mine) >= self.max_failures:
            minutes = max(1, round((min(mine) + self.window_s - now) / 60))
            raise TooManyAttempts("auth.limited", minutes=minutes)

    def _write(self, bucket: int, change) -> None:
        """In one write transaction: take the write lock, read the bucket, ``change`` it, write it."""
        with self.store.transaction(actor="login") as writer:
            writer.upsert(LOGIN_ATTEMPTS, _NO_ROWS)  # takes the store's write lock (PostGIS) before the read
            tries = self._tries(bucket, time.time())
            change(tries)
            row = {"bucket": bucket, "tries": json.dumps(tries, separators=(",", ":")), "changed_at": now_iso()}
            writer.upsert(LOGIN_ATTEMPTS, pd.DataFrame([row]))

    def peek(self, name: str, address: str) -> None:
        """Refuse at once (no write) a key that is already at its limit."""
        key, bucket = self._key(name, address)
        now = time.time()
        self._refuse_if_full(self._tries(bucket, now).get(key, []), now)

    def check(self, name: str, address: str) -> LoginTry:
        """Count a try, or raise :class:`TooManyAttempts` when the key is full (nothing counted)."""
        key, bucket = self._key(name, address)
        now = time.time()

        def count(tries: dict[str, list[float]]) -> None:
            mine = tries.setdefault(key, [])
            self._refuse_if_full(mine, now)
            mine.append(now)

        self._write(bucket, count)
        return LoginTry(key, bucket, now)

    def fail(self, attempt: LoginTry) -> None:
        """The try was counted in :meth:`check`; nothing more to write."""

    def succeed(self, attempt: LoginTry) -> None:
        """A good password clears the key's count."""
        self._write(attempt.bucket, lambda tries: tries.pop(attempt.key, None))

    def release(self, attempt: LoginTry) -> None:
        """Take back a try that never reached the password check."""

        def drop(tries: dict[str, list[float]]) -> None:
            mine = tries.get(attempt.key, [])
            if attempt.at in mine:
                mine.remove(attempt.at)
            if not mine:
                tries.pop(attempt.key, None)

        self._write(attempt.bucket, drop)
