"""Sign-in attempt limits: failures per (account, address) in a sliding window.

Kept in the server's memory: a restart forgives, which is fine for slowing a password
guesser down by orders of magnitude; argon2's cost does the rest. Successful sign-ins
clear the count.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from kimlik.errors import RateLimitedError


class LoginLimiter:
    """Failures are counted per key; ``check`` raises once ``attempts`` are spent."""

    def __init__(self, attempts: int, window_seconds: float) -> None:
        self.attempts = attempts
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                if len(failures) >= self.attempts:
                    wait = math.ceil(failures[0] + self.window - now)
                    raise RateLimitedError(
                        f"too many failed sign-ins; try again in {wait} s", max(wait, 1)
                    )

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if len(self._failures) > 100_000:  # an attacker spraying addresses: forget the oldest
            self._failures.pop(next(iter(self._failures)))
        return failures
