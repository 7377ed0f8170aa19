"""``kimlik serve``: the API, the collection endpoint and (later) the web UI, via uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from kimlik.cli.app import state
from kimlik.cli.errors import reported


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Serve the management API (/api/v1), Segment-compatible collection (/v1) and the UI."""
    import uvicorn

    from kimlik.app import create_app
    from kimlik.store.engine import describe
    from kimlik.store.migrate import require_current

    cli = state(ctx)
    with reported(cli.err):
        app = create_app(cli.settings)
        require_current(cli.engine)
        cli.console.print(
            f"Kimlik on http://{host}:{port}  (store: {describe(cli.engine)}; "
            f"API docs at /docs; Ctrl-C stops)"
        )
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,  # request lines can carry ids and emails in query strings
        proxy_headers=False,
        server_header=False,
    )
