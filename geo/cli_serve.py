"""``petakampung serve``: the web site under uvicorn."""

from __future__ import annotations

import click

from geo.cli_base import CliState, Command

__all__ = ["serve_cmd"]


@click.command("serve", cls=Command, help="cmd.serve")
@click.option("--host", default=None, help="opt.host")
@click.option("--port", type=int, default=None, help="opt.port")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="opt.workers")
@click.option("--proxy-headers/--no-proxy-headers", default=None, help="opt.proxy_headers")
@click.option("--forwarded-allow-ips", default=None, help="opt.forwarded_allow_ips")
@click.option("--root-path", default=None, help="opt.root_path")
@click.pass_obj
def serve_cmd(run: CliState, **options: object) -> None:
    from geo.serve import ServeOptions, serve

    serve(run.settings, run.lang, ServeOptions(**options))  # type: ignore[arg-type]
