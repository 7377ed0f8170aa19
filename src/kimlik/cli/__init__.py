"""The ``kimlik`` command."""

from __future__ import annotations


def main() -> None:
    """Entry point of the console script."""
    from kimlik.cli.app import app

    app()
