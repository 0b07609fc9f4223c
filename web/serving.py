"""How uvicorn talks HTTP for us: its own protocol, with Nagle's algorithm off on every connection.

With ``--workers N`` uvicorn binds the listening socket itself (``socket.socket(AF_INET)``, protocol
number 0) and hands it to each worker.  asyncio turns ``TCP_NODELAY`` on only for sockets whose
protocol is ``IPPROTO_TCP``, so on the asyncio event loop (uvloop missing, e.g. on a platform
without a wheel) every accepted connection keeps Nagle's algorithm: a response written as headers
then body waits for the client's delayed ACK, about 40 ms on each small keep-alive response.
uvloop sets the option itself; this protocol sets it whatever the loop, so the site never depends
on which event loop happened to be installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

try:  # uvicorn[standard]: the C parser
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Base
except ImportError:  # pragma: no cover - plain uvicorn
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Base  # type: ignore[assignment]

__all__ = ["NoDelayHttp", "set_nodelay"]


def set_nodelay(transport: asyncio.BaseTransport) -> None:
    """Turn Nagle's algorithm off on a TCP connection (nothing for a Unix socket)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayHttp(_Base):  # type: ignore[misc,valid-type]
    """uvicorn's HTTP protocol (httptools, else h11) with ``TCP_NODELAY`` on each connection."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        set_nodelay(transport)
        super().connection_made(transport)
