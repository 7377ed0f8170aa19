"""Who runs the command line, for the audit log: the OS user, holding every permission."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kimlik.access.principal import Principal


def os_user() -> str:
    """The OS user name; ``cli`` where the environment has none (some containers)."""
    try:
        return getpass.getuser() or "cli"
    except Exception:  # getpass raises OSError or KeyError without a user name
        return "cli"


def cli_principal() -> Principal:
    """The command line's principal: whoever holds the database may do everything."""
    from kimlik.access.principal import command_line

    return command_line(os_user())
