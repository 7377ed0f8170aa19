"""What one running server holds: settings, the engine and the in-memory helpers."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import Engine

from kimlik.access.login_limits import LoginLimiter
from kimlik.collect.service import EventRate, WriteKeys
from kimlik.config import Settings
from kimlik.quality.snapshot import ReportCache


@dataclass(slots=True)
class ServerState:
    settings: Settings
    engine: Engine
    write_keys: WriteKeys
    event_rate: EventRate
    logins: LoginLimiter
    #: the newest data-quality report, rebuilt in the background (the web page reads it)
    quality: ReportCache

    @classmethod
    def build(cls, settings: Settings, engine: Engine) -> ServerState:
        return cls(
            settings=settings,
            engine=engine,
            write_keys=WriteKeys(engine),
            event_rate=EventRate(settings.collect_rate_limit),
            logins=LoginLimiter(settings.login_attempts, settings.login_window_seconds),
            quality=ReportCache(engine),
        )


def server(request: Request) -> ServerState:
    state: ServerState = request.app.state.kimlik
    return state
