"""Demo sign-ins: one account per role, so a first-time user can open the web UI at once.

The password is new on every ``kimlik demo`` run and printed once; nothing fixed ships
in the package, so a demo database left running never has a guessable sign-in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import Engine

from kimlik.access import repository
from kimlik.access.service import create_user, set_password

#: Role -> (email, display name), in the order the demo prints them.
DEMO_ACCOUNTS = {
    "admin": ("admin@demo.kimlik.dev", "Demo Admin"),
    "agent": ("agent@demo.kimlik.dev", "Demo Support Agent"),
    "analyst": ("analyst@demo.kimlik.dev", "Demo Analyst"),
    "marketer": ("marketer@demo.kimlik.dev", "Demo Marketer"),
}


@dataclass(frozen=True, slots=True)
class DemoSignIn:
    role: str
    email: str
    password: str


def demo_sign_ins(engine: Engine) -> list[DemoSignIn]:
    """Create the demo accounts, or give existing ones a new password; their sign-ins."""
    password = "demo-" + secrets.token_urlsafe(9)
    made = []
    for role, (email, name) in DEMO_ACCOUNTS.items():
        with engine.connect() as connection:
            user = repository.user_by_email(connection, email)
        if user is None:
            create_user(engine, email, name, role, password)
        else:
            set_password(engine, int(user["id"]), password)
        made.append(DemoSignIn(role, email, password))
    return made
