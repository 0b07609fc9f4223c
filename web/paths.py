"""The site's sub-path behind a reverse proxy (``--root-path /petakampung``).

uvicorn puts the sub-path in every request's scope as ``root_path`` and (since 0.26) at the front
of ``path`` too.  Decisions about a request (which body limit, JSON or page, a cached tile) look at
the *route path* (the path without the sub-path); every URL the site hands out (links, redirects,
form actions, asset and tile URLs, URLs in JSON) starts with the sub-path.
"""

from __future__ import annotations

from fastapi import Request
from starlette.types import Scope

__all__ = ["root_of", "route_path", "site_url"]


def root_of(scope_or_request: Scope | Request) -> str:
    """The sub-path the site is served under ("" at the root), without a trailing slash."""
    scope = scope_or_request.scope if isinstance(scope_or_request, Request) else scope_or_request
    return str(scope.get("root_path") or "").rstrip("/")


def route_path(scope_or_request: Scope | Request) -> str:
    """The request's path inside the site: ``/kelurahan/...`` whatever the sub-path."""
    scope = scope_or_request.scope if isinstance(scope_or_request, Request) else scope_or_request
    path = str(scope.get("path") or "/")
    root = root_of(scope)
    if root and (path == root or path.startswith(root + "/")):
        return path[len(root) :] or "/"
    return path


def site_url(request: Request, path: str) -> str:
    """``path`` (starting with /) as the browser must ask for it: behind the sub-path."""
    return root_of(request) + path
