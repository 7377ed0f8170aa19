"""Turning Kimlik's errors into one clear line and an exit status, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from kimlik.errors import ConfigurationError, IngestError, KimlikError, StoreError

#: Exit statuses, documented in docs/cli.md.
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_STORE = 3


@contextmanager
def reported(err: Console) -> Iterator[None]:
    """Run a command body; print a Kimlik error as one line and exit non-zero."""
    try:
        yield
    except (IngestError, ConfigurationError) as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}")
        raise typer.Exit(
            EXIT_USAGE if isinstance(exc, ConfigurationError) else EXIT_FAILED
        ) from exc
    except StoreError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}")
        raise typer.Exit(EXIT_STORE) from exc
    except KimlikError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}")
        raise typer.Exit(EXIT_FAILED) from exc
    except KeyboardInterrupt:
        err.print("[yellow]interrupted: nothing from this run was kept[/]")
        raise typer.Exit(130) from None
