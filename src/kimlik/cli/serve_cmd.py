"""``kimlik serve``: the API, the collection endpoint and (later) the web UI, via uvicorn.

By default one process serves HTTP and runs the stitcher on a thread beside it. With
``--workers N`` the HTTP requests go to N worker processes and the stitcher runs in the
supervising process instead: its rounds (cleaning, matching, DuckDB) then no longer
take the interpreter lock from request handling, which kept collection's p99 latency
over 200 ms under sustained load (docs/performance.md, "Collection").
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from fastapi import FastAPI

    from kimlik.config import Settings

#: what uvicorn is told, in the supervisor and in every worker alike
_UVICORN: dict[str, Any] = {
    "log_level": "warning",
    "access_log": False,  # request lines can carry ids and emails in query strings
    "proxy_headers": False,
    "server_header": False,
}


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=64,
            help="HTTP worker processes; the stitcher then runs in the supervising process. "
            "0: one process for both. Default: 2 on PostgreSQL, 0 on SQLite.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the management API (/api/v1), Segment-compatible collection (/v1) and the UI."""
    import uvicorn

    from kimlik.app import create_app
    from kimlik.cli.app import state  # here: workers import this module without the CLI
    from kimlik.cli.errors import reported
    from kimlik.store.engine import describe
    from kimlik.store.migrate import require_current

    cli = state(ctx)
    if workers is None:  # measured: docs/performance.md, "Collection"
        workers = 2 if cli.settings.database_url.startswith("postgresql") else 0
    workers = workers or None
    with reported(cli.err):
        if workers is None:
            app = create_app(cli.settings)
        else:  # the workers build their apps; refuse here what create_app would refuse
            app = None
            cli.settings.check_secrets()
        require_current(cli.engine)
        cli.console.print(
            f"Kimlik on http://{host}:{port}/ (web UI; store: {describe(cli.engine)}; "
            + (f"{workers} worker process(es); " if workers else "")
            + "API under /api/v1, OpenAPI at /openapi.json; Ctrl-C stops)"
        )
    if app is not None:
        uvicorn.run(app, host=host, port=port, **_UVICORN)
        return
    assert workers is not None
    _serve_workers(cli.settings, host, port, workers)


def _serve_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """Workers serve HTTP without stitching; this process stitches and supervises them.

    Workers are spawned and read their settings from the environment, so what the
    command line overrode (``--database``) is put there first.
    """
    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    from kimlik.collect.stitcher import Stitcher
    from kimlik.store.engine import open_engine

    os.environ["KIMLIK_DATABASE_URL"] = settings.database_url
    os.environ["KIMLIK_STITCH"] = "false"
    config = Config(
        "kimlik.cli.serve_cmd:worker_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        **_UVICORN,
    )
    engine = open_engine(settings.database_url)
    stitcher = Stitcher(engine, settings) if settings.stitch else None
    try:
        socket = config.bind_socket()
        if stitcher is not None:
            stitcher.start()
        Multiprocess(config, sockets=[socket]).run()
    finally:
        if stitcher is not None:
            stitcher.stop()
        engine.dispose()


def worker_app() -> FastAPI:
    """One worker's app (``--workers``): settings from the environment, no stitcher."""
    from kimlik.app import create_app
    from kimlik.config import load_settings

    return create_app(load_settings())
